"""The async engine: asyncpg under SQLAlchemy Core, whatever URL form the operator gave."""

from __future__ import annotations

import orjson
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


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


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An engine with a bounded pool that checks connections before use."""
    return create_async_engine(
        asyncpg_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
        json_serializer=_json_text,
        json_deserializer=orjson.loads,
    )


def _json_text(value: object) -> str:
    return orjson.dumps(value, default=str, option=orjson.OPT_UTC_Z).decode()
