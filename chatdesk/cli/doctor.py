"""`chatdesk doctor`"""

from __future__ import annotations

import asyncio

import typer
from rich.table import Table

from chatdesk.cli.checks import Check, run_checks
from chatdesk.cli.common import DataDirOption, JsonOption, console, load_settings, print_json
from chatdesk.cli.provision import embedded_as_needed


def doctor(data_dir: str = DataDirOption, as_json: bool = JsonOption) -> None:
    """Check configuration, PostgreSQL, Redis, migrations, storage, clocks, a live round trip and SMTP."""
    settings = load_settings(data_dir=data_dir)
    advice = settings.redis_advice()
    if advice is not None:
        checks = [Check("Redis", False, advice)]
    else:
        with embedded_as_needed(settings) as ready:
            checks = asyncio.run(run_checks(ready))
    healthy = all(check.ok for check in checks)
    if as_json:
        print_json({"ok": healthy, "checks": [vars(check) for check in checks]})
    else:
        table = Table("check", "", "latency", "detail")
        for check in checks:
            latency = f"{check.latency_ms:.1f} ms" if check.latency_ms is not None else ""
            state = ("[red]FAILED[/red]" if not check.ok else
                     "[yellow]warning[/yellow]" if check.warning else "[green]ok[/green]")
            table.add_row(check.name, state, latency, check.detail)
        console.print(table)
        failed = ", ".join(check.name for check in checks if not check.ok)
        console.print("[green]All good.[/green]" if healthy else f"[red]Not healthy: {failed}.[/red]")
    if not healthy:
        raise typer.Exit(1)
