"""What every command shares: settings from options, output in rich text or JSON, a database."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.cli.provision import embedded_as_needed
from chatdesk.config import Settings
from chatdesk.db.engine import create_engine
from chatdesk.desk.routing import routing_wanted, wake_routers
from chatdesk.desk.transactions import Transactions, Tx
from chatdesk.errors import ApiError
from chatdesk.realtime.connect import open_redis
from chatdesk.realtime.outbox import Outbox
from chatdesk.realtime.streams import Streams

console = Console()
errors = Console(stderr=True)

T = TypeVar("T")

JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table.")
DataDirOption = typer.Option(None, "--data-dir", envvar="CHATDESK_DATA_DIR", help="Where embedded data lives.")


def load_settings(**overrides: Any) -> Settings:
    """Settings from env and .env, with the CLI options given (None means not given)."""
    settings = Settings()
    given = {name: value for name, value in overrides.items() if value is not None}
    if "data_dir" in given:
        given["data_dir"] = Path(given["data_dir"]).expanduser().resolve()
    return settings.model_copy(update=given)


def refuse_upstash_rest(settings: Settings) -> None:
    """Stop with what to set instead when only Upstash's REST settings are given, rather than quietly
    starting the embedded Redis."""
    advice = settings.redis_advice()
    if advice is not None:
        errors.print(f"[red]Error:[/red] {advice}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(1)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, default=str, indent=2))


def _run_with_services(settings: Settings, work: Callable[[Settings], Coroutine[Any, Any, T]]) -> T:
    """Run `work` on the configured (or embedded) services; an ApiError from the shared runtime becomes
    a one-line message and exit code 1."""
    with embedded_as_needed(settings) as ready:
        try:
            return asyncio.run(work(ready))
        except ApiError as error:
            errors.print(f"[red]Error:[/red] {error.message}")
            raise typer.Exit(1) from None


def with_database(settings: Settings, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    """Run `work` in one transaction on the configured (or embedded) database."""
    async def run(ready: Settings) -> T:
        engine = create_engine(ready.required("database_url"), pool_size=1)
        try:
            async with engine.begin() as conn:
                return await work(conn)
        finally:
            await engine.dispose()

    return _run_with_services(settings, run)


def with_transactions(settings: Settings, work: Callable[[Transactions], Awaitable[T]]) -> T:
    """Run `work` with desk transactions on the configured (or embedded) services: after each commit
    its events are pushed, as in a server (no after-commit hooks run here)."""
    async def run(ready: Settings) -> T:
        engine = create_engine(ready.required("database_url"), pool_size=1)
        redis = open_redis(ready.required("redis_url"))
        try:
            return await work(Transactions(engine, Outbox(engine, Streams(redis))))
        finally:
            await redis.aclose()
            await engine.dispose()

    return _run_with_services(settings, run)


def with_desk(settings: Settings, work: Callable[[Tx], Awaitable[T]]) -> T:
    """Run `work` in one desk transaction; after commit its events are pushed and the running servers'
    routers woken through Redis, as a change made in a server would (docs/architecture.md)."""
    async def run(transaction: Transactions) -> T:
        async with transaction() as tx:
            result = await work(tx)
        await wake_routers(transaction.outbox.streams, routing_wanted(tx))
        return result

    return with_transactions(settings, run)
