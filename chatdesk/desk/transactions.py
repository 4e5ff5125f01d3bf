"""The one way the desk writes: a transaction whose events are pushed, and whose after-commit hooks
run, once it has committed (invariants 1 and 3 in docs/architecture.md).

A change records what others must hear of (`tx.emit` for events, `tx.queue_changed` for a
department's queue, `tx.capacity_changed` for what agents can take, `tx.mail_queued` for mail,
`tx.notify` for what only integrations hear of). Just before commit, the before-commit hooks write
what must commit with the change (webhook deliveries of the transaction's events); after commit
the events go to Redis and each after-commit hook is called with the transaction. Nothing of this
happens when the transaction rolls back.

The message path's usual case is one statement (`Transactions.one_statement`, used by
desk/thread.py's group commit): it commits by itself, so no BEGIN and COMMIT round trips, and it is
taken only when no before-commit hook wants its events.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chatdesk.db.engine import driver_connection
from chatdesk.desk.events import declared, for_integrations
from chatdesk.realtime.outbox import Outbox, OutboxTx


class Tx(OutboxTx):
    """A desk transaction: the outbox's events, the departments whose queue it changed, and whether
    it changed which chats agents can take."""

    def __init__(self, conn: AsyncConnection) -> None:
        super().__init__(conn)
        self.changed_queues: set[Any] = set()
        self.changed_capacity = False
        self.has_mail = False
        self.has_webhooks = False
        self.has_dropped_files = False
        # Events for integrations only (no client stream), each with how many client events came before it.
        self.notices: list[tuple[int, str, dict]] = []
        # Indexes in `events` of copies: an event again, shaped for some of its recipients.
        self.copies: set[int] = set()

    async def emit(self, streams: list[str], event_type: str, payload: dict, *, copy: bool = False) -> None:
        """Record an event of a type the catalogue declares (chatdesk/desk/events.py) for `streams`;
        with no stream to go to (a rating of a chat nobody took) integrations still hear of it. A
        `copy` is the event just emitted again in another shape (the visitor's): integrations hear
        of the event once."""
        await super().emit(streams, declared(event_type), payload)
        if not streams:
            self.notify(event_type, payload)
        elif copy:
            self.copies.add(len(self.events) - 1)

    def queue_changed(self, department_id: Any) -> None:
        """After commit, the department's waiting visitors, its agents and the router hear of it."""
        self.changed_queues.add(department_id)

    def capacity_changed(self) -> None:
        """An agent's free slots, status, membership or activity changed (or they came back): after
        commit the router looks at every department."""
        self.changed_capacity = True

    def mail_queued(self) -> None:
        """The transaction queued mail (chatdesk.desk.mail.queue): after commit the senders wake."""
        self.has_mail = True

    def notify(self, event_type: str, payload: dict) -> None:
        """Record an event only integrations hear of (webhooks: `chat.started`), in its place among
        the transaction's client events."""
        self.notices.append((len(self.events), for_integrations(event_type), payload))

    def files_dropped(self) -> None:
        """The transaction queued stored files for deletion (chatdesk.desk.privacy.files): after commit
        the deleter wakes."""
        self.has_dropped_files = True

    def webhooks_queued(self) -> None:
        """The transaction queued webhook deliveries (chatdesk.desk.webhooks.queue): after commit the senders wake."""
        self.has_webhooks = True


AfterCommit = Callable[[Tx], None]
BeforeCommit = Callable[[Tx], Awaitable[None]]
# Whether a before-commit hook has work for an event of this type (None: for any transaction).
Wants = Callable[[str], bool]


class Transactions:
    """Opens desk transactions on one engine; after each commit, pushes its events and runs the hooks."""

    def __init__(self, engine: AsyncEngine, outbox: Outbox) -> None:
        self.engine = engine
        self.outbox = outbox
        self._hooks: list[AfterCommit] = []
        self._before: list[tuple[BeforeCommit, Wants | None]] = []

    def after_commit(self, hook: AfterCommit) -> None:
        """Call `hook(tx)` after every transaction that commits (it must not block: start work, don't do it)."""
        self._hooks.append(hook)

    def before_commit(self, hook: BeforeCommit, *, wants: Wants | None = None) -> None:
        """Await `hook(tx)` at the end of every transaction, inside it: what it writes commits with the change.
        `wants` says for which event types it has work; without it, a one-statement change is never made."""
        self._before.append((hook, wants))

    def one_statement_for(self, event_type: str) -> bool:
        """True when a change emitting only `event_type` may be one statement: no before-commit hook wants it."""
        return all(wants is not None and not wants(event_type) for _, wants in self._before)

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[Tx]:
        """`async with runtime.transaction() as tx:` the change, its outbox rows, commit, then push and hooks."""
        async with self.engine.begin() as conn:
            tx = Tx(conn)
            yield tx
            await tx.write_outbox()
            for before, _ in self._before:
                await before(tx)
        await self.committed(tx)

    @asynccontextmanager
    async def one_statement(self) -> AsyncIterator[tuple[AsyncConnection, asyncpg.Connection]]:
        """`async with runtime.transaction.one_statement() as (conn, driver):` asyncpg's connection with no
        transaction begun, where each statement commits by itself. For changes made by one statement
        each, which write their own outbox rows and record them on a `Tx(conn)` of their own with
        `tx.written`, then handed to `committed`. Only where `one_statement_for` allows."""
        async with self.engine.connect() as conn:
            yield conn, await driver_connection(conn)

    async def committed(self, tx: Tx) -> None:
        """Once `tx`'s change has committed: push its events, then run the after-commit hooks."""
        if tx.unwritten():
            raise RuntimeError("a one-statement change writes its outbox rows itself (tx.written)")
        await self.outbox.push(tx.events, tx.outbox_ids)
        for hook in self._hooks:
            hook(tx)
