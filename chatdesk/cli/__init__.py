"""The `chatdesk` command line. It imports the app; the app never imports it."""

from __future__ import annotations

import logging

import typer

from chatdesk.cli import accounts, bench, departments, doctor, loadtest, migrations, running, settings_cmd

app = typer.Typer(help="chatdesk: self-hosted live chat for customer support.", no_args_is_help=True,
                  pretty_exceptions_show_locals=False)
app.command("up")(running.up)
app.command("serve")(running.serve)
app.command("migrate")(migrations.migrate)
app.command("doctor")(doctor.doctor)
app.command("loadtest")(loadtest.loadtest)
app.add_typer(accounts.users, name="user")
app.add_typer(accounts.widgets, name="widget")
app.add_typer(departments.departments, name="department")
app.add_typer(settings_cmd.config, name="config")
app.add_typer(bench.bench, name="bench")


def main() -> None:
    """Entry point of the `chatdesk` console script."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app()
