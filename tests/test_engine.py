"""The engine's pool: a connection PostgreSQL closed while it sat idle is replaced, not used; the pool
never opens more connections than its size."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from chatdesk.db.engine import create_engine
from tests.conftest import TEST_PGBOUNCER

# Behind PgBouncer a server connection killed is the pooler's to replace: the client's connection
# to the pooler lives on, and `pg_backend_pid()` names whichever server connection a transaction got.
pytestmark = pytest.mark.skipif(bool(TEST_PGBOUNCER), reason="tests a direct connection to PostgreSQL")


async def _backend_pid(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()


async def test_a_connection_closed_while_idle_is_replaced_before_use(database_url):
    engine = create_engine(database_url, pool_size=1, ping_if_idle_s=0.2)
    killer = create_engine(database_url, pool_size=1)
    try:
        first = await _backend_pid(engine)
        async with killer.connect() as conn:  # as a PostgreSQL restart or a pooler's idle timeout would
            assert (await conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": first})).scalar_one()
        await asyncio.sleep(0.3)  # idle past the threshold: elapsed time is what this tests
        assert await _backend_pid(engine) != first
    finally:
        await engine.dispose()
        await killer.dispose()


async def test_a_connection_in_steady_use_is_not_pinged(database_url):
    engine = create_engine(database_url, pool_size=1, ping_if_idle_s=60)
    killer = create_engine(database_url, pool_size=1)
    try:
        first = await _backend_pid(engine)
        async with killer.connect() as conn:
            await conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        # Used a moment ago, so no ping: the dead connection surfaces as an error (and the pool
        # then replaces it), which shows the busy path pays no extra round trip.
        with pytest.raises(sa.exc.DBAPIError) as raised:
            await _backend_pid(engine)
        assert raised.value.connection_invalidated
        assert await _backend_pid(engine) != first
    finally:
        await engine.dispose()
        await killer.dispose()


async def test_more_requests_than_connections_wait_for_one_and_open_no_more(database_url):
    # An overflow connection is closed as soon as it is returned: a load a little over the pool
    # opened and closed connections all the time (a PostgreSQL backend forked for each).
    engine = create_engine(database_url, pool_size=2)
    opened = []
    sa.event.listen(engine.sync_engine, "connect", lambda dbapi_connection, record: opened.append(record))
    try:
        for _ in range(3):
            pids = await asyncio.gather(*(_backend_pid(engine) for _ in range(10)))
            assert len(set(pids)) <= 2
        assert len(opened) == 2
    finally:
        await engine.dispose()
