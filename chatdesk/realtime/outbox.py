"""The transactional outbox: events are written with the change, pushed to Redis after commit.

Invariant 3 (docs/architecture.md): an event exists exactly when its change was committed.
After commit the writer pushes it to Redis at once; the row is then deleted in small batches. A
row a crash left behind is pushed again by the sweeper. Clients drop what they already hold, so a
second push is harmless.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chatdesk.db.tables import outbox
from chatdesk.periodic import Batches, every, stop_tasks
from chatdesk.realtime.streams import Streams, encode_data

log = logging.getLogger(__name__)

# Rows younger than this belong to a writer that is still pushing them; older ones were orphaned.
SWEEP_AFTER_S = 5.0
SWEEP_EVERY_S = 2.0
# Pushed rows are deleted together: one DELETE per batch instead of one per message.
DELETE_EVERY_S = 0.05


@dataclass
class PendingEvent:
    streams: list[str]
    type: str
    data: bytes


# One statement shape for any number of rows, so SQLAlchemy compiles it once and caches it; the
# payload goes in as already-encoded JSON text (encoded once, not twice).
INSERT_OUTBOX = (
    outbox.insert()
    .values(streams=sa.bindparam("streams"), event_type=sa.bindparam("event_type"),
            payload=sa.cast(sa.bindparam("payload", type_=sa.Text), outbox.c.payload.type))
    .returning(outbox.c.id)
)


def outbox_params(event: PendingEvent) -> dict[str, object]:
    """The parameters of `INSERT_OUTBOX` for one event."""
    return {"streams": event.streams, "event_type": event.type, "payload": event.data.decode()}


class Outbox:
    """Pushes committed events to Redis, deletes pushed rows in batches, sweeps orphans."""

    def __init__(self, engine: AsyncEngine, streams: Streams) -> None:
        self.engine = engine
        self.streams = streams
        self._pushed: list[int] = []
        self._batches: Batches[tuple[list[PendingEvent], list[int]], None] = Batches(self._push)
        self._tasks: list[asyncio.Task] = []

    async def push(self, events: list[PendingEvent], outbox_ids: list[int]) -> None:
        """Push events of a committed transaction; returns once they are in Redis, or the push failed
        (that is logged; the sweeper retries). Transactions that commit while a push is under way go
        together in the next one (`Batches`): one script call for many messages under load."""
        if events:
            await self._batches.call((events, outbox_ids))

    async def _push(self, batch: list[tuple[list[PendingEvent], list[int]]]) -> list[None]:
        try:
            await self.streams.push([(stream, e.type, e.data) for events, _ in batch for e in events
                                     for stream in e.streams])
        except Exception:  # the rows stay; the sweeper pushes them later
            log.warning("push to Redis failed; the outbox sweeper will retry", exc_info=True)
        else:
            self._pushed.extend(outbox_id for _, outbox_ids in batch for outbox_id in outbox_ids)
        return [None] * len(batch)

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(every(DELETE_EVERY_S, self._delete_pushed, "deleting pushed outbox rows")),
            asyncio.create_task(every(SWEEP_EVERY_S, self._sweep_round, "outbox sweep")),
        ]

    async def stop(self) -> None:
        await stop_tasks(self._tasks)
        await self._delete_pushed()

    async def _delete_pushed(self) -> None:
        ids, self._pushed = self._pushed, []
        if not ids:
            return
        try:
            async with self.engine.begin() as conn:
                await conn.execute(outbox.delete().where(outbox.c.id.in_(ids)))
        except Exception:  # a leftover row only means one more (harmless) push
            log.warning("could not delete %d pushed outbox rows", len(ids), exc_info=True)

    async def sweep(self, older_than_s: float = SWEEP_AFTER_S) -> int:
        """Push and delete rows older than `older_than_s`; any number of processes may sweep at once."""
        async with self.engine.begin() as conn:
            rows = (await conn.execute(
                sa.select(outbox.c.id, outbox.c.streams, outbox.c.event_type, outbox.c.payload)
                .where(outbox.c.created_at < sa.func.now() - sa.func.make_interval(0, 0, 0, 0, 0, 0, older_than_s))
                .order_by(outbox.c.id).limit(500).with_for_update(skip_locked=True)
            )).all()
            if not rows:
                return 0
            # Pushing inside the transaction: if Redis fails, the rows stay for the next sweep.
            await self.streams.push([
                (stream, row.event_type, encode_data(row.payload)) for row in rows for stream in row.streams
            ])
            await conn.execute(outbox.delete().where(outbox.c.id.in_([row.id for row in rows])))
        return len(rows)

    async def _sweep_round(self) -> None:
        swept = await self.sweep()
        if swept:
            log.info("outbox sweeper re-pushed %d events", swept)


class OutboxTx:
    """A database transaction that also collects the events it writes to the outbox (the desk's
    transactions build on it: chatdesk.desk.transactions)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.events: list[PendingEvent] = []  # in the order they happened: pushed so after commit
        self.outbox_ids: list[int] = []
        self._unwritten: list[PendingEvent] = []

    async def emit(self, streams: list[str], event_type: str, payload: dict) -> None:
        """Record an event for `streams`; it is written and pushed only if the transaction commits."""
        if streams:
            event = PendingEvent(streams, event_type, encode_data(payload))
            self.events.append(event)
            self._unwritten.append(event)

    def written(self, event: PendingEvent, outbox_id: int) -> None:
        """Record an event whose outbox row the caller wrote itself (with `INSERT_OUTBOX` inside a
        statement of its own, to save a round trip); pushed after commit like the others."""
        self.events.append(event)
        self.outbox_ids.append(outbox_id)

    def unwritten(self) -> bool:
        """Whether `emit` recorded events not yet written to the outbox."""
        return bool(self._unwritten)

    async def write_outbox(self) -> None:
        """Write every event recorded by `emit` so far to the outbox in one statement."""
        if not self._unwritten:
            return
        rows = await self.conn.execute(INSERT_OUTBOX, [outbox_params(event) for event in self._unwritten])
        self.outbox_ids += rows.scalars().all()
        self._unwritten = []
