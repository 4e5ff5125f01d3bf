"""`Batches`: round trips made together (chatdesk/periodic.py)."""

from __future__ import annotations

import asyncio

import pytest

from chatdesk.periodic import Batches


async def test_calls_that_come_during_a_run_go_together_in_the_next():
    runs: list[list[int]] = []
    release = asyncio.Event()

    async def run(items: list[int]) -> list[int]:
        runs.append(items)
        await release.wait()
        return [item * 10 for item in items]

    batches: Batches[int, int] = Batches(run)
    first = asyncio.create_task(batches.call(1))
    await asyncio.sleep(0)  # the first run starts alone
    later = [asyncio.create_task(batches.call(n)) for n in (2, 3, 4)]
    release.set()
    assert await asyncio.gather(first, *later) == [10, 20, 30, 40]
    assert runs == [[1], [2, 3, 4]]


async def test_a_failed_run_fails_its_callers_only_and_a_gone_caller_stops_nothing():
    async def run(items: list[int]) -> list[int]:
        await asyncio.sleep(0)
        if 0 in items:
            raise ValueError("no zeros")
        return items

    batches: Batches[int, int] = Batches(run)
    with pytest.raises(ValueError, match="no zeros"):
        await batches.call(0)
    gone = asyncio.create_task(batches.call(5))
    staying = asyncio.create_task(batches.call(6))
    await asyncio.sleep(0)
    gone.cancel()
    assert await staying == 6
