"""`chatdesk mail ...`: try the SMTP settings, see what waits in the mail queue."""

from __future__ import annotations

import asyncio
from email.utils import parseaddr

import typer

from chatdesk.cli.common import DataDirOption, JsonOption, console, errors, load_settings, print_json, with_database
from chatdesk.desk.mail.queue import mail_status
from chatdesk.desk.mail.sender import send_now
from chatdesk.desk.mail.smtp import explain
from chatdesk.desk.mail.templates import trial_message

mail = typer.Typer(help="Email: send a test message, show the queue.", no_args_is_help=True)

NOT_SET_UP = "Email is not set up: set CHATDESK_SMTP_URL and CHATDESK_MAIL_FROM (see README, Configuration)."


@mail.command("test")
def mail_test(address: str = typer.Argument(..., help="Where to send the test message.")) -> None:
    """Send a test message now through the configured SMTP server, and say how it went."""
    settings = load_settings()
    server, sender = settings.smtp, settings.mail_from
    if server is None or sender is None:
        errors.print(f"[red]Error:[/red] {NOT_SET_UP}")
        raise typer.Exit(1)
    if "@" not in parseaddr(address)[1]:
        errors.print(f"[red]Error:[/red] {address!r} is not an email address.")
        raise typer.Exit(1)
    try:
        message_id = asyncio.run(send_now(settings, server, sender, address, trial_message(settings.base_url)))
    except Exception as error:  # noqa: BLE001 - every SMTP failure is the answer, in plain words
        errors.print(f"[red]Not sent:[/red] {explain(error, server)}")
        raise typer.Exit(1) from None
    console.print(f"Sent a test message to {address} through {server}. Message-ID: {message_id}")


@mail.command("status")
def status(data_dir: str = DataDirOption, as_json: bool = JsonOption) -> None:
    """Whether email is set up, how many mails wait or failed, and the latest error."""
    settings = load_settings(data_dir=data_dir)
    state = with_database(settings, lambda conn: mail_status(conn, settings))
    if as_json:
        return print_json(state)
    console.print(f"email: {'set up, ' + str(state['smtp']) if state['configured'] else NOT_SET_UP}")
    console.print(f"queued: {state['queued']}, failed: {state['failed']}")
    replies = f"read from {state['imap']}" if state["imap"] else "not read (CHATDESK_IMAP_URL)"
    console.print(f"replies by mail: {replies}")
    if state["last_error"]:
        console.print(f"latest error ({state['last_error']['at']:%Y-%m-%d %H:%M:%S} UTC, "
                      f"to {state['last_error']['to']}): {state['last_error']['message']}")
