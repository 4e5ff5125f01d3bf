"""`chatdesk department ...`: the queues chats wait in, and which agents serve them."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.cli.common import (
    DataDirOption,
    JsonOption,
    console,
    load_settings,
    print_json,
    with_database,
    with_desk,
)
from chatdesk.desk.agents import find_agent_by_email
from chatdesk.desk.departments import (
    create_department,
    find_department,
    join_department,
    leave_department,
    list_departments,
)
from chatdesk.desk.transactions import Tx
from chatdesk.errors import ApiError, not_found

departments = typer.Typer(
    help="Manage departments. An agent in no department serves the default one; "
         "an agent added to departments serves only those.",
    no_args_is_help=True,
)

DepartmentArgument = typer.Argument(..., metavar="DEPT", help="The department's name or id.")
AgentEmailArgument = typer.Argument(..., metavar="AGENT_EMAIL", help="The agent's email.")


class Mode(StrEnum):
    auto = "auto"
    broadcast = "broadcast"


@departments.command("list")
def department_list(data_dir: str = DataDirOption, as_json: bool = JsonOption) -> None:
    """List departments, the default one first."""
    rows = with_database(load_settings(data_dir=data_dir), list_departments)
    if as_json:
        return print_json(rows)
    table = Table("id", "name", "mode", "accept timeout", "default")
    for row in rows:
        table.add_row(str(row["id"]), row["name"], row["routing_mode"], f"{row['accept_timeout_s']} s",
                      "yes" if row["is_default"] else "")
    console.print(table)


@departments.command("create")
def department_create(
    name: str,
    mode: Mode = typer.Option(Mode.auto, "--mode", help="auto: offer to one agent at a time; broadcast: all see it."),
    accept_timeout: int = typer.Option(30, "--accept-timeout", min=5, max=3600,
                                       help="Seconds an offer waits for an accept (auto mode)."),
    data_dir: str = DataDirOption,
    as_json: bool = JsonOption,
) -> None:
    """Create a department."""
    department = with_database(
        load_settings(data_dir=data_dir),
        lambda conn: create_department(conn, name=name, routing_mode=mode.value, accept_timeout_s=accept_timeout),
    )
    if as_json:
        return print_json(department)
    console.print(f"Created department [bold]{department['name']}[/bold] ({department['id']}).")


async def _department_and_agent(conn: AsyncConnection, department: str, email: str) -> tuple[dict[str, Any], Any]:
    """The department (by name or id) and the account (by email); 404 naming whichever is unknown."""
    found = await find_department(conn, department)
    agent = await find_agent_by_email(conn, email)
    if agent is None:
        raise not_found(f"account with email {email}")
    return found, agent


@departments.command("add-agent")
def department_add_agent(department: str = DepartmentArgument, email: str = AgentEmailArgument,
                         data_dir: str = DataDirOption) -> None:
    """Make an agent a member of a department: they take its chats (waiting ones at once)."""
    async def add(tx: Tx) -> str:
        found, agent = await _department_and_agent(tx.conn, department, email)
        await join_department(tx, found["id"], agent.id)
        return found["name"]

    name = with_desk(load_settings(data_dir=data_dir), add)
    console.print(f"[bold]{email}[/bold] now takes chats of [bold]{name}[/bold].")


@departments.command("remove-agent")
def department_remove_agent(department: str = DepartmentArgument, email: str = AgentEmailArgument,
                            data_dir: str = DataDirOption) -> None:
    """End an agent's membership of a department."""
    async def remove(tx: Tx) -> str:
        found, agent = await _department_and_agent(tx.conn, department, email)
        if not await leave_department(tx, found["id"], agent.id):
            raise ApiError(409, f"{email} is not a member of {found['name']}.")
        return found["name"]

    name = with_desk(load_settings(data_dir=data_dir), remove)
    console.print(f"[bold]{email}[/bold] no longer takes chats of [bold]{name}[/bold].")
