"""`chatdesk doctor`"""

from __future__ import annotations

import asyncio

import typer
from rich.table import Table

from chatdesk.cli.checks import run_checks
from chatdesk.cli.common import DataDirOption, JsonOption, console, load_settings, print_json
from chatdesk.cli.provision import embedded_as_needed


def doctor(data_dir: str = DataDirOption, as_json: bool = JsonOption) -> None:
    """Check configuration, PostgreSQL, Redis, migrations, storage, clocks and a live round trip."""
    with embedded_as_needed(load_settings(data_dir=data_dir)) as settings:
        checks = asyncio.run(run_checks(settings))
    healthy = all(check.ok for check in checks)
    if as_json:
        print_json({"ok": healthy, "checks": [vars(check) for check in checks]})
    else:
        table = Table("check", "", "latency", "detail")
        for check in checks:
            latency = f"{check.latency_ms:.1f} ms" if check.latency_ms is not None else ""
            table.add_row(check.name, "[green]ok[/green]" if check.ok else "[red]FAILED[/red]", latency, check.detail)
        console.print(table)
        failed = ", ".join(check.name for check in checks if not check.ok)
        console.print("[green]All good.[/green]" if healthy else f"[red]Not healthy: {failed}.[/red]")
    if not healthy:
        raise typer.Exit(1)
