"""The webhook queue: one delivery per (endpoint, event), written in the transaction of the change.

`enqueue` runs just before every desk transaction commits (a before-commit hook): it turns the
transaction's events (those written to the outbox for clients, and `tx.notify`'s for integrations)
into deliveries for each enabled endpoint subscribed to their type, so a rollback leaves none and a
commit leaves all. Senders claim due deliveries `FOR UPDATE SKIP LOCKED` with a lease; a chat's
(or a ticket's) deliveries to one endpoint go one at a time in the order they were written: only
the oldest pending one of each (endpoint, `ordering_key`) may be claimed.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chatdesk.config import Settings
from chatdesk.db.tables import audit_log, webhook_deliveries, webhook_endpoints
from chatdesk.desk.transactions import Tx
from chatdesk.metrics import WEBHOOKS
from chatdesk.periodic import every, stop_tasks
from chatdesk.realtime.streams import encode_data

# What an endpoint may subscribe to, and what identifies the chat or ticket of each (its order key).
EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "chat.started": ("chat", "id"),
    "chat.assigned": ("chat", "id"),
    "chat.transferred": ("chat", "id"),
    "chat.ended": ("chat", "id"),
    "chat.rated": ("chat_id",),
    "message.created": ("message", "chat_id"),
    "ticket.created": ("ticket", "id"),
    "ticket.updated": ("ticket", "id"),
    "offline_message.created": ("ticket_id",),
}
TEST_EVENT = "webhook.test"
# Endpoints' subscriptions are looked at again this often (an endpoint changed in another process).
SUBSCRIPTIONS_EVERY_S = 2.0

d, e = webhook_deliveries, webhook_endpoints

_ENQUEUE = sa.text("""
    INSERT INTO chatdesk.webhook_deliveries (endpoint_id, event_type, ordering_key, payload)
    SELECT endpoint.id, event.type, event.key, event.payload::jsonb
    FROM unnest(:types, :keys, :payloads) WITH ORDINALITY AS event(type, key, payload, n)
    JOIN chatdesk.webhook_endpoints AS endpoint ON endpoint.enabled AND event.type = ANY(endpoint.events)
    ORDER BY event.n, endpoint.id
""").bindparams(sa.bindparam("types", type_=ARRAY(sa.Text)), sa.bindparam("keys", type_=ARRAY(sa.Uuid)),
                sa.bindparam("payloads", type_=ARRAY(sa.Text)))


def _key(event_type: str, data: dict) -> Any:
    value: Any = data
    for name in EVENT_TYPES[event_type]:
        value = value[name]
    return uuid.UUID(str(value))


def webhook_events(tx: Tx) -> Iterator[tuple[str, dict]]:
    """The transaction's events of the types endpoints may subscribe to, in the order they happened.
    A copy (the visitor's shape of a chat event, `Tx.emit(copy=True)`) is the event again: left out."""
    notices = iter(tx.notices)
    notice = next(notices, None)
    for index, event in enumerate([*tx.events, None]):
        while notice is not None and notice[0] <= index:
            yield notice[1], notice[2]
            notice = next(notices, None)
        if event is not None and event.type in EVENT_TYPES and index not in tx.copies:
            yield event.type, orjson.loads(event.data)


class Subscriptions:
    """The event types some enabled endpoint subscribes to, known in memory so that a transaction
    none of whose events anyone wants costs no round trip; refreshed every 2 s and at once after a
    change in this process (a change in another one takes effect here within 2 s)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.types: frozenset[str] | None = None  # None: not known yet (every event is looked up)
        self._tasks: list[asyncio.Task] = []

    async def refresh(self) -> None:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(sa.select(sa.func.unnest(e.c.events)).where(e.c.enabled).distinct())).scalars()
            self.types = frozenset(rows)

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._follow())]

    async def _follow(self) -> None:
        with contextlib.suppress(Exception):  # PostgreSQL not there yet: every event is looked up until it is
            await self.refresh()
        await every(SUBSCRIPTIONS_EVERY_S, self.refresh, "webhook subscriptions")

    async def stop(self) -> None:
        await stop_tasks(self._tasks)

    def wants(self, event_type: str) -> bool:
        """Whether some endpoint may want events of this type (True while not known yet)."""
        return self.types is None or event_type in self.types

    async def enqueue(self, tx: Tx) -> None:
        """Before commit: a delivery per subscribed endpoint for each of the transaction's events."""
        if self.types is not None and not any(
                event.type in self.types for event in tx.events) and not any(
                notice[1] in self.types for notice in tx.notices):
            return
        events = [(event_type, data) for event_type, data in webhook_events(tx)
                  if self.types is None or event_type in self.types]
        if not events:
            return
        result = await tx.conn.execute(_ENQUEUE, {
            "types": [event_type for event_type, _ in events],
            "keys": [_key(event_type, data) for event_type, data in events],
            "payloads": [encode_data(data).decode() for _, data in events]})
        if result.rowcount:
            tx.webhooks_queued()


def _seconds(seconds: float) -> Any:
    return sa.func.make_interval(0, 0, 0, 0, 0, 0, seconds)


@dataclass(frozen=True)
class Delivery:
    """A delivery a sender holds until its lease runs out, with its endpoint's address and secret."""

    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_type: str
    payload: dict
    attempts: int
    created_at: datetime
    url: str
    secret: str


def _next_in_line() -> list[Any]:
    """Pending deliveries of enabled endpoints with no pending one of the same chat or ticket before them."""
    earlier = d.alias("earlier")
    return [d.c.status == "pending", e.c.enabled,
            ~sa.exists().where(earlier.c.endpoint_id == d.c.endpoint_id, earlier.c.ordering_key == d.c.ordering_key,
                               earlier.c.status == "pending", earlier.c.seq < d.c.seq)]


async def claim_due(engine: AsyncEngine, limit: int, lease_s: float) -> list[Delivery]:
    """Take up to `limit` due deliveries of enabled endpoints for `lease_s` seconds (counting an
    attempt for each), each the oldest pending one of its chat or ticket at its endpoint."""
    now = sa.func.now()
    due = (sa.select(d.c.id)
           .join(e, e.c.id == d.c.endpoint_id)
           .where(*_next_in_line(), d.c.next_attempt_at <= now,
                  sa.or_(d.c.locked_until.is_(None), d.c.locked_until <= now))
           .order_by(d.c.seq).limit(limit)
           .with_for_update(of=d, skip_locked=True).cte("due"))
    claim = (d.update().where(d.c.id == due.c.id, e.c.id == d.c.endpoint_id)
             .values(locked_until=now + _seconds(lease_s), attempts=d.c.attempts + 1)
             .returning(d.c.id, d.c.endpoint_id, d.c.event_type, d.c.payload, d.c.attempts, d.c.created_at,
                        e.c.url, e.c.secret))
    async with engine.begin() as conn:
        rows = (await conn.execute(claim)).all()
    return [Delivery(**row._mapping) for row in rows]


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to: the receiver's status code (None: no answer) or why it failed."""

    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def acknowledged(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    def entry(self) -> dict[str, Any]:
        """The attempt as the delivery log keeps it."""
        return {"at": datetime.now(UTC).isoformat().replace("+00:00", "Z"), "status": self.status_code,
                "error": self.error, "ms": self.duration_ms}


def retry_delay_s(settings: Settings, attempts: int) -> float:
    """Exponential backoff with jitter: about `webhooks_retry_s` first, doubling, at most `webhooks_retry_max_s`."""
    base = min(settings.webhooks_retry_s * 2 ** min(attempts - 1, 30), settings.webhooks_retry_max_s)
    return base * random.uniform(0.5, 1.0)


def _attempted(outcome: Outcome) -> dict[str, Any]:
    entry = sa.func.jsonb_build_array(sa.literal(outcome.entry(), type_=d.c.responses.type))
    return {"locked_until": None, "last_attempt_at": sa.func.now(), "last_status_code": outcome.status_code,
            "last_error": outcome.error, "responses": d.c.responses.op("||")(entry)}


async def record(engine: AsyncEngine, settings: Settings, delivery: Delivery, outcome: Outcome) -> None:
    """Record an attempt: delivered; or tried again later (a test event: failed at once), failed
    after `webhooks_give_up_hours`; and the endpoint's health (disabled after failing for days)."""
    held = d.update().where(d.c.id == delivery.id, d.c.status == "pending")
    test = delivery.event_type == TEST_EVENT
    async with engine.begin() as conn:
        if outcome.acknowledged:
            await conn.execute(held.values(status="delivered", delivered_at=sa.func.now(), **_attempted(outcome)))
            if not test:
                await conn.execute(e.update().where(e.c.id == delivery.endpoint_id, e.c.failing_since.isnot(None))
                                   .values(failing_since=None))
            WEBHOOKS.labels("delivered").inc()
            return
        age = datetime.now(UTC) - delivery.created_at
        give_up = test or age > timedelta(hours=settings.webhooks_give_up_hours)
        if give_up:
            await conn.execute(held.values(status="failed", **_attempted(outcome)))
            WEBHOOKS.labels("failed").inc()
        else:
            await conn.execute(held.values(
                next_attempt_at=sa.func.now() + _seconds(retry_delay_s(settings, delivery.attempts)),
                **_attempted(outcome)))
            WEBHOOKS.labels("retry").inc()
        if not test:
            await _note_failure(conn, settings, delivery.endpoint_id)


async def _note_failure(conn: AsyncConnection, settings: Settings, endpoint_id: uuid.UUID) -> None:
    """The endpoint fails since its first failure after a success; after `webhooks_disable_after_days`
    it is disabled, and the audit log says so."""
    await conn.execute(e.update().where(e.c.id == endpoint_id, e.c.failing_since.is_(None))
                       .values(failing_since=sa.func.now()))
    days = settings.webhooks_disable_after_days
    disabled = (await conn.execute(
        e.update().where(e.c.id == endpoint_id, e.c.enabled,
                         e.c.failing_since < sa.func.now() - _seconds(days * 86400))
        .values(enabled=False, disabled_reason=f"Disabled automatically: every delivery failed for {days:g} days.")
        .returning(e.c.url, e.c.failing_since))).first()
    if disabled is not None:
        await conn.execute(audit_log.insert().values(
            actor_id=None, action="webhook.disable", target_type="webhook", target_id=str(endpoint_id),
            details={"url": disabled.url, "failing_since": disabled.failing_since.isoformat(), "automatic": True}))
        WEBHOOKS.labels("endpoint_disabled").inc()


async def seconds_until_due(engine: AsyncEngine) -> float | None:
    """How long until the next delivery in line may be claimed (0: now), or None when none waits."""
    ready_at = sa.func.greatest(d.c.next_attempt_at, sa.func.coalesce(d.c.locked_until, d.c.next_attempt_at))
    async with engine.connect() as conn:
        wait = (await conn.execute(
            sa.select(sa.func.extract("epoch", sa.func.min(ready_at) - sa.func.now()))
            .join_from(d, e, e.c.id == d.c.endpoint_id).where(*_next_in_line()))).scalar()
    return None if wait is None else max(float(wait), 0.0)
