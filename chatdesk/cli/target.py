"""The server a benchmark or load test runs against: one given by URL, or one started here."""

from __future__ import annotations

import asyncio
import secrets
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path

import typer

from chatdesk.bench.server import ServerProcess
from chatdesk.cli.common import console, load_settings
from chatdesk.cli.provision import embedded_as_needed
from chatdesk.db import migrate
from chatdesk.db.engine import create_engine
from chatdesk.desk.agents import create_agent

UrlOption = typer.Option(None, "--url", help="Target a running server instead of starting one.")
AdminEmailOption = typer.Option(None, "--admin-email", help="With --url: an admin account.")
AdminPasswordOption = typer.Option(None, "--admin-password", help="With --url: its password.")

# The server started by a benchmark must not throttle the load the benchmark is asked to make.
UNTHROTTLED = {"CHATDESK_VISITOR_MESSAGE_RATE": "1000000 per minute",
               "CHATDESK_AGENT_MESSAGE_RATE": "1000000 per minute"}


async def _bench_admin(database_url: str) -> tuple[str, str]:
    """A fresh admin to drive the benchmark through the API."""
    email, password = f"bench-admin-{secrets.token_hex(4)}@example.com", secrets.token_urlsafe(16)
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            await create_agent(conn, email=email, name="Bench admin", role="admin", password=password)
    finally:
        await engine.dispose()
    return email, password


@contextmanager
def target(url, admin_email, admin_password, data_dir, workers: int = 1, **server_env):
    """(url, admin email, admin password, database URL, Redis URL, server pid or None): the given
    server, or one started here (`workers` processes, `server_env` added to its environment)."""
    with ExitStack() as stack:
        pid = None
        if url:
            if not (admin_email and admin_password):
                raise typer.BadParameter("--url needs --admin-email and --admin-password")
            settings = load_settings()
            database_url = settings.database_url.get_secret_value() if settings.database_url else None
            redis_url = settings.redis_url.get_secret_value() if settings.redis_url else None
        else:
            scratch = data_dir or stack.enter_context(tempfile.TemporaryDirectory(prefix="chatdesk-bench-"))
            settings = stack.enter_context(embedded_as_needed(load_settings(data_dir=scratch)))
            database_url = settings.required("database_url")
            redis_url = settings.required("redis_url")
            migrate.upgrade(database_url)
            admin_email, admin_password = asyncio.run(_bench_admin(database_url))
            server = ServerProcess(settings, Path(settings.data_dir) / "bench-server.log", workers,
                                   **UNTHROTTLED, **server_env)
            with console.status("Starting a chatdesk server..."):
                server.start()
            stack.callback(server.stop)
            url, pid = server.base_url, server.pid
        yield url, admin_email, admin_password, database_url, redis_url, pid
