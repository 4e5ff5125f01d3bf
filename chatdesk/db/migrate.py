"""Alembic, driven from code: the CLI, `chatdesk up` and the tests all go through here."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from chatdesk.db.engine import create_engine
from chatdesk.db.tables import SCHEMA
from chatdesk.resources import resource_dir


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """What autogenerate compares: our schema only, without alembic's own version table."""
    if type_ == "schema":
        return name == SCHEMA
    return not (type_ == "table" and name == "alembic_version")


def alembic_config(database_url: str) -> Config:
    """An alembic Config for our migrations directory and the given database."""
    config = Config()
    config.set_main_option("script_location", str(resource_dir("migrations")))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision`."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    """Revert migrations down to `revision`."""
    command.downgrade(alembic_config(database_url), revision)


@dataclass(frozen=True)
class MigrationStatus:
    current: str | None
    head: str | None  # None only for a package that ships no migration
    pending: list[str]

    @property
    def at_head(self) -> bool:
        return self.current == self.head


def status(database_url: str) -> MigrationStatus:
    """Where the database stands against the migrations this code ships."""
    script = ScriptDirectory.from_config(alembic_config(database_url))
    head = script.get_current_head()
    current = asyncio.run(_current_revision(database_url))
    pending = [
        rev.revision
        for rev in script.iterate_revisions(head, current or "base")
        if rev.revision != current
    ]
    return MigrationStatus(current=current, head=head, pending=list(reversed(pending)))



async def _current_revision(database_url: str) -> str | None:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            has_schema = (
                await connection.execute(
                    text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": SCHEMA}
                )
            ).first()
            if not has_schema:
                return None
            return await connection.run_sync(
                lambda sync: MigrationContext.configure(
                    sync, opts={"version_table_schema": SCHEMA}
                ).get_current_revision()
            )
    finally:
        await engine.dispose()
