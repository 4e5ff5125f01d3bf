"""What every command shares: settings from options, output in rich text or JSON, a database."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.cli.provision import embedded_as_needed
from chatdesk.config import Settings
from chatdesk.db.engine import create_engine
from chatdesk.errors import ApiError

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


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, default=str, indent=2))


def with_database(settings: Settings, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    """Run `work` in one transaction on the configured (or embedded) database.

    An ApiError from the shared runtime becomes a one-line message and exit code 1.
    """
    async def run(url: str) -> T:
        engine = create_engine(url, pool_size=1)
        try:
            async with engine.begin() as conn:
                return await work(conn)
        finally:
            await engine.dispose()

    with embedded_as_needed(settings) as ready:
        try:
            return asyncio.run(run(ready.required("database_url")))
        except ApiError as error:
            errors.print(f"[red]Error:[/red] {error.message}")
            raise typer.Exit(1) from None
