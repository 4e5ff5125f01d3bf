"""`chatdesk up` (provision, then serve) and `chatdesk serve`."""

from __future__ import annotations

import asyncio
import os
import signal
from contextlib import ExitStack
from typing import Any

import typer
import uvicorn
from rich.panel import Panel

from chatdesk.cli.common import DataDirOption, console, load_settings, refuse_upstash_rest
from chatdesk.cli.migrations import apply_migrations
from chatdesk.cli.provision import FIRST_ADMIN_EMAIL, FirstRun, embedded_as_needed, seed_if_empty
from chatdesk.config import Settings
from chatdesk.desk.widgets import snippet
from chatdesk.web.app import serving_app
from chatdesk.web.http_protocol import DeadlineHttpProtocol

HostOption = typer.Option(None, "--host", envvar="CHATDESK_HOST", help="Interface to listen on.")
PortOption = typer.Option(None, "--port", envvar="CHATDESK_PORT", help="Port to listen on.")
WorkersOption = typer.Option(1, "--workers", min=1, help="Worker processes.")

# Long enough for a browser to finish a request, short enough for an orchestrator's stop timeout.
GRACEFUL_SHUTDOWN_S = 10
# Idle keep-alive connections stay open longer than the idle timeouts of what sits in front
# (60 s on common load balancers and proxies), so the server is never the side that closes a
# connection just as a client sends a request on it (uvicorn's default of 5 s made a few POSTs
# per thousand fail with a reset in the 200-user load test).
KEEP_ALIVE_S = 75


def _exit_on_sigterm() -> None:
    """Make SIGTERM unwind like Ctrl-C, so embedded servers are stopped on the way out."""
    def handler(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, handler)


def _serve(settings: Settings, workers: int) -> None:
    # X-Forwarded-For and -Proto are believed only from the proxies the operator named.
    options: dict[str, Any] = {
        "host": settings.host, "port": settings.port, "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": settings.trusted_proxies or None, "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_S,
        "timeout_keep_alive": KEEP_ALIVE_S, "log_level": "info", "access_log": False,
        "http": DeadlineHttpProtocol, "ws": "none", "limit_concurrency": settings.max_connections}
    if workers > 1:
        # Workers are separate processes that rebuild the app from the environment: hand them
        # what came from options, and the one signing key, so every worker agrees.
        os.environ.update({"CHATDESK_DATA_DIR": str(settings.data_dir), "CHATDESK_SECRET_KEY": settings.secret(),
                           "CHATDESK_PUBLIC_URL": settings.base_url})
        uvicorn.run("chatdesk.web.app:app_from_env", factory=True, workers=workers, **options)
    else:
        uvicorn.run(serving_app(settings), **options)


def _print_first_run(settings: Settings, first: FirstRun) -> None:
    console.print(Panel.fit(
        f"Workspace:  [bold]{settings.base_url}/workspace/[/bold]\n"
        f"Admin:      [bold]{first.admin_email}[/bold]\n"
        f"Password:   [bold green]{first.admin_password}[/bold green]  [dim](shown once)[/dim]\n"
        "[dim]It works for the first sign-in, where you choose a password of your own.[/dim]",
        title="chatdesk is set up", border_style="green",
    ))
    console.print("Paste this into your site's pages to show the chat widget:")
    console.print(snippet(settings.base_url, first.widget["id"]), markup=False, highlight=False, soft_wrap=True)


def up(
    host: str = HostOption,
    port: int = PortOption,
    workers: int = WorkersOption,
    data_dir: str = DataDirOption,
    admin_email: str = typer.Option(FIRST_ADMIN_EMAIL, "--admin-email", help="Email of the first admin."),
) -> None:
    """Provision (embedded servers, migrations, first admin and widget), then serve."""
    settings = load_settings(host=host, port=port, data_dir=data_dir)
    refuse_upstash_rest(settings)
    _exit_on_sigterm()
    stack = ExitStack()
    with console.status("Starting PostgreSQL and Redis..."):
        settings = stack.enter_context(embedded_as_needed(settings))
    try:
        apply_migrations(settings.required("database_url"))
        first = asyncio.run(seed_if_empty(settings.required("database_url"), admin_email))
        if first is not None:
            _print_first_run(settings, first)
        console.print(f"Serving on [bold]{settings.base_url}[/bold] (Ctrl-C to stop)")
        _serve(settings, workers)
    except KeyboardInterrupt:
        pass
    finally:
        with console.status("Stopping..."):
            stack.close()


def serve(
    host: str = HostOption,
    port: int = PortOption,
    workers: int = WorkersOption,
    data_dir: str = DataDirOption,
) -> None:
    """Serve the app (schema must be migrated; several serve processes may share one database)."""
    settings = load_settings(host=host, port=port, data_dir=data_dir)
    refuse_upstash_rest(settings)
    _exit_on_sigterm()
    try:
        with embedded_as_needed(settings) as ready:
            _serve(ready, workers)
    except KeyboardInterrupt:
        pass
