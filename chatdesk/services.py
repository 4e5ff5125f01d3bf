"""The long-lived parts a process shares across requests: database engine, Redis, limiter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import redis.asyncio as aioredis
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from sqlalchemy.ext.asyncio import AsyncEngine

from chatdesk.config import Settings
from chatdesk.db.engine import create_engine


@dataclass
class Services:
    """Handed to every view (through the request's app state), never reached through globals."""

    settings: Settings
    engine: AsyncEngine
    redis: aioredis.Redis
    limiter: MovingWindowRateLimiter
    secret: str


def _required(value, name: str) -> str:
    if value is None:
        raise RuntimeError(f"{name} is not set (chatdesk up starts embedded servers for you)")
    return value.get_secret_value()


@asynccontextmanager
async def open_services(settings: Settings) -> AsyncIterator[Services]:
    """Open the pools for the life of the app; close them on the way out."""
    engine = create_engine(_required(settings.database_url, "DATABASE_URL"), pool_size=settings.db_pool_size)
    redis_url = _required(settings.redis_url, "REDIS_URL")
    redis = aioredis.from_url(redis_url, health_check_interval=30)
    storage = RedisStorage(
        "async+" + redis_url, implementation="redispy", key_prefix="chatdesk:limits"
    )
    try:
        yield Services(settings, engine, redis, MovingWindowRateLimiter(storage), settings.secret())
    finally:
        await redis.aclose()
        await engine.dispose()
