"""Redis Streams of durable events (chatdesk.realtime.streams): pushing in batches."""

from __future__ import annotations

import redis.asyncio as aioredis

from chatdesk.realtime.streams import PUSH_BATCH, Streams


async def test_a_push_larger_than_one_batch_stores_every_event_in_order(redis_url):
    redis = aioredis.from_url(redis_url)
    streams = Streams(redis)
    try:
        count = 2 * PUSH_BATCH + 50  # three script calls
        names = ["v:batch-a", "v:batch-b", "a:batch-c"]
        await streams.push([(names[i % 3], "message.created", b'{"n": %d}' % i) for i in range(count)])
        epoch = await streams.epoch()
        for offset, name in enumerate(names):
            stored = await streams.read_after(name, "0-0", epoch, count)
            assert [event.data for event in stored] == [b'{"n": %d}' % i for i in range(offset, count, 3)]
            assert all(event.type == "message.created" and event.epoch == epoch for event in stored)
    finally:
        await redis.aclose()
