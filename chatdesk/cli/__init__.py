"""The `chatdesk` command line. It imports the app; the app never imports it."""

from __future__ import annotations

import logging

import typer

from chatdesk.cli import (
    accounts,
    backup,
    bench,
    departments,
    doctor,
    loadtest,
    mail,
    migrations,
    privacy,
    report,
    running,
    settings_cmd,
)

app = typer.Typer(help="chatdesk: self-hosted live chat for customer support.", no_args_is_help=True,
                  pretty_exceptions_show_locals=False)
app.command("up")(running.up)
app.command("serve")(running.serve)
app.command("migrate")(migrations.migrate)
app.command("doctor")(doctor.doctor)
app.command("loadtest")(loadtest.loadtest)
app.command("report")(report.report)
app.command("backup")(backup.backup)
app.command("restore")(backup.restore)
app.add_typer(accounts.users, name="user")
app.add_typer(accounts.widgets, name="widget")
app.add_typer(departments.departments, name="department")
app.add_typer(settings_cmd.config, name="config")
app.add_typer(bench.bench, name="bench")
app.add_typer(mail.mail, name="mail")
app.add_typer(privacy.privacy, name="privacy")


def main() -> None:
    """Entry point of the `chatdesk` console script."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app()
