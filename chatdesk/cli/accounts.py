"""`chatdesk user ...` and `chatdesk widget ...`"""

from __future__ import annotations

import uuid
from enum import StrEnum

import typer
from rich.table import Table

from chatdesk.cli.common import DataDirOption, JsonOption, console, load_settings, print_json, with_database
from chatdesk.desk.agents import create_agent, find_agent_by_email, list_agents, update_agent
from chatdesk.desk.auth.passwords import MIN_LENGTH, generate_password
from chatdesk.desk.widgets import create_widget, get_widget, list_widgets, snippet
from chatdesk.errors import not_found

users = typer.Typer(help="Manage agent and admin accounts.", no_args_is_help=True)
widgets = typer.Typer(help="Manage embeddable widgets.", no_args_is_help=True)


class Role(StrEnum):
    admin = "admin"
    supervisor = "supervisor"
    agent = "agent"


def _check_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise typer.BadParameter(f"must be at least {MIN_LENGTH} characters")
    return password


@users.command("create")
def user_create(
    email: str,
    name: str = typer.Option(..., "--name", help="Account name, as the team sees it."),
    display_name: str = typer.Option(None, "--display-name",
                                     help="The name customers see (default: the account name)."),
    role: Role = typer.Option(Role.agent, "--role"),
    password: str = typer.Option(..., "--password", prompt=True, hide_input=True, confirmation_prompt=True,
                                 callback=_check_password, help="Prompted for when omitted."),
    max_chats: int = typer.Option(3, "--max-chats", min=0, max=100),
    data_dir: str = DataDirOption,
    as_json: bool = JsonOption,
) -> None:
    """Create an agent or admin account."""
    agent = with_database(
        load_settings(data_dir=data_dir),
        lambda conn: create_agent(conn, email=email, name=name, role=role.value, password=password,
                                  max_chats=max_chats, display_name=display_name),
    )
    if as_json:
        return print_json(agent)
    console.print(f"Created {agent['role']} [bold]{agent['email']}[/bold] ({agent['id']}).")


@users.command("list")
def user_list(data_dir: str = DataDirOption, as_json: bool = JsonOption) -> None:
    """List accounts."""
    rows = with_database(load_settings(data_dir=data_dir), list_agents)
    if as_json:
        return print_json(rows)
    table = Table("email", "name", "role", "status", "max chats", "active")
    for row in rows:
        table.add_row(row["email"], row["name"], row["role"], row["status"], str(row["max_chats"]),
                      "yes" if row["is_active"] else "no")
    console.print(table)


@users.command("reset-password")
def user_reset_password(email: str, data_dir: str = DataDirOption, as_json: bool = JsonOption) -> None:
    """Give an account a new one-time password (to be changed at the next sign-in) and end its sessions."""
    password = generate_password()

    async def reset(conn) -> dict:
        row = await find_agent_by_email(conn, email)
        if row is None:
            raise not_found(f"account with email {email}")
        return await update_agent(conn, row.id, {"password": password})

    agent = with_database(load_settings(data_dir=data_dir), reset)
    if as_json:
        return print_json({"email": agent["email"], "password": password})
    console.print(f"New password for [bold]{agent['email']}[/bold]: [bold green]{password}[/bold green]")
    console.print("[dim]It is shown once and works for one sign-in, where a new password must be chosen; "
                  "their open sessions were signed out.[/dim]")


@widgets.command("create")
def widget_create(name: str, data_dir: str = DataDirOption, as_json: bool = JsonOption) -> None:
    """Create a widget and print its embed snippet."""
    settings = load_settings(data_dir=data_dir)
    widget = with_database(settings, lambda conn: create_widget(conn, name))
    code = snippet(settings.base_url, widget["id"])
    if as_json:
        return print_json({**widget, "snippet": code})
    console.print(f"Created widget [bold]{widget['name']}[/bold] ({widget['id']}). Embed it with:")
    console.print(code, markup=False, highlight=False, soft_wrap=True)


@widgets.command("list")
def widget_list(data_dir: str = DataDirOption, as_json: bool = JsonOption) -> None:
    """List widgets."""
    rows = with_database(load_settings(data_dir=data_dir), list_widgets)
    if as_json:
        return print_json(rows)
    table = Table("id", "name", "title", "allowed origins")
    for row in rows:
        table.add_row(str(row["id"]), row["name"], row["settings"]["title"],
                      ", ".join(row["allowed_origins"]) or "any")
    console.print(table)


@widgets.command("snippet")
def widget_snippet(widget_id: uuid.UUID, data_dir: str = DataDirOption) -> None:
    """Print the embed snippet of a widget."""
    settings = load_settings(data_dir=data_dir)
    widget = with_database(settings, lambda conn: get_widget(conn, widget_id))
    typer.echo(snippet(settings.base_url, widget["id"]))
