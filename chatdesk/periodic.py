"""Background work of a process: loops that run every few seconds and stop with the app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def every(interval_s: float, work: Callable[[], Awaitable[object]], what: str) -> None:
    """Run `work` every `interval_s` until cancelled; a failure is logged and tried again next round."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await work()
        except Exception:  # PostgreSQL or Redis trouble passes; the next round retries
            log.warning("%s failed; trying again in %g s", what, interval_s, exc_info=True)


async def stop_tasks(tasks: list[asyncio.Task]) -> None:
    """Cancel background tasks and wait (briefly) for them to finish."""
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=5)
