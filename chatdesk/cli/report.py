"""`chatdesk report`: a period's figures for operators, as readable tables or JSON."""

from __future__ import annotations

from typing import Any

import orjson
import typer
from rich.table import Table

from chatdesk.cli.common import DataDirOption, JsonOption, console, load_settings, with_database
from chatdesk.desk.reports import CHAT_FIGURES, Scope, build_report, on_connection, period


def _value(value: Any) -> str:
    return "-" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _print(report: dict[str, Any]) -> None:
    shown, before = report["period"], report["previous_period"]
    console.print(f"Report {shown['from']} .. {shown['to']} ({shown['tz']}, {shown['days']} days); "
                  f"previous period {before['from']} .. {before['to']}")
    summary = Table("figure", "value", "previous")
    for name, value in report["summary"].items():
        summary.add_row(name, _value(value), _value(report["previous"].get(name)))
    console.print(summary)
    for title, rows, extra in (("Departments", report["departments"], ["offline_messages"]),
                               ("Agents", report["agents"], ["online_s", "chat_s", "utilisation"])):
        if not rows:
            continue
        table = Table("figure", *(row["name"] for row in rows), title=title)  # one column each: stays narrow
        for name in [*CHAT_FIGURES, *extra]:
            table.add_row(name, *(_value(row[name]) for row in rows))
        console.print(table)
    hours = Table("weekday", *(f"{hour:02}" for hour in range(24)), title="Chats started by weekday and hour")
    for day, counts in zip(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), report["busiest_hours"], strict=True):
        hours.add_row(day, *(str(n) if n else "." for n in counts))
    console.print(hours)
    if report["triggers"]:
        greetings = Table("trigger", "department", "triggered", "engaged", "engagement", title="Proactive greetings")
        for row in report["triggers"]:
            greetings.add_row(row["name"], row["department"], str(row["triggered"]), str(row["engaged"]),
                              _value(row["engagement"]))
        console.print(greetings)
    for comment in report["comments"]:
        console.print(f"{comment['rating']:>4}  {comment['chat_id']}  {comment['comment']}")


def report(
    first: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD."),
    last: str = typer.Option(..., "--to", help="Last day (included), YYYY-MM-DD."),
    tz: str = typer.Option("UTC", "--tz", help="IANA time zone the days are counted in, e.g. Europe/Paris."),
    data_dir: str = DataDirOption,
    as_json: bool = JsonOption,
) -> None:
    """Chats, waits, replies, ratings and agents' time over a period, with the period before it."""
    async def work(conn) -> dict[str, Any]:
        return await build_report(on_connection(conn), period(first, last, tz), Scope(), comments_limit=None)

    result = with_database(load_settings(data_dir=data_dir), work)
    if as_json:  # the API's JSON (web/api/endpoint.py:json_response), indented
        options = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS | orjson.OPT_INDENT_2
        return typer.echo(orjson.dumps(result, default=str, option=options))
    _print(result)
