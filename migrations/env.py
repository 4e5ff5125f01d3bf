"""Alembic environment: async engine (asyncpg), everything in the `chatdesk` schema."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text

from chatdesk.db.engine import create_engine
from chatdesk.db.migrate import include_name
from chatdesk.db.tables import SCHEMA, metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table_schema=SCHEMA,
        include_schemas=True,
        include_name=include_name,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online(url: str) -> None:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
            await connection.commit()
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


asyncio.run(_run_online(context.config.attributes["database_url"]))
