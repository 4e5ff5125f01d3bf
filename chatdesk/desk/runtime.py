"""The long-lived parts a process shares across requests: database, Redis, limiter, real-time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio as aioredis
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from sqlalchemy.ext.asyncio import AsyncEngine

from chatdesk.config import Settings
from chatdesk.db.engine import create_engine
from chatdesk.desk.files.cleanup import FileJanitor
from chatdesk.desk.files.storage import Storage, storage_for
from chatdesk.desk.queue_places import QueuePlaces
from chatdesk.desk.ratelimits import Counters
from chatdesk.desk.routing import Router
from chatdesk.desk.transactions import Transactions
from chatdesk.realtime.hub import Hub
from chatdesk.realtime.outbox import Outbox
from chatdesk.realtime.presence import PresenceTracker
from chatdesk.realtime.registry import StreamRegistry
from chatdesk.realtime.streams import Streams

# Redis connections per process, whatever the number of open event streams: the hub holds one,
# requests borrow the rest briefly.
REDIS_MAX_CONNECTIONS = 64


@dataclass
class Runtime:
    """The long-lived parts of one serving process, built once at start-up: handed to every view
    (through the request's app state), never reached through globals."""

    settings: Settings
    engine: AsyncEngine
    redis: aioredis.Redis
    limiter: MovingWindowRateLimiter  # sign-in throttling: exact, and off the hot path
    counters: Counters  # send, upload and offline limits: one Redis round trip each
    secret: str
    streams: Streams
    outbox: Outbox
    hub: Hub
    open_streams: StreamRegistry
    presence: PresenceTracker
    storage: Storage
    queue_places: QueuePlaces
    transaction: Transactions
    router: Router


class _Background(Protocol):
    """A part with background tasks, started with the app and stopped after it."""

    def start(self) -> None: ...

    async def stop(self) -> None: ...


@asynccontextmanager
async def open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """Open the pools and start the background tasks for the life of the app; stop them after."""
    engine = create_engine(settings.required("database_url"), pool_size=settings.db_pool_size)
    redis_url = settings.required("redis_url")
    redis = aioredis.Redis(connection_pool=aioredis.BlockingConnectionPool.from_url(
        redis_url, max_connections=REDIS_MAX_CONNECTIONS, timeout=5, health_check_interval=30))
    storage = RedisStorage("async+" + redis_url, implementation="redispy", key_prefix="chatdesk:limits")
    streams = Streams(redis)
    hub = Hub(redis, streams)
    outbox = Outbox(engine, streams)
    queue_places = QueuePlaces(engine, redis, streams)
    transaction = Transactions(engine, outbox)
    router = Router(settings, engine, redis, streams, hub, transaction)
    transaction.after_commit(lambda tx: queue_places.changed(tx.changed_queues))
    transaction.after_commit(router.changed)
    runtime = Runtime(
        settings=settings, engine=engine, redis=redis, limiter=MovingWindowRateLimiter(storage),
        counters=Counters(redis), secret=settings.secret(), streams=streams, outbox=outbox,
        hub=hub, open_streams=StreamRegistry(hub, streams, settings.sse_max_streams),
        presence=PresenceTracker(redis), storage=storage_for(settings), queue_places=queue_places,
        transaction=transaction, router=router,
    )
    background: list[_Background] = [
        runtime.outbox, runtime.hub, runtime.open_streams, runtime.presence, runtime.queue_places,
        runtime.router, FileJanitor(engine, runtime.storage)]
    for part in background:
        part.start()
    try:
        yield runtime
    finally:
        for part in reversed(background):
            await part.stop()
        await redis.aclose()
        await engine.dispose()
