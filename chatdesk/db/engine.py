"""The async engine: asyncpg under SQLAlchemy Core, whatever URL form the operator gave."""

from __future__ import annotations

import time

import orjson
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

# A pooled connection idle for longer than this is pinged before use, so one that PostgreSQL
# closed meanwhile (a restart, an idle timeout at a pooler) is replaced instead of failing a
# request. A busy pool skips the round trip: its connections were in use a moment ago (the rule
# pgbouncer follows with server_check_delay, 30 s by default).
PING_IF_IDLE_S = 10.0


def asyncpg_url(url: str) -> URL:
    """Accept `postgres://`, `postgresql://` or `postgresql+asyncpg://` and drive it with asyncpg."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"DATABASE_URL must be a PostgreSQL URL, got {parsed.drivername!r}")
    query = dict(parsed.query)
    # libpq spells TLS as sslmode (Supabase's strings do); asyncpg's dialect takes ssl.
    if "sslmode" in query:
        query["ssl"] = query.pop("sslmode")
    return parsed.set(drivername="postgresql+asyncpg", query=query)


def create_engine(url: str, *, pool_size: int = 10, ping_if_idle_s: float = PING_IF_IDLE_S) -> AsyncEngine:
    """An engine with a bounded pool that checks connections left idle before using them."""
    engine = create_async_engine(
        asyncpg_url(url),
        pool_size=pool_size,
        max_overflow=pool_size // 2,
        pool_recycle=1800,
        json_serializer=_json_text,
        json_deserializer=orjson.loads,
    )
    _ping_when_idle(engine, ping_if_idle_s)
    return engine


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
