"""Routing: every queued chat goes to an agent with capacity, one PostgreSQL transaction each.

Invariant 6 (docs/architecture.md): an offer or assignment locks the chat (`FOR UPDATE SKIP
LOCKED`) and takes a capacity slot with a conditional update, so any number of routers in any
number of processes can run at once and no chat gets two owners, no agent more than `max_chats`.
In `auto` mode the router offers the chat to the least busy connected agent (ties: longest since
their last assignment); the offer holds the slot until it is accepted, declined or times out. In
`broadcast` mode every eligible agent sees the queue and the first to accept wins. Redis only
wakes routers; the queue itself lives in PostgreSQL, so a flushed Redis loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from datetime import timedelta
from typing import Any

import orjson
import redis.asyncio as aioredis
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chatdesk.config import Settings
from chatdesk.db.tables import agents, chats, departments
from chatdesk.desk.auth.sessions import signed_in
from chatdesk.desk.availability import (
    NO_AGENT,
    in_hours,
    present_agents,
    release_slot,
    take_slot,
    with_free_slot,
)
from chatdesk.desk.chats import chat_json, finish_chat, reload, return_to_queue
from chatdesk.desk.public_names import public_name
from chatdesk.desk.system_lines import SystemLine
from chatdesk.desk.transactions import Transactions, Tx
from chatdesk.errors import ApiError
from chatdesk.metrics import OFFER_TIME
from chatdesk.periodic import every, stop_tasks
from chatdesk.realtime.hub import Hub
from chatdesk.realtime.streams import Streams, agent_stream, encode_data

log = logging.getLogger(__name__)

ROUTER_STREAM = "router"
# Offer timeouts and idle chats are checked this often; new chats and freed capacity do not
# wait for it (they wake the routers at once).
SWEEP_EVERY_S = 1.0


async def _next_queued_chat(conn: AsyncConnection, department_id: Any) -> Any:
    return (await conn.execute(
        sa.select(chats.c.id, chats.c.passed_over).where(
            chats.c.department_id == department_id, chats.c.status == "queued", chats.c.offered_to_id.is_(None))
        .order_by(chats.c.priority.desc(), chats.c.created_at).limit(1)
        .with_for_update(key_share=True, skip_locked=True)
    )).first()


async def _least_busy_agent(conn: AsyncConnection, department_id: Any, present: list[uuid.UUID],
                            passed_over: list[uuid.UUID]) -> Any:
    """The agent to offer to: someone who has not passed on this chat yet if possible, then the
    fewest active chats, then the longest since their last assignment."""
    passed = agents.c.id.in_(passed_over or [NO_AGENT])
    return (await conn.execute(
        with_free_slot(department_id, present)
        .order_by(passed, agents.c.active_chats, agents.c.last_assigned_at.asc().nulls_first(), agents.c.id)
        .limit(1).with_for_update(of=agents, key_share=True, skip_locked=True)
    )).first()


async def offer_next(tx: Tx, department: Any, present: list[uuid.UUID]) -> bool:
    """Offer the department's next waiting chat to the least busy agent. False when nothing moved (as
    while the department is closed by its business hours)."""
    if not in_hours(department.hours):
        return False
    conn = tx.conn
    chat = await _next_queued_chat(conn, department.id)
    if chat is None:
        return False
    agent = await _least_busy_agent(conn, department.id, present, chat.passed_over)
    if agent is None or await take_slot(tx, agent.id) is None:
        return False
    await conn.execute(chats.update().where(chats.c.id == chat.id)
                       .values(offered_to_id=agent.id, offered_at=sa.func.now()))
    row = await reload(conn, chat.id)
    OFFER_TIME.observe((row.offered_at - row.created_at).total_seconds())
    expires_at = row.offered_at + timedelta(seconds=department.accept_timeout_s)
    await tx.emit([agent_stream(agent.id)], "chat.offered", {"chat": chat_json(row), "expires_at": expires_at})
    return True


async def withdraw_offer(tx: Tx, chat_id: Any, *, reason: str) -> None:
    """Take an offer back (declined, timed out, agent gone): free the slot, try someone else next."""
    conn = tx.conn
    row = (await conn.execute(
        sa.select(chats.c.offered_to_id).where(chats.c.id == chat_id, chats.c.status == "queued")
        .with_for_update()
    )).first()
    if row is None or row.offered_to_id is None:
        return
    await release_slot(tx, row.offered_to_id)
    await conn.execute(chats.update().where(chats.c.id == chat_id).values(
        offered_to_id=None, offered_at=None, passed_over=chats.c.passed_over + sa.literal([row.offered_to_id],
                                                                                           chats.c.passed_over.type)))
    await tx.emit([agent_stream(row.offered_to_id)], "chat.offer_withdrawn", {"chat_id": chat_id, "reason": reason})


async def withdraw_offers_of(tx: Tx, agent_id: uuid.UUID) -> None:
    """An agent going away or offline keeps their chats but gets no more offers: take back theirs."""
    offered = (await tx.conn.execute(
        sa.select(chats.c.id, chats.c.department_id)
        .where(chats.c.offered_to_id == agent_id, chats.c.status == "queued")
    )).all()
    for chat in offered:
        await withdraw_offer(tx, chat.id, reason="agent_away")
        tx.queue_changed(chat.department_id)


async def wake_routers(streams: Streams, department_ids: set[str | None], *, sender: str = "") -> None:
    """Wake the routers of the serving processes (all of them but `sender`'s) to route these departments,
    every department when one of them is None. A failure is logged: the sweep routes within a second."""
    try:
        for department_id in [None] if None in department_ids else department_ids:
            await streams.publish_ephemeral(
                [ROUTER_STREAM], "route", encode_data({"department_id": department_id, "from": sender}))
    except Exception:
        log.warning("could not wake the routers", exc_info=True)


def routing_wanted(tx: Tx) -> set[str | None]:
    """The departments a committed transaction asks the routers to route (None: every one)."""
    return {None} if tx.changed_capacity else {str(department_id) for department_id in tx.changed_queues}


class Router:
    """Runs in every process: routes a department when woken, sweeps timeouts every second."""

    def __init__(self, settings: Settings, engine: AsyncEngine, redis: aioredis.Redis, streams: Streams, hub: Hub,
                 transaction: Transactions) -> None:
        self.settings, self.engine, self.redis = settings, engine, redis
        self.streams, self.hub, self.transaction = streams, hub, transaction
        self._tasks: list[asyncio.Task] = []
        self._wanted: set[str | None] = set()  # departments to route here (None: all)
        self._announce: set[str | None] = set()  # of those, the ones other processes must hear of
        self._wake = asyncio.Event()
        self._id = secrets.token_hex(6)  # to tell our own wake-ups from other processes' ones

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._work()), asyncio.create_task(self._listen()),
                       asyncio.create_task(every(SWEEP_EVERY_S, self.sweep, "routing sweep"))]

    async def stop(self) -> None:
        await stop_tasks(self._tasks)

    def changed(self, tx: Tx) -> None:
        """After-commit hook: route the departments whose queue the transaction changed, or every one
        when it changed what agents can take; here and, through Redis, in every other process."""
        for department_id in routing_wanted(tx):
            self._request(department_id, announce=True)

    def _request(self, department_id: Any, *, announce: bool = False) -> None:
        wanted = str(department_id) if department_id else None
        self._wanted.add(wanted)
        if announce:
            self._announce.add(wanted)
        self._wake.set()

    async def _tell_others(self, department_ids: set[str | None]) -> None:
        await wake_routers(self.streams, department_ids, sender=self._id)

    async def _listen(self) -> None:
        sub = await self.hub.subscribe(ROUTER_STREAM)
        try:
            while True:
                item = await sub.queue.get()
                data = getattr(item, "data", None)
                if data:
                    wake = orjson.loads(data)
                    if wake.get("from") != self._id:  # our own wake-up already routed here
                        self._request(wake.get("department_id"))
                else:
                    self._request(None)  # reconnected or Redis lost data: look at everything
        finally:
            await self.hub.unsubscribe(sub)

    async def _work(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            wanted, self._wanted = self._wanted, set()
            announce, self._announce = self._announce, set()
            if announce:
                await self._tell_others(announce)
            try:
                await self.route(None if None in wanted else {d for d in wanted if d is not None})
            except Exception:  # PostgreSQL or Redis trouble: the sweep retries
                log.warning("routing failed", exc_info=True)

    async def route(self, department_ids: set[str] | None = None) -> int:
        """Offer waiting chats until no more can be offered; returns how many were."""
        waiting = sa.exists().where(chats.c.department_id == departments.c.id, chats.c.status == "queued",
                                    chats.c.offered_to_id.is_(None))
        async with self.engine.connect() as conn:
            query = sa.select(departments).where(departments.c.routing_mode == "auto", waiting)
            if department_ids is not None:
                query = query.where(departments.c.id.in_([uuid.UUID(d) for d in department_ids]))
            auto = (await conn.execute(query)).all()
        offered = 0
        for department in auto:
            while True:
                # Who is present is read right before each offer, never from a stale list.
                present = await present_agents(self.redis, self.settings.presence_grace_s)
                async with self.transaction() as tx:
                    moved = await offer_next(tx, department, present)
                if not moved:
                    break
                offered += 1
        return offered

    async def sweep(self) -> None:
        """Withdraw offers that timed out or whose agent left; queue again the active chats of agents
        without a live session (deactivated, signed out everywhere, expired); end idle chats; route everything."""
        present = await present_agents(self.redis, self.settings.presence_grace_s)
        async with self.engine.connect() as conn:
            stale = (await conn.execute(
                sa.select(chats.c.id, chats.c.department_id)
                .join(departments, departments.c.id == chats.c.department_id)
                .join(agents, agents.c.id == chats.c.offered_to_id)
                .where(chats.c.status == "queued", chats.c.offered_to_id.isnot(None), sa.or_(
                    chats.c.offered_at < sa.func.now() - sa.func.make_interval(0, 0, 0, 0, 0, 0,
                                                                               departments.c.accept_timeout_s),
                    agents.c.status != "online",
                    agents.c.id.not_in(present or [NO_AGENT]),
                ))
            )).all()
            signed_out = (await conn.execute(
                sa.select(chats.c.id, public_name(agents).label("name")).join(agents, agents.c.id == chats.c.agent_id)
                .where(chats.c.status == "active", ~signed_in(chats.c.agent_id))
            )).all()
            idle = (await conn.execute(
                sa.select(chats.c.id).where(
                    chats.c.status == "active",
                    chats.c.updated_at < sa.func.now() - sa.func.make_interval(
                        0, 0, 0, 0, 0, 0, self.settings.idle_end_minutes * 60))
            )).scalars().all()
        for chat in stale:
            async with self.transaction() as tx:
                await withdraw_offer(tx, chat.id, reason="timeout")
                tx.queue_changed(chat.department_id)
        for chat in signed_out:
            async with self.transaction() as tx:
                await return_to_queue(tx, chat.id, SystemLine("agent_signed_out", {"name": chat.name}))
        for chat_id in idle:
            async with self.transaction() as tx:
                await end_idle_chat(tx, chat_id, self.settings.idle_end_minutes)
        await self.route()



async def end_idle_chat(tx: Tx, chat_id: Any, idle_minutes: float) -> None:
    """End an active chat nobody wrote in for `idle_minutes` (a system message says so)."""
    await finish_chat(tx, chat_id, ended_by="system",
                      line=SystemLine("chat_ended_idle", {"minutes": f"{idle_minutes:g}"}))


async def decline_chat(tx: Tx, agent_id: uuid.UUID, chat_id: uuid.UUID) -> None:
    """The offered agent passes on the chat; it goes to the next agent."""
    offered = (await tx.conn.execute(
        sa.select(chats.c.offered_to_id, chats.c.department_id).where(chats.c.id == chat_id)
    )).first()
    if offered is None or offered.offered_to_id != agent_id:
        raise ApiError(409, "This chat is not offered to you.", code="conflict")
    await withdraw_offer(tx, chat_id, reason="declined")
