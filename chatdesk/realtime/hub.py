"""One hub per process: a single Redis pub/sub connection feeding every local SSE stream.

Connections never multiply: however many clients this process serves, the hub holds one
subscription connection. Each SSE stream registers the stream it follows and gets a bounded
queue. After the pub/sub connection is lost and regained, or when the epoch changes (Redis lost
its data), every queue gets `CATCH_UP`: the stream compares its epoch with the hub's and replays
from its last id, or tells its client to `resync`. When the stream must end (its client left, or
the server is stopping), `CLOSED`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

import redis.asyncio as aioredis

from chatdesk.metrics import DELIVERY
from chatdesk.periodic import stop_tasks
from chatdesk.realtime.streams import Streams, id_tuple, live_channel, parse_live, stream_of_channel

log = logging.getLogger(__name__)

# A client this far behind is dropped rather than buffered; it reconnects and replays.
QUEUE_LIMIT = 2000
# How often the hub checks that Redis still holds the epoch it knows.
EPOCH_CHECK_S = 2.0
# The longest wait between attempts to regain the pub/sub connection: an attempt costs one
# connect, and every open stream of the process is deaf until one succeeds.
RECONNECT_MAX_S = 0.5

CATCH_UP = object()
OVERFLOW = object()
CLOSED = object()


@dataclass(eq=False)
class Subscription:
    stream: str
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT + 1))

    def put(self, item: object) -> None:
        if self.queue.full():
            return  # OVERFLOW or CLOSED is last in line already: the stream ends there
        if self.queue.qsize() >= QUEUE_LIMIT and item is not CLOSED:
            item = OVERFLOW
        self.queue.put_nowait(item)


class Hub:
    """Routes live notifications from Redis to the SSE streams of this process."""

    def __init__(self, redis: aioredis.Redis, streams: Streams) -> None:
        self.redis = redis
        self.streams = streams
        self.epoch: str | None = None
        self._subs: dict[str, set[Subscription]] = defaultdict(set)
        self._confirmed: dict[str, asyncio.Event] = {}
        self._pubsub: aioredis.client.PubSub | None = None
        self._tasks: list[asyncio.Task] = []
        self._stopping = False
        self._streams_closed = False
        self.connected = asyncio.Event()

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._watch_epoch())]

    async def stop(self) -> None:
        self._stopping = True
        if self._pubsub is not None:
            # Closing the connection wakes the listener: a blocked pub/sub read does not always
            # notice a plain cancel.
            await self._pubsub.aclose()
        await stop_tasks(self._tasks)

    async def subscribe(self, stream: str) -> Subscription:
        """Follow a stream; returns once Redis confirmed the subscription (subscribe, then replay)."""
        sub = Subscription(stream)
        if self._streams_closed:
            sub.put(CLOSED)
        channel = live_channel(stream)
        first = not self._subs[stream]
        self._subs[stream].add(sub)
        if first:
            self._confirmed[channel] = asyncio.Event()
        await self.connected.wait()
        if first and self._pubsub is not None:
            await self._pubsub.subscribe(channel)
        await self._confirmed[channel].wait()
        return sub

    async def unsubscribe(self, sub: Subscription) -> None:
        subs = self._subs.get(sub.stream)
        if not subs:
            return
        subs.discard(sub)
        if not subs:
            del self._subs[sub.stream]
            channel = live_channel(sub.stream)
            self._confirmed.pop(channel, None)
            if self._pubsub is not None and self.connected.is_set():
                # On failure the next reconnect subscribes only to what is still wanted.
                with contextlib.suppress(aioredis.ConnectionError, aioredis.TimeoutError):
                    await self._pubsub.unsubscribe(channel)

    def close_streams(self) -> None:
        """End every stream of this process, and any that subscribes from now on (the server is
        stopping: `web/http_protocol.py` calls this). Calling it again does nothing."""
        if self._streams_closed:
            return
        self._streams_closed = True
        self._broadcast(CLOSED)

    def _broadcast(self, item: object) -> None:
        for subs in self._subs.values():
            for sub in subs:
                sub.put(item)

    async def _listen(self) -> None:
        backoff = 0.1
        while not self._stopping:
            try:
                self._pubsub = self.redis.pubsub()
                channels = [live_channel(stream) for stream in self._subs]
                for channel in channels:
                    self._confirmed.setdefault(channel, asyncio.Event())
                await self._pubsub.subscribe("chatdesk:live:-")  # keeps the connection in pub/sub mode
                if channels:
                    await self._pubsub.subscribe(*channels)
                first_connect = self.epoch is None
                self.epoch = await self.streams.epoch()  # a new one if Redis came back empty
                self.connected.set()
                if not first_connect:
                    self._broadcast(CATCH_UP)  # notifications may have been missed while away
                backoff = 0.1
                async for message in self._pubsub.listen():
                    self._dispatch(message)
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis went away: reconnect with backoff
                if self._stopping:
                    return
                log.warning("hub lost its Redis subscription; reconnecting", exc_info=True)
                self.connected.clear()
                for event in self._confirmed.values():
                    event.clear()
                if self._pubsub is not None:
                    with contextlib.suppress(Exception):  # the connection is lost already
                        await self._pubsub.aclose()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, RECONNECT_MAX_S)

    def _dispatch(self, message: dict) -> None:
        channel = message["channel"].decode()
        if message["type"] == "subscribe":
            confirmed = self._confirmed.get(channel)
            if confirmed is not None:
                confirmed.set()
            return
        if message["type"] != "message":
            return
        event = parse_live(message["data"])
        if event.stream_id is not None:
            DELIVERY.observe(max(0.0, time.time() - id_tuple(event.stream_id)[0] / 1000))
        if event.epoch is not None and event.epoch != self.epoch:
            self.epoch = event.epoch
            self._broadcast(CATCH_UP)
            return
        for sub in self._subs.get(stream_of_channel(channel), ()):
            sub.put(event)

    async def _watch_epoch(self) -> None:
        while True:
            await asyncio.sleep(EPOCH_CHECK_S)
            if not self.connected.is_set():
                continue
            try:
                epoch = await self.streams.epoch()
            except Exception:  # noqa: BLE001 - the listener handles reconnects
                continue
            if epoch != self.epoch:
                self.epoch = epoch
                self._broadcast(CATCH_UP)
