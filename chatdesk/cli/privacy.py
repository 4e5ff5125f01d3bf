"""`chatdesk privacy ...`: export or erase what is kept about a visitor (docs/api.md, Privacy)."""

from __future__ import annotations

from pathlib import Path

import typer

from chatdesk.cli.common import (
    DataDirOption,
    JsonOption,
    console,
    load_settings,
    print_json,
    with_database,
    with_transactions,
)
from chatdesk.desk.audit import record_admin_action
from chatdesk.desk.files.storage import storage_for
from chatdesk.desk.privacy.erasure import erase
from chatdesk.desk.privacy.export import export_zip
from chatdesk.desk.privacy.files import delete_due_files
from chatdesk.desk.transactions import Transactions

privacy = typer.Typer(help="Privacy requests: export or erase a visitor's data.", no_args_is_help=True)

VisitorArgument = typer.Argument(..., metavar="VISITOR", help="A visitor's id, or an email address (every "
                                 "visitor who gave it, and its tickets and mails).")


@privacy.command("export")
def export(who: str = VisitorArgument,
           out: Path = typer.Option(..., "--out", help="The zip to write (visitor.json and the files)."),
           data_dir: str = DataDirOption) -> None:
    """Write everything kept about a visitor to a zip."""
    settings = load_settings(data_dir=data_dir)

    async def work(conn) -> bytes:
        archive = await export_zip(conn, storage_for(settings), who)
        await record_admin_action(conn, None, "privacy.export", "visitor", who if "@" not in who else "", {})
        return archive

    out.write_bytes(with_database(settings, work))
    console.print(f"Wrote {out}.")


@privacy.command("erase")
def erase_command(who: str = VisitorArgument,
                  yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
                  data_dir: str = DataDirOption, as_json: bool = JsonOption) -> None:
    """Erase a visitor's personal data, chats, tickets, mails and files (cannot be undone)."""
    if not yes:
        typer.confirm(f"Erase everything kept about {who}? This cannot be undone", abort=True)
    settings = load_settings(data_dir=data_dir)

    async def work(transaction: Transactions) -> dict:
        counts = await erase(transaction, who, None)
        storage = storage_for(settings)
        while sum(await delete_due_files(transaction.engine, storage)):  # a failure is left for the servers
            pass
        return counts

    counts = with_transactions(settings, work)
    if as_json:
        return print_json(counts)
    console.print("Erased " + ", ".join(f"{count} {what}" for what, count in counts.items()) + ".")
