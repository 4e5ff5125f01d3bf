"""`stop_tasks` (chatdesk/periodic.py): background loops end when the app stops, even where a library
call absorbs the cancellation."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from chatdesk.periodic import stop_tasks


async def _pipelines(redis: aioredis.Redis, started: asyncio.Event, given_up: asyncio.Event) -> None:
    """A loop like SupervisionSignal's: a pipeline a round, and trouble passes (the loop goes on);
    `given_up` only ends it should the test fail (stop_tasks never sets it)."""
    while not given_up.is_set():
        try:
            async with redis.pipeline(transaction=False) as pipe:
                pipe.incr("chatdesk:test:rounds")
                pipe.pttl("chatdesk:test:rounds")
                await pipe.execute()
            started.set()
        except Exception:  # noqa: BLE001 - as the app's loops do: the next round retries
            pass


async def test_a_loop_whose_redis_pipeline_absorbs_the_cancel_still_stops(redis_url):
    redis = aioredis.Redis.from_url(redis_url)
    started, given_up = asyncio.Event(), asyncio.Event()
    loops = [asyncio.create_task(_pipelines(redis, started, given_up)) for _ in range(3)]
    try:
        await started.wait()
        await stop_tasks(loops)  # redis-py's pipeline absorbs a cancel that lands in `execute()`
        assert all(loop.done() for loop in loops)
    finally:
        given_up.set()
        await asyncio.wait(loops)
        await redis.aclose()


async def test_a_task_that_ignores_one_cancel_is_cancelled_again():
    running, ignored = asyncio.Event(), asyncio.Event()

    async def stubborn() -> None:
        try:
            running.set()
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            ignored.set()  # and goes on, as a library that catches CancelledError does
        await asyncio.Event().wait()

    task = asyncio.create_task(stubborn())
    await running.wait()
    await stop_tasks([task])
    assert ignored.is_set() and task.cancelled()
