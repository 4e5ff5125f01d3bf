"""The one way the desk writes: a transaction whose events are pushed, and whose after-commit hooks
run, once it has committed (invariants 1 and 3 in docs/architecture.md).

A change records what others must hear of (`tx.emit` for events, `tx.queue_changed` for a
department's queue, `tx.capacity_changed` for what agents can take); after commit the events go to
Redis and each registered hook is called with the transaction. Nothing of this happens when the transaction rolls back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chatdesk.desk.events import declared
from chatdesk.realtime.outbox import Outbox, OutboxTx


class Tx(OutboxTx):
    """A desk transaction: the outbox's events, the departments whose queue it changed, and whether
    it changed which chats agents can take."""

    def __init__(self, conn: AsyncConnection) -> None:
        super().__init__(conn)
        self.changed_queues: set[Any] = set()
        self.changed_capacity = False

    async def emit(self, streams: list[str], event_type: str, payload: dict) -> None:
        """Record an event of a type the catalogue declares (chatdesk/desk/events.py) for `streams`."""
        await super().emit(streams, declared(event_type), payload)

    def queue_changed(self, department_id: Any) -> None:
        """After commit, the department's waiting visitors, its agents and the router hear of it."""
        self.changed_queues.add(department_id)

    def capacity_changed(self) -> None:
        """An agent's free slots, status, membership or activity changed (or they came back): after
        commit the router looks at every department."""
        self.changed_capacity = True


AfterCommit = Callable[[Tx], None]


class Transactions:
    """Opens desk transactions on one engine; after each commit, pushes its events and runs the hooks."""

    def __init__(self, engine: AsyncEngine, outbox: Outbox) -> None:
        self.engine = engine
        self.outbox = outbox
        self._hooks: list[AfterCommit] = []

    def after_commit(self, hook: AfterCommit) -> None:
        """Call `hook(tx)` after every transaction that commits (it must not block: start work, don't do it)."""
        self._hooks.append(hook)

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[Tx]:
        """`async with runtime.transaction() as tx:` the change, its outbox rows, commit, then push and hooks."""
        async with self.engine.begin() as conn:
            tx = Tx(conn)
            yield tx
            await tx.write_outbox()
        await self.outbox.push(tx.events, tx.outbox_ids)
        for hook in self._hooks:
            hook(tx)
