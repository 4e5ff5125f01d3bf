"""Retention (`CHATDESK_RETENTION_DAYS`): chats older than that are erased, one by one, with the same
code as a person's erasure (`erasure.erase_chats`): their messages' text, rating comments and files.
Visitors seen last before then, all of whose chats are erased, lose their personal fields too.
Tickets are records of their own and stay.

Every serving process runs the job; a chat is claimed `FOR UPDATE SKIP LOCKED` and erased in that
transaction, and `erased_at` takes it out of the next claim, so processes never erase one twice. The
events of such old chats are long gone from Redis (`realtime.streams.RETENTION_S` is a day)."""

from __future__ import annotations

import asyncio
import logging

import sqlalchemy as sa

from chatdesk.db.tables import chats, visitors
from chatdesk.desk.privacy.erasure import VISITOR_ERASED, erase_chats
from chatdesk.desk.transactions import Transactions
from chatdesk.periodic import every, stop_tasks

log = logging.getLogger(__name__)

RETENTION_EVERY_S = 3600
VISITOR_BATCH = 500


def _older_than(days: int) -> sa.ColumnElement:
    return sa.func.now() - sa.func.make_interval(0, 0, 0, days)


async def erase_old_chats(transaction: Transactions, days: int) -> int:
    """Erase every ended chat created more than `days` ago, one per transaction: how many."""
    erased = 0
    while True:
        async with transaction() as tx:
            chat_id = (await tx.conn.execute(
                sa.select(chats.c.id).where(chats.c.status == "ended", chats.c.erased_at.is_(None),
                                            chats.c.created_at < _older_than(days))
                .order_by(chats.c.created_at).limit(1).with_for_update(skip_locked=True))).scalar()
            if chat_id is None:
                return erased
            await erase_chats(tx, [chat_id])
        erased += 1


async def erase_idle_visitors(transaction: Transactions, days: int) -> int:
    """Erase the personal fields of visitors not seen for `days` whose chats are all erased: how many."""
    idle = (sa.select(visitors.c.id).where(
        visitors.c.erased_at.is_(None), sa.func.coalesce(visitors.c.last_seen_at, visitors.c.created_at) <
        _older_than(days), ~sa.exists().where(chats.c.visitor_id == visitors.c.id, chats.c.erased_at.is_(None)))
        .limit(VISITOR_BATCH).with_for_update(skip_locked=True))
    total = 0
    while True:
        async with transaction() as tx:
            done = (await tx.conn.execute(visitors.update().where(visitors.c.id.in_(idle.scalar_subquery()))
                                          .values(VISITOR_ERASED))).rowcount
        total += done
        if done < VISITOR_BATCH:
            return total


class RetentionJob:
    """Erases what is older than the retention period, every hour, in each serving process."""

    def __init__(self, transaction: Transactions, days: int | None) -> None:
        self.transaction = transaction
        self.days = days
        self._tasks: list[asyncio.Task] = []

    def start(self) -> None:
        if self.days:
            self._tasks = [asyncio.create_task(every(RETENTION_EVERY_S, self.run, "retention"))]

    async def stop(self) -> None:
        await stop_tasks(self._tasks)

    async def run(self) -> tuple[int, int]:
        """One round: (chats, visitors) erased."""
        assert self.days
        chats_erased = await erase_old_chats(self.transaction, self.days)
        visitors_erased = await erase_idle_visitors(self.transaction, self.days)
        if chats_erased or visitors_erased:
            log.info("retention: erased %d chats and %d visitors older than %d days", chats_erased,
                     visitors_erased, self.days)
        return chats_erased, visitors_erased
