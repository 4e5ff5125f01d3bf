"""`chatdesk loadtest`: the locust scenarios headless, ending in a table of the customer's targets."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import typer
from rich.table import Table

from chatdesk.bench.load import Plan, parse_duration, run_loadtest
from chatdesk.bench.load_report import render_html
from chatdesk.cli.common import DataDirOption, console
from chatdesk.cli.target import AdminEmailOption, AdminPasswordOption, UrlOption, target


def loadtest(
    users: int = typer.Option(50, "--users", min=2, help="Simulated users: one in ten is an agent, the rest visitors."),
    spawn_rate: float = typer.Option(10, "--spawn-rate", min=0.1, help="Users started per second."),
    duration: str = typer.Option("5m", "--duration", help="How long the load runs: 60s, 5m, 1h."),
    url: str = UrlOption,
    admin_email: str = AdminEmailOption,
    admin_password: str = AdminPasswordOption,
    json_report: Path = typer.Option(Path("loadtest-report.json"), "--json-report", help="Where the JSON report goes."),
    html_report: Path = typer.Option(Path("loadtest-report.html"), "--html-report", help="Where the HTML report goes."),
    workers: int = typer.Option(2, "--workers", min=1, help="Without --url: worker processes of the server started."),
    data_dir: str = DataDirOption,
) -> None:
    """Load test: visitors and agents chatting for DURATION; exits 1 when a target is missed."""
    try:
        plan = Plan(users, spawn_rate, parse_duration(duration))
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--duration") from None
    with target(url, admin_email, admin_password, data_dir, workers) as (base_url, email, password, _, _, _), \
            tempfile.TemporaryDirectory(prefix="chatdesk-loadtest-") as work_dir:
        console.print(f"Load test against {base_url}: {plan.users} users ({plan.agents} agents x {plan.capacity} "
                      f"chats), {plan.spawn_rate:g}/s, {plan.duration_s:g} s")
        try:
            report = run_loadtest(base_url, email, password, plan, Path(work_dir), console.print)
        except RuntimeError as error:
            console.print(f"[red]Load test failed:[/red] {error}")
            raise typer.Exit(2) from None
    report["url"] = base_url
    json_report.write_text(json.dumps(report, indent=2))
    html_report.write_text(render_html(report))
    table = Table("target", "goal", "measured", "verdict", title="Customer targets")
    for row in report["targets"]:
        verdict = "[green]met[/green]" if row["ok"] else "[red]MISSED[/red]"
        table.add_row(row["target"], row["goal"], row["measured"], verdict)
    console.print(table)
    for failed in report["errors"]:
        console.print(f"[red]failed {failed['count']}x[/red] {failed['request']}: {failed['error']}")
    console.print(f"Reports: {json_report} and {html_report}")
    if not report["ok"]:
        raise typer.Exit(1)
