"""Background work of a process: loops that run every few seconds and stop with the app, and round
trips made together (`Batches`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


async def every(interval_s: float, work: Callable[[], Awaitable[object]], what: str) -> None:
    """Run `work` every `interval_s` until cancelled; a failure is logged and tried again next round."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await work()
        except Exception:  # PostgreSQL or Redis trouble passes; the next round retries
            log.warning("%s failed; trying again in %g s", what, interval_s, exc_info=True)


# How long a stop waits for background tasks, and how often it cancels them again meanwhile.
STOP_WAIT_S = 5.0
RECANCEL_S = 0.05


async def stop_tasks(tasks: list[asyncio.Task]) -> None:
    """Cancel background tasks and wait (briefly) for them to finish.

    A task is cancelled again until it ends: a library call that absorbs the cancellation (redis-py's
    pipeline did, in a loop that then went on) would otherwise keep the task running, and the stop
    waiting for all of STOP_WAIT_S."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STOP_WAIT_S
    pending = {task for task in tasks if not task.done()}
    while pending and (left := deadline - loop.time()) > 0:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=min(RECANCEL_S, left))
    for task in pending:
        log.warning("a background task did not stop within %g s: %r", STOP_WAIT_S, task)


class QueueWorkers:
    """`count` tasks that drain a queue kept in PostgreSQL (mail, webhook deliveries), in every
    serving process. Each round is `drain()`: claim a batch (`FOR UPDATE SKIP LOCKED`), send it, and
    say how long until more is due (0: go on at once; None: nothing waits). Between rounds a worker
    waits for that long, for `wake()` (an after-commit hook saw new rows), or `poll_s` at most (rows
    queued by another process, leases that ran out)."""

    def __init__(self, what: str, count: int, poll_s: float, stop_wait_s: float,
                 drain: Callable[[], Awaitable[float | None]]) -> None:
        self.what, self.count, self.poll_s, self.stop_wait_s, self.drain = what, count, poll_s, stop_wait_s, drain
        self.stopping = False
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._work()) for _ in range(self.count)]

    async def stop(self) -> None:
        """Let each worker finish (and record) what it is sending, for `stop_wait_s` at most, then stop."""
        self.stopping = True
        self._wake.set()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=self.stop_wait_s)
        await stop_tasks(self._tasks)

    async def _work(self) -> None:
        while not self.stopping:
            try:
                wait = await self.drain()
            except Exception:  # PostgreSQL trouble passes; the next round retries
                log.warning("%s failed; trying again in %g s", self.what, self.poll_s, exc_info=True)
                wait = self.poll_s
            if not self.stopping and (wait is None or wait > 0):
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), min(wait if wait is not None else self.poll_s,
                                                                  self.poll_s))
                self._wake.clear()


class Batches(Generic[T, R]):
    """Group commit for round trips: `await batches.call(item)` runs `run(items)` for the items that
    came while an earlier run was under way, all in one, and hands each caller its result (or the
    run's exception). Quiet, each item runs alone at once; busy, one round trip serves many.

    A run is a task of its own, so a caller that goes away while waiting never stops it."""

    def __init__(self, run: Callable[[list[T]], Awaitable[list[R]]]) -> None:
        self._run = run
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._task: asyncio.Task | None = None

    async def call(self, item: T) -> R:
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, done))
        if self._task is None:
            self._task = asyncio.create_task(self._drain())
        return await asyncio.shield(done)

    async def _drain(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    results = await self._run([item for item, _ in batch])
                except Exception as error:  # noqa: BLE001 - each caller gets it
                    for _, done in batch:
                        done.set_exception(error)
                else:
                    for (_, done), result in zip(batch, results, strict=True):
                        done.set_result(result)
        finally:
            self._task = None
