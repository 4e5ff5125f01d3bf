"""`chatdesk migrate [up|down|status]`"""

from __future__ import annotations

from enum import StrEnum

import typer
from rich.progress import Progress

from chatdesk.cli.common import DataDirOption, JsonOption, console, load_settings, print_json
from chatdesk.cli.provision import embedded_as_needed
from chatdesk.config import Settings
from chatdesk.db import migrate as db_migrate


class Action(StrEnum):
    up = "up"
    down = "down"
    status = "status"


def apply_migrations(database_url: str) -> None:
    """Upgrade to head one revision at a time, with a progress bar."""
    pending = db_migrate.status(database_url).pending
    if not pending:
        console.print("Database schema is up to date.")
        return
    with Progress(console=console, transient=False) as progress:
        task = progress.add_task("Applying migrations", total=len(pending))
        for revision in pending:
            progress.update(task, description=f"Applying migration {revision}")
            db_migrate.upgrade(database_url, revision)
            progress.advance(task)


def migrate(
    action: Action = typer.Argument(Action.up, help="up (to head), down (to base: drops all data), status."),
    revision: str = typer.Option(None, "--to", help="Target revision for up/down."),
    yes: bool = typer.Option(False, "--yes", help="Don't ask before a downgrade."),
    data_dir: str = DataDirOption,
    as_json: bool = JsonOption,
) -> None:
    """Apply, revert or show database migrations."""
    settings: Settings = load_settings(data_dir=data_dir)
    with embedded_as_needed(settings) as ready:
        url = ready.required("database_url")
        if action is Action.up:
            if revision:
                db_migrate.upgrade(url, revision)
            else:
                apply_migrations(url)
        elif action is Action.down:
            if not yes:
                typer.confirm("Downgrading drops the tables it reverts, with their data. Go on?", abort=True)
            db_migrate.downgrade(url, revision or "base")
        state = db_migrate.status(url)
    if as_json:
        return print_json({"current": state.current, "head": state.head, "pending": state.pending,
                           "at_head": state.at_head})
    verdict = "[green]at head[/green]" if state.at_head else f"[yellow]{len(state.pending)} pending[/yellow]"
    console.print(f"current: {state.current or 'none'}  head: {state.head}  {verdict}")
