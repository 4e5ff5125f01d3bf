"""The async engine: asyncpg under SQLAlchemy Core, whatever URL form the operator gave."""

from __future__ import annotations

import time

import asyncpg
import orjson
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from chatdesk.config import transaction_pooled

# A pooled connection idle for longer than this is pinged before use, so one that PostgreSQL
# closed meanwhile (a restart, an idle timeout at a pooler) is replaced instead of failing a
# request. A busy pool skips the round trip: its connections were in use a moment ago (the rule
# pgbouncer follows with server_check_delay, 30 s by default).
PING_IF_IDLE_S = 10.0
# Behind a pooler in transaction mode, one client connection meets a different server connection in
# each transaction: a statement prepared under a name in one may be missing from the next, or a name
# may be taken there by another client. So no statement is kept (asyncpg's cache and SQLAlchemy's
# off) and each is prepared unnamed (the empty name), which PostgreSQL replaces with the next one:
# asyncpg then sends Parse again with each Bind, and nothing is left behind on the server connection.
_NOTHING_PREPARED_FOR_LATER = {
    "statement_cache_size": 0,
    "prepared_statement_cache_size": 0,
    "prepared_statement_name_func": lambda: "",
}


def asyncpg_url(url: str) -> URL:
    """Accept `postgres://`, `postgresql://` or `postgresql+asyncpg://` and drive it with asyncpg."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"DATABASE_URL must be a PostgreSQL URL, got {parsed.drivername!r}")
    query = dict(parsed.query)
    query.pop("pgbouncer", None)  # ours (`transaction_pooled`), not a server setting
    # libpq spells TLS as sslmode (Supabase's strings do); asyncpg's dialect takes ssl.
    if "sslmode" in query:
        query["ssl"] = query.pop("sslmode")
    return parsed.set(drivername="postgresql+asyncpg", query=query)


def plain_url(url: str) -> str:
    """The URL as `asyncpg.connect` takes it."""
    return asyncpg_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def connect(url: str) -> asyncpg.Connection:
    """One asyncpg connection without SQLAlchemy (benches that write their data in bulk, tests that pin
    times), keeping no prepared statement behind a transaction pooler."""
    options = {"statement_cache_size": 0} if transaction_pooled(url) else {}
    return await asyncpg.connect(plain_url(url), **options)


def create_engine(url: str, *, pool_size: int = 10, ping_if_idle_s: float = PING_IF_IDLE_S) -> AsyncEngine:
    """An engine with a pool of at most `pool_size` connections, kept open, that checks connections
    left idle before using them, and that keeps no prepared statement when the URL goes through a
    transaction pooler (`transaction_pooled`).

    No overflow: SQLAlchemy closes an overflow connection as soon as it is returned, so a load
    that keeps a few more requests in flight than the pool holds opened and closed some thirty
    connections a second (a PostgreSQL backend forked, its caches and our prepared statements
    built again each time). A request that finds every connection taken waits for one instead."""
    engine = create_async_engine(
        asyncpg_url(url),
        pool_size=pool_size,
        max_overflow=0,
        pool_recycle=1800,
        json_serializer=_json_text,
        json_deserializer=orjson.loads,
        connect_args=_NOTHING_PREPARED_FOR_LATER if transaction_pooled(url) else {},
    )
    _ping_when_idle(engine, ping_if_idle_s)
    return engine


async def driver_connection(conn: AsyncConnection) -> asyncpg.Connection:
    """The asyncpg connection under `conn`, for a hot statement run without SQLAlchemy's layers.

    Only on a connection outside a transaction (`engine.connect()` with no statement run yet): each
    statement there commits by itself, and SQLAlchemy, which began nothing, has nothing to end."""
    if conn.in_transaction():
        raise RuntimeError("driver_connection is for one-statement transactions on a fresh connection")
    return (await conn.get_raw_connection()).driver_connection


def _ping_when_idle(engine: AsyncEngine, idle_s: float) -> None:
    """SQLAlchemy's pessimistic disconnect handling, for connections idle longer than `idle_s`."""
    pool_events = engine.sync_engine.pool

    @event.listens_for(pool_events, "checkin")
    def _idle_from(dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(pool_events, "checkout")
    def _ping_if_idle(dbapi_connection, record, proxy) -> None:
        if time.monotonic() - record.info.get("idle_since", float("inf")) <= idle_s:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # any failure means this connection is gone
            # The pool discards this connection and checks out (or opens) another.
            raise exc.DisconnectionError() from error


def _json_text(value: object) -> str:
    return orjson.dumps(value, default=str, option=orjson.OPT_UTC_Z).decode()
