"""`chatdesk config ...`"""

from __future__ import annotations

import typer
from rich.table import Table

from chatdesk.cli.common import JsonOption, console, load_settings, print_json

config = typer.Typer(help="Show configuration.", no_args_is_help=True)


@config.command("show")
def show(as_json: bool = JsonOption) -> None:
    """Print the effective settings, secrets hidden."""
    shown = load_settings().shown()
    if as_json:
        return print_json(shown)
    table = Table("setting", "value")
    for name, value in shown.items():
        table.add_row(name, "[dim]unset[/dim]" if value is None else str(value))
    console.print(table)
