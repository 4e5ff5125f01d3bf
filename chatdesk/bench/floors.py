"""The physical floor on this machine: a raw Redis XADD -> XREAD round trip, a raw PostgreSQL commit."""

from __future__ import annotations

import asyncio
import time
import uuid

from chatdesk.bench.stats import percentiles
from chatdesk.db.engine import connect
from chatdesk.realtime.connect import open_redis


async def redis_round_trip(redis_url: str, samples: int = 1000) -> dict[str, float]:
    """Milliseconds from XADD on one connection to XREAD returning it on another."""
    writer, reader = open_redis(redis_url), open_redis(redis_url)
    key = f"chatdesk:bench:floor:{uuid.uuid4().hex}"
    timings = []
    try:
        last_id = "0-0"  # a concrete id: the XREAD finds the entry whether it blocks first or not
        for _ in range(samples):
            read = asyncio.create_task(reader.xread({key: last_id}, block=5000, count=1))
            started = time.perf_counter()
            await writer.xadd(key, {"t": "x"})
            result = await read
            timings.append((time.perf_counter() - started) * 1000)
            last_id = result[0][1][-1][0]
    finally:
        await writer.delete(key)
        await writer.aclose()
        await reader.aclose()
    return percentiles(timings)


async def postgres_commit(database_url: str, samples: int = 500) -> dict[str, float]:
    """Milliseconds for one single-row INSERT and its COMMIT, into a table of its own, dropped after
    (not a temporary one: behind a transaction pooler the next transaction may be on another session)."""
    conn = await connect(database_url)
    table = f"bench_floor_{uuid.uuid4().hex[:8]}"
    timings = []
    try:
        await conn.execute(f"CREATE TABLE {table} (id bigserial PRIMARY KEY, body text)")
        try:
            for _ in range(samples):
                started = time.perf_counter()
                async with conn.transaction():
                    await conn.execute(f"INSERT INTO {table} (body) VALUES ('x')")
                timings.append((time.perf_counter() - started) * 1000)
        finally:
            await conn.execute(f"DROP TABLE {table}")
    finally:
        await conn.close()
    return percentiles(timings)
