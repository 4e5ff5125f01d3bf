"""Removing files nobody needs: uploads never sent, and everything of a chat that is deleted."""

from __future__ import annotations

import asyncio
import logging
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from chatdesk.db.tables import attachments, chats
from chatdesk.desk.availability import release_slot
from chatdesk.desk.files.storage import Storage
from chatdesk.desk.transactions import Transactions
from chatdesk.periodic import every, stop_tasks

log = logging.getLogger(__name__)

# An upload not attached to a message within a day was abandoned (the tab closed, a retry won).
ORPHAN_AFTER_S = 24 * 3600
SWEEP_EVERY_S = 600


async def _delete_files(storage: Storage, keys: list[str | None]) -> None:
    for key in keys:
        if key:
            try:
                await storage.delete(key)
            except Exception:  # an unreferenced file left behind is harmless
                log.warning("could not delete stored file %s", key, exc_info=True)


async def delete_orphans(engine: AsyncEngine, storage: Storage, older_than_s: float = ORPHAN_AFTER_S) -> int:
    """Remove uploads older than `older_than_s` that no message carries; any process may run it."""
    old = (
        sa.select(attachments.c.id)
        .where(attachments.c.message_id.is_(None),
               attachments.c.created_at < sa.func.now() - sa.func.make_interval(0, 0, 0, 0, 0, 0, older_than_s))
        .limit(500).with_for_update(skip_locked=True)
    )
    async with engine.begin() as conn:
        rows = (await conn.execute(
            attachments.delete().where(attachments.c.id.in_(old.scalar_subquery()))
            .returning(attachments.c.storage_key, attachments.c.thumbnail_key)
        )).all()
    await _delete_files(storage, [key for row in rows for key in row])
    return len(rows)


async def delete_chat(transaction: Transactions, storage: Storage, chat_id: uuid.UUID, audit) -> bool:
    """Delete a chat with its messages and files (a GDPR erasure). False when there was no such chat.

    The slot its agent held (an active chat or an offer) is given back, and a queued chat leaves its
    queue. `audit(conn)` records who did it, in the same transaction; the files go after commit.
    """
    async with transaction() as tx:
        keys = (await tx.conn.execute(
            sa.select(attachments.c.storage_key, attachments.c.thumbnail_key).where(attachments.c.chat_id == chat_id)
        )).all()
        deleted = (await tx.conn.execute(chats.delete().where(chats.c.id == chat_id).returning(
            chats.c.status, chats.c.agent_id, chats.c.offered_to_id, chats.c.department_id))).first()
        if deleted is None:
            return False
        holder = deleted.agent_id if deleted.status == "active" else deleted.offered_to_id
        if deleted.status != "ended" and holder is not None:
            await release_slot(tx, holder)
        if deleted.status == "queued":
            tx.queue_changed(deleted.department_id)
        await audit(tx.conn)
    await _delete_files(storage, [key for row in keys for key in row])
    return True


class FileJanitor:
    """Deletes orphaned uploads every ten minutes in each process."""

    def __init__(self, engine: AsyncEngine, storage: Storage) -> None:
        self.engine = engine
        self.storage = storage
        self._tasks: list[asyncio.Task] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(every(SWEEP_EVERY_S, self._round, "orphan cleanup"))]

    async def stop(self) -> None:
        await stop_tasks(self._tasks)

    async def _round(self) -> None:
        removed = await delete_orphans(self.engine, self.storage)
        if removed:
            log.info("removed %d uploads never sent with a message", removed)
