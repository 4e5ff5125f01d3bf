"""Supervision: the Live view's snapshot of the team, chats followed from it, and its change signal.

The snapshot (`snapshot`) is read in five statements and one Redis call, however many agents and
chats: every active agent with status, presence and load, their active chats with how long the
visitor has waited for an answer, and each department's queue.

Supervisors follow a chat they do not own by watching it (`watch`): their ids sit on the chat
row (`watcher_ids`), which every write to a chat reads anyway, so they get its events as its
agent does (desk/thread.py:participant_streams) at no extra cost per message, and nobody else's.

What changes the Live view (a chat queued, offered, assigned, transferred or ended, a message,
an agent's load, status or presence) is not fanned out to supervisors event by event: after
such a commit, `SupervisionSignal` sends `supervision.changed` (ephemeral, no payload) to every
supervisor and admin, at most once per `THROTTLE_S` whichever process committed (the processes
take turns through a Redis key), and the Live view fetches the snapshot again.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

import redis.asyncio as aioredis
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chatdesk.db.tables import agents, chats, departments, messages, visitors
from chatdesk.desk.events import publish
from chatdesk.desk.transactions import Tx
from chatdesk.errors import ApiError, not_found
from chatdesk.periodic import stop_tasks
from chatdesk.realtime.presence import SEEN_KEY
from chatdesk.realtime.streams import Streams, agent_stream

log = logging.getLogger(__name__)

# Supervisors hear of changes at most this often: a busy desk (hundreds of messages a second)
# costs each of them one snapshot a second, not one event per message.
THROTTLE_S = 1.0
TURN_KEY = "chatdesk:supervision:turn"
# Queued chats listed per department (the count and the oldest wait cover the rest).
QUEUE_LISTED = 20
# Supervisors following one chat at most (each gets all of its events).
MAX_WATCHERS = 20
# Events whose commit may change the Live view (transactions that change a queue or what agents
# can take say so themselves: `Tx.changed_queues`, `Tx.changed_capacity`).
_LIVE_EVENTS = frozenset({"message.created", "chat.offered", "chat.offer_withdrawn", "chat.assigned",
                          "chat.transferred", "chat.ended"})

_reply = messages.alias("reply")
_asked = messages.alias("asked")
# The seq of the agents' last answer (notes are no answer), then the visitor's first message after it.
_LAST_REPLY = (sa.select(sa.func.max(_reply.c.seq))
               .where(_reply.c.chat_id == chats.c.id, _reply.c.sender_type == "agent", ~_reply.c.internal)
               .correlate(chats).scalar_subquery())
_WAITING_SINCE = (sa.select(sa.func.min(_asked.c.created_at))
                  .where(_asked.c.chat_id == chats.c.id, _asked.c.sender_type == "visitor",
                         _asked.c.seq > sa.func.coalesce(_LAST_REPLY, 0))
                  .scalar_subquery())

_AGENTS = (sa.select(agents.c.id, agents.c.name, agents.c.role, agents.c.status, agents.c.max_chats,
                     agents.c.active_chats, sa.func.now().label("now"))
           .where(agents.c.is_active).order_by(agents.c.name, agents.c.id))
_ACTIVE_CHATS = (sa.select(chats.c.id, chats.c.agent_id, chats.c.department_id, chats.c.visitor_id,
                           visitors.c.name.label("visitor_name"), chats.c.created_at, chats.c.assigned_at,
                           _WAITING_SINCE.label("waiting_since"))
                 .join(visitors, visitors.c.id == chats.c.visitor_id)
                 .where(chats.c.status == "active").order_by(chats.c.assigned_at))
_place = sa.func.row_number().over(partition_by=chats.c.department_id,
                                   order_by=(chats.c.priority.desc(), chats.c.created_at))
_queued = (sa.select(chats.c.id, chats.c.department_id, chats.c.visitor_id, visitors.c.name.label("visitor_name"),
                     chats.c.created_at, chats.c.priority, chats.c.offered_to_id, _place.label("place"))
           .join(visitors, visitors.c.id == chats.c.visitor_id)
           .where(chats.c.status == "queued").subquery())
_QUEUED_CHATS = sa.select(_queued).where(_queued.c.place <= QUEUE_LISTED).order_by(_queued.c.place)
# Offers hold slots wherever the chat stands in its queue, so they are counted over the whole queue.
_OFFERS = (sa.select(chats.c.offered_to_id, sa.func.count().label("offers"))
           .where(chats.c.status == "queued", chats.c.offered_to_id.is_not(None)).group_by(chats.c.offered_to_id))
_QUEUES = (sa.select(departments.c.id, departments.c.name, departments.c.routing_mode,
                     sa.func.count(chats.c.id).label("waiting"),
                     sa.func.min(chats.c.created_at).label("oldest_waiting_since"),
                     sa.func.count(chats.c.offered_to_id).label("offered"))
           .outerjoin(chats, sa.and_(chats.c.department_id == departments.c.id, chats.c.status == "queued"))
           .group_by(departments.c.id).order_by(departments.c.is_default.desc(), departments.c.name))


async def snapshot(conn: AsyncConnection, redis: aioredis.Redis, grace_s: float) -> dict[str, Any]:
    """The Live view: agents with presence, load and chats; departments with their queues (docs/api.md)."""
    team = (await conn.execute(_AGENTS)).all()  # the caller among them: never empty
    active = (await conn.execute(_ACTIVE_CHATS)).all()
    queued = (await conn.execute(_QUEUED_CHATS)).all()
    queues = (await conn.execute(_QUEUES)).all()
    seen = dict(await redis.zrangebyscore(SEEN_KEY, time.time() - grace_s, "+inf", withscores=True))
    offers: dict[uuid.UUID, int] = {row[0]: row[1] for row in await conn.execute(_OFFERS)}
    held: dict[uuid.UUID, list[dict[str, Any]]] = {agent.id: [] for agent in team}
    for chat in active:
        held.setdefault(chat.agent_id, []).append({
            "id": chat.id, "department_id": chat.department_id,
            "visitor": {"id": chat.visitor_id, "name": chat.visitor_name},
            "created_at": chat.created_at, "assigned_at": chat.assigned_at, "waiting_since": chat.waiting_since})
    listed: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for chat in queued:
        listed.setdefault(chat.department_id, []).append({
            "id": chat.id, "visitor": {"id": chat.visitor_id, "name": chat.visitor_name},
            "created_at": chat.created_at, "priority": chat.priority, "offered_to": chat.offered_to_id})
    return {
        "now": team[0].now,
        "agents": [{
            "id": agent.id, "name": agent.name, "role": agent.role, "status": agent.status,
            "connected": str(agent.id).encode() in seen, "max_chats": agent.max_chats,
            "active_chats": agent.active_chats, "offers": offers.get(agent.id, 0), "chats": held[agent.id],
        } for agent in team],
        "departments": [{
            "id": queue.id, "name": queue.name, "routing_mode": queue.routing_mode, "waiting": queue.waiting,
            "offered": queue.offered, "oldest_waiting_since": queue.oldest_waiting_since,
            "queue": listed.get(queue.id, []),
        } for queue in queues],
    }


async def watch(tx: Tx, supervisor_id: uuid.UUID, chat_id: uuid.UUID) -> None:
    """Follow an open chat: its events reach the supervisor's stream too, until `unwatch` or its end."""
    row = (await tx.conn.execute(
        sa.select(chats.c.status, chats.c.watcher_ids).where(chats.c.id == chat_id).with_for_update()
    )).first()
    if row is None:
        raise not_found("chat")
    if row.status == "ended":
        raise ApiError(409, "This chat has ended.", code="conflict")
    if supervisor_id in row.watcher_ids:
        return
    if len(row.watcher_ids) >= MAX_WATCHERS:
        raise ApiError(409, f"{MAX_WATCHERS} people follow this chat already.", code="conflict")
    await tx.conn.execute(chats.update().where(chats.c.id == chat_id).values(
        watcher_ids=sa.func.array_append(chats.c.watcher_ids, supervisor_id)))


async def unwatch(tx: Tx, supervisor_id: uuid.UUID, chat_id: uuid.UUID) -> None:
    """Stop following a chat (nothing happens if the supervisor was not)."""
    done = (await tx.conn.execute(chats.update().where(chats.c.id == chat_id).values(
        watcher_ids=sa.func.array_remove(chats.c.watcher_ids, supervisor_id)).returning(chats.c.id))).first()
    if done is None:
        raise not_found("chat")


def _live_view_changed(tx: Tx) -> bool:
    return bool(tx.changed_queues or tx.changed_capacity or any(e.type in _LIVE_EVENTS for e in tx.events))


class SupervisionSignal:
    """Runs in every process: after a commit that may change the Live view, tells supervisors and
    admins (`supervision.changed`), all processes together at most once per `THROTTLE_S`.

    A change waits here, in memory, for at most `THROTTLE_S`; a process that dies then leaves it
    to the next change, and the Live view also reads the snapshot again every half minute."""

    def __init__(self, engine: AsyncEngine, redis: aioredis.Redis, streams: Streams) -> None:
        self.engine, self.redis, self.streams = engine, redis, streams
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    def changed(self, tx: Tx) -> None:
        """After-commit hook: note a change the Live view shows (a flag; the work is done later)."""
        if _live_view_changed(tx):
            self._wake.set()

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._run())]

    async def stop(self) -> None:
        await stop_tasks(self._tasks)

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            try:
                wait_s = await self._tell_on_turn()
            except Exception:  # PostgreSQL or Redis trouble passes; the change is told later
                log.warning("could not tell supervisors of a change; trying again", exc_info=True)
                self._wake.set()
                wait_s = THROTTLE_S
            await asyncio.sleep(wait_s)  # until the next turn: changes meanwhile are told then, together

    async def _tell_on_turn(self) -> float:
        """Tell supervisors unless some process did within `THROTTLE_S`; returns how long until the next turn."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(TURN_KEY, b"1", nx=True, px=int(THROTTLE_S * 1000))
            pipe.pttl(TURN_KEY)
            got_turn, ttl_ms = await pipe.execute()
        if not got_turn:
            return max(ttl_ms, 10) / 1000
        self._wake.clear()  # a change committed from here on is told on the next turn
        async with self.engine.connect() as conn:
            supervisors = (await conn.execute(sa.select(agents.c.id).where(
                agents.c.is_active, agents.c.role.in_(("supervisor", "admin"))))).scalars().all()
        if supervisors:
            await publish(self.streams, [agent_stream(agent) for agent in supervisors], "supervision.changed", {})
        return THROTTLE_S
