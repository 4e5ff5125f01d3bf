"""Stored files an erasure let go of: their keys are queued in `file_deletions` in the erasure's
transaction, and deleted from the storage after commit (an after-commit effect, docs/architecture.md).

A deletion that fails (the storage unreachable) leaves its key queued, tried again after a doubling
pause; any number of processes drain the queue at once (`FOR UPDATE SKIP LOCKED`)."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from chatdesk.db.tables import file_deletions
from chatdesk.desk.files.storage import Storage
from chatdesk.desk.transactions import Tx
from chatdesk.periodic import QueueWorkers

log = logging.getLogger(__name__)

BATCH = 100
RETRY_S = 30.0
RETRY_MAX_S = 3600.0
# Keys queued by another process (the CLI, a process that died before it deleted them) are looked
# for this often.
POLL_S = 60.0


async def drop_files(tx: Tx, keys: list[str | None]) -> int:
    """Queue stored files for deletion after commit; how many were queued."""
    queued = sorted({key for key in keys if key})
    if queued:
        await tx.conn.execute(insert(file_deletions).on_conflict_do_nothing(),
                              [{"storage_key": key} for key in queued])
        tx.files_dropped()
    return len(queued)


async def delete_due_files(engine: AsyncEngine, storage: Storage) -> tuple[int, int]:
    """Delete up to `BATCH` due queued files from the storage: (deleted, failed). The rows stay
    locked while their files are deleted, so no other process deletes them twice."""
    deleted = failed = 0
    async with engine.begin() as conn:
        keys = (await conn.execute(
            sa.select(file_deletions.c.storage_key).where(file_deletions.c.next_attempt_at <= sa.func.now())
            .order_by(file_deletions.c.next_attempt_at).limit(BATCH).with_for_update(skip_locked=True)
        )).scalars().all()
        for key in keys:
            row = file_deletions.c.storage_key == key
            try:
                await storage.delete(key)
            except Exception:  # the storage is away: tried again later
                log.warning("could not delete stored file %s; trying again later", key, exc_info=True)
                pause = sa.func.least(RETRY_MAX_S, RETRY_S * sa.func.power(2, file_deletions.c.attempts))
                await conn.execute(file_deletions.update().where(row).values(
                    attempts=file_deletions.c.attempts + 1,
                    next_attempt_at=sa.func.now() + sa.func.make_interval(0, 0, 0, 0, 0, 0, pause)))
                failed += 1
            else:
                await conn.execute(file_deletions.delete().where(row))
                deleted += 1
    return deleted, failed


class FileDeleter:
    """Drains `file_deletions` in every serving process: at once after a commit that queued files,
    else every minute (keys another process queued, or whose deletion failed)."""

    def __init__(self, engine: AsyncEngine, storage: Storage) -> None:
        self.engine = engine
        self.storage = storage
        self.workers = QueueWorkers("deleting erased files", 1, POLL_S, 5.0, self._round)

    def changed(self, tx: Tx) -> None:
        if tx.has_dropped_files:
            self.workers.wake()

    def start(self) -> None:
        self.workers.start()

    async def stop(self) -> None:
        await self.workers.stop()

    async def _round(self) -> float | None:
        deleted, failed = await delete_due_files(self.engine, self.storage)
        return 0 if deleted + failed == BATCH else None
