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
from chatdesk.desk.auth.supabase import SupabaseTokens
from chatdesk.desk.closing_time import ClosingTime
from chatdesk.desk.files.cleanup import FileJanitor
from chatdesk.desk.files.storage import Storage, storage_for
from chatdesk.desk.mail.imap import MailboxReader
from chatdesk.desk.mail.sender import MailSender
from chatdesk.desk.privacy.files import FileDeleter
from chatdesk.desk.privacy.retention import RetentionJob
from chatdesk.desk.queue_places import QueuePlaces
from chatdesk.desk.ratelimits import Counters
from chatdesk.desk.routing import Router
from chatdesk.desk.supervision import SupervisionSignal
from chatdesk.desk.thread import Appends
from chatdesk.desk.transactions import Transactions
from chatdesk.desk.webhooks.queue import Subscriptions
from chatdesk.desk.webhooks.sender import WebhookSender
from chatdesk.realtime.connect import MasterWatch, open_redis
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
    appends: Appends  # the usual message, group-committed
    router: Router
    mail: MailSender
    webhooks: WebhookSender
    subscriptions: Subscriptions  # which events some webhook endpoint wants
    supabase: SupabaseTokens | None  # agents sign in with Supabase (settings.supabase_sign_in)


class _Background(Protocol):
    """A part with background tasks, started with the app and stopped after it."""

    def start(self) -> None: ...

    async def stop(self) -> None: ...


@asynccontextmanager
async def open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """Open the pools and start the background tasks for the life of the app; stop them after."""
    engine = create_engine(settings.required("database_url"), pool_size=settings.db_pool_size)
    redis_url = settings.required("redis_url")
    redis = open_redis(redis_url, max_connections=REDIS_MAX_CONNECTIONS, timeout=5, health_check_interval=30)
    # The limiter borrows the same pool: one way to the master, whatever REDIS_URL names.
    storage = RedisStorage("async+redis://", implementation="redispy", key_prefix="chatdesk:limits",
                           connection_pool=redis.connection_pool)
    streams = Streams(redis)
    hub = Hub(redis, streams)
    outbox = Outbox(engine, streams)
    queue_places = QueuePlaces(engine, redis, streams)
    transaction = Transactions(engine, outbox)
    router = Router(settings, engine, redis, streams, hub, transaction)
    transaction.after_commit(lambda tx: queue_places.changed(tx.changed_queues))
    transaction.after_commit(router.changed)
    mail = MailSender(settings, engine)
    transaction.after_commit(mail.changed)
    subscriptions = Subscriptions(engine)
    transaction.before_commit(subscriptions.enqueue, wants=subscriptions.wants)
    webhooks = WebhookSender(settings, engine)
    transaction.after_commit(webhooks.changed)
    supervision = SupervisionSignal(engine, redis, streams)
    transaction.after_commit(supervision.changed)
    files = storage_for(settings)
    file_deleter = FileDeleter(engine, files)
    transaction.after_commit(file_deleter.changed)
    runtime = Runtime(
        settings=settings, engine=engine, redis=redis, limiter=MovingWindowRateLimiter(storage),
        counters=Counters(redis), secret=settings.secret(), streams=streams, outbox=outbox,
        hub=hub, open_streams=StreamRegistry(hub, streams, settings.sse_max_streams),
        presence=PresenceTracker(redis), storage=files, queue_places=queue_places,
        transaction=transaction, appends=Appends(transaction), router=router, mail=mail, webhooks=webhooks,
        subscriptions=subscriptions,
        supabase=SupabaseTokens(settings) if settings.supabase_sign_in else None,
    )
    background: list[_Background] = [
        MasterWatch(redis), runtime.outbox, runtime.hub, runtime.open_streams, runtime.presence, runtime.queue_places,
        runtime.router, runtime.mail, MailboxReader(settings, transaction, runtime.storage), subscriptions, webhooks,
        supervision, FileJanitor(engine, runtime.storage), file_deleter,
        RetentionJob(transaction, settings.retention_days), ClosingTime(engine, transaction)]
    for part in background:
        part.start()
    try:
        yield runtime
    finally:
        for part in reversed(background):
            await part.stop()
        await redis.aclose()
        await engine.dispose()
