"""Closing time: a chat still waiting when its department closes (desk/hours.py) becomes a ticket.

Every serving process looks every `CHECK_EVERY_S`. Each waiting chat of a department closed by its
business hours is taken in a transaction of its own, locked `FOR UPDATE SKIP LOCKED` and only while
it is still queued in a closed department, so with any number of processes each chat is closed
once: the visitor reads `CLOSED_LINE`, the chat ends (its offer, if any, is withdrawn) and an open,
unassigned ticket keeps it for a reply by email (desk/tickets.py; one ticket per chat at most).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from chatdesk.db.tables import chats, departments
from chatdesk.desk.availability import in_hours
from chatdesk.desk.chats import finish_chat
from chatdesk.desk.system_lines import SystemLine
from chatdesk.desk.tickets import ticket_from_closed_chat
from chatdesk.desk.transactions import Transactions, Tx
from chatdesk.periodic import every, stop_tasks

# A visitor waits at most this long past closing time for the news.
CHECK_EVERY_S = 5.0
CLOSED_LINE = SystemLine("chat_closed")
_QUEUED = sa.exists().where(chats.c.department_id == departments.c.id, chats.c.status == "queued")


async def close_waiting_chats(engine: AsyncEngine, transaction: Transactions, at: datetime | None = None) -> int:
    """Turn the chats waiting in departments closed at `at` (now) into tickets; how many this call did."""
    at = at or datetime.now(UTC)
    async with engine.connect() as conn:
        with_hours = (await conn.execute(sa.select(departments.c.id, departments.c.hours)
                                         .where(departments.c.hours.isnot(None), _QUEUED))).all()
        closed = [row.id for row in with_hours if not in_hours(row.hours, at)]
        waiting = (await conn.execute(sa.select(chats.c.id).where(
            chats.c.department_id.in_(closed), chats.c.status == "queued"))).scalars().all() if closed else []
    done = 0
    for chat_id in waiting:
        async with transaction() as tx:
            done += await close_chat(tx, chat_id, closed)
    return done


async def close_chat(tx: Tx, chat_id: uuid.UUID, closed: list[uuid.UUID]) -> bool:
    """Close one waiting chat of a closed department; False when another process has it or had it."""
    still_waiting = (await tx.conn.execute(
        sa.select(chats.c.id).where(chats.c.id == chat_id, chats.c.status == "queued",
                                    chats.c.department_id.in_(closed))
        .with_for_update(skip_locked=True)
    )).first()
    if still_waiting is None:
        return False
    row = await finish_chat(tx, chat_id, ended_by="system", line=CLOSED_LINE)
    await ticket_from_closed_chat(tx, row)
    return True


class ClosingTime:
    """Runs in every process: closes the queues of departments that closed."""

    def __init__(self, engine: AsyncEngine, transaction: Transactions) -> None:
        self.engine, self.transaction = engine, transaction
        self._tasks: list[asyncio.Task] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(every(CHECK_EVERY_S, self.run, "closing time"))]

    async def stop(self) -> None:
        await stop_tasks(self._tasks)

    async def run(self) -> int:
        return await close_waiting_chats(self.engine, self.transaction)
