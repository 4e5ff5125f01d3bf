"""Queue places: each waiting visitor's place and wait estimate, and the queue as agents see it.

A transaction that changes a queue (a chat starts, is offered back, assigned, ended, transferred
or re-prioritised) only marks its department; after commit a background task reads the queue
afresh and tells each waiting visitor whose place or estimate moved (`chat.queued`) and every
agent when the queue itself changed (`queue.updated`). All processes together refresh a
department at most once per `THROTTLE_S`, taking turns through a Redis key, so a burst of
changes costs one read and one event per visitor who moved, not one per change per visitor.
What each visitor was last told lives in Redis too, shared by every process.

A process that dies between a commit and its refresh leaves the news to the department's next
change or to the sweep that refreshes every department each `SWEEP_EVERY_S`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Iterable
from typing import Any

import redis.asyncio as aioredis
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from chatdesk.db.tables import chats, departments
from chatdesk.desk.chats import CHAT_QUERY, all_agent_streams, chat_json, wait_estimate
from chatdesk.desk.events import declared
from chatdesk.periodic import every, stop_tasks
from chatdesk.realtime.streams import Streams, encode_data, visitor_stream

log = logging.getLogger(__name__)

THROTTLE_S = 0.5
# The turn is held this long while a refresh runs: a process that dies mid-refresh frees it then.
GUARD_S = 10.0
SWEEP_EVERY_S = 10.0
RETRY_AFTER_FAILURE_S = 1.0
TOLD_TTL_S = 24 * 3600
QUEUE_FIELD = b"queue"

_WAITING = (CHAT_QUERY.where(chats.c.department_id == sa.bindparam("department_id"), chats.c.status == "queued")
            .order_by(chats.c.priority.desc(), chats.c.created_at))


def _turn_key(department_id: str) -> str:
    return f"chatdesk:queue:turn:{department_id}"


def _told_key(department_id: str) -> str:
    return f"chatdesk:queue:told:{department_id}"


class QueuePlaces:
    """Runs in every process: refreshes the departments its own transactions changed, and sweeps."""

    def __init__(self, engine: AsyncEngine, redis: aioredis.Redis, streams: Streams) -> None:
        self.engine = engine
        self.redis = redis
        self.streams = streams
        self._dirty: set[str] = set()
        self._not_before: dict[str, float] = {}  # when another process's turn on a department ends
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    def changed(self, department_ids: Iterable[Any]) -> None:
        """Mark departments whose queue a committed transaction changed."""
        fresh = {str(department) for department in department_ids} - self._dirty
        if fresh:
            self._dirty |= fresh
            self._wake.set()

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._run()),
                       asyncio.create_task(every(SWEEP_EVERY_S, self._mark_all, "queue places sweep"))]

    async def stop(self) -> None:
        await stop_tasks(self._tasks)

    async def _mark_all(self) -> None:
        async with self.engine.connect() as conn:
            self.changed((await conn.execute(sa.select(departments.c.id))).scalars())

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            now = time.monotonic()
            due = [d for d in self._dirty if self._not_before.get(d, 0) <= now]
            for department in due:
                await self._refresh_on_turn(department)
            waits = [self._not_before.get(d, 0) - time.monotonic() for d in self._dirty]
            if not waits:
                await self._wake.wait()
            elif min(waits) > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), min(waits))

    async def _refresh_on_turn(self, department_id: str) -> None:
        """Refresh the department if no process did within `THROTTLE_S`; else note when to try again."""
        key = _turn_key(department_id)
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.set(key, b"1", nx=True, px=int(GUARD_S * 1000))
                pipe.pttl(key)
                got_turn, ttl_ms = await pipe.execute()
            if not got_turn:
                self._not_before[department_id] = time.monotonic() + max(ttl_ms, 10) / 1000
                return
            self._dirty.discard(department_id)  # a change committed from here on needs another turn
            try:
                await self.refresh(department_id)
            finally:
                await self.redis.set(key, b"1", px=int(THROTTLE_S * 1000))
            self._not_before[department_id] = time.monotonic() + THROTTLE_S
        except Exception:  # PostgreSQL or Redis trouble passes; the department stays marked
            log.warning("queue places of department %s failed; trying again", department_id, exc_info=True)
            self._dirty.add(department_id)
            self._not_before[department_id] = time.monotonic() + RETRY_AFTER_FAILURE_S

    async def refresh(self, department_id: str) -> None:
        """Tell the department's waiting visitors whose place or estimate moved since they were last
        told, and every agent if the queue (its chats, order or offers) changed."""
        async with self.engine.connect() as conn:
            waiting = (await conn.execute(_WAITING, {"department_id": department_id})).all()
            estimate_for = await wait_estimate(conn, department_id)
            key = _told_key(department_id)
            told = await self.redis.hgetall(key)
            now: dict[bytes, bytes] = {}
            events = []
            for position, row in enumerate(waiting, start=1):
                estimate = estimate_for(position)
                field, mark = str(row.id).encode(), f"{position}:{estimate}".encode()
                now[field] = mark
                if told.get(field) != mark:
                    chat = chat_json(row, position, estimate, for_visitor=True)
                    place = encode_data({"chat": chat})
                    events.append((visitor_stream(row.visitor_id), declared("chat.queued"), place))
            now[QUEUE_FIELD] = hashlib.blake2b(
                repr([(row.id, row.priority, row.offered_to_id) for row in waiting]).encode(), digest_size=16
            ).hexdigest().encode()
            if told.get(QUEUE_FIELD) != now[QUEUE_FIELD]:
                update = encode_data({"department_id": department_id, "waiting": len(waiting)})
                events += [(stream, declared("queue.updated"), update) for stream in await all_agent_streams(conn)]
        if events:
            await self.streams.push(events)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            pipe.hset(key, mapping=now)
            pipe.expire(key, TOLD_TTL_S)
            await pipe.execute()
