"""`chatdesk doctor`: check each part an installation needs, with its latency, and say what is wrong."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import redis.asyncio as aioredis
import sqlalchemy as sa

from chatdesk.config import Settings
from chatdesk.db import migrate
from chatdesk.db.engine import create_engine
from chatdesk.desk.files.storage import storage_for
from chatdesk.realtime.hub import Hub
from chatdesk.realtime.sse import EventStream
from chatdesk.realtime.streams import Streams, encode_data

# A check that takes longer than this is as good as down for a live chat.
CHECK_TIMEOUT_S = 5.0
# PostgreSQL and chatdesk disagreeing on the time by more than this skews waits and timeouts.
MAX_CLOCK_SKEW_S = 2.0


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    latency_ms: float | None = None


async def _timed(name: str, probe: Callable[[], Awaitable[str]]) -> Check:
    started = time.perf_counter()
    try:
        detail = await asyncio.wait_for(probe(), CHECK_TIMEOUT_S)
        return Check(name, True, detail, (time.perf_counter() - started) * 1000)
    except Exception as error:  # noqa: BLE001 - every failure is reported, none is fatal to the report
        message = str(error) or type(error).__name__
        return Check(name, False, f"{type(error).__name__}: {message}"[:300])


async def run_checks(settings: Settings) -> list[Check]:
    """Every check, in order; later ones are skipped (and fail) when what they need is down."""
    checks: list[Check] = []
    database_url = settings.required("database_url")
    redis_url = settings.required("redis_url")
    engine = create_engine(database_url, pool_size=1)
    redis = aioredis.from_url(redis_url, socket_connect_timeout=CHECK_TIMEOUT_S)
    try:
        async def configuration() -> str:
            settings.secret()
            return f"data dir {settings.data_dir}, public URL {settings.base_url}"

        async def postgres() -> str:
            async with engine.connect() as conn:
                version = (await conn.execute(sa.text("SHOW server_version"))).scalar_one()
            return f"PostgreSQL {version}"

        async def redis_ping() -> str:
            await redis.ping()
            info = await redis.info("server")
            return f"{'Valkey' if 'valkey_version' in info else 'Redis'} {info.get('redis_version')}"

        async def migrations() -> str:
            state = await asyncio.to_thread(migrate.status, database_url)
            if not state.at_head:
                raise RuntimeError(f"database at {state.current or 'nothing'}, code needs {state.head}: "
                                   "run `chatdesk migrate`")
            return f"at head ({state.head})"

        async def storage() -> str:
            backend = storage_for(settings)
            key = secrets.token_hex(16)
            await backend.put_bytes(key, b"doctor")
            try:
                if await backend.read(key) != b"doctor":
                    raise RuntimeError("read back different bytes")
            finally:
                await backend.delete(key)
            return type(backend).__name__

        async def clock() -> str:
            async with engine.connect() as conn:
                db_now = (await conn.execute(sa.text("SELECT now()"))).scalar_one()
            skew = abs((datetime.now(UTC) - db_now).total_seconds())
            if skew > MAX_CLOCK_SKEW_S:
                raise RuntimeError(f"clocks differ by {skew:.1f} s (more than {MAX_CLOCK_SKEW_S:g} s)")
            return f"skew {skew * 1000:.0f} ms"

        async def round_trip() -> str:
            streams = Streams(redis)
            hub = Hub(redis, streams)
            hub.start()
            stream = f"doctor:{secrets.token_hex(6)}"
            frames = aiter(EventStream(hub, streams, stream, None, settings.sse_heartbeat_s))
            try:
                await anext(frames)  # retry:
                await anext(frames)  # ready: subscribed and caught up
                started = time.perf_counter()
                await streams.push([(stream, "doctor.ping", encode_data({"ping": True}))])
                frame = await anext(frames)
                if b"doctor.ping" not in frame:
                    raise RuntimeError("an unexpected frame arrived")
                return f"push -> Redis -> hub -> SSE frame in {(time.perf_counter() - started) * 1000:.1f} ms"
            finally:
                await frames.aclose()
                await redis.delete(f"chatdesk:stream:{stream}")
                await hub.stop()

        checks.append(await _timed("configuration", configuration))
        checks.append(await _timed("PostgreSQL", postgres))
        checks.append(await _timed("Redis", redis_ping))
        database_up, redis_up = checks[1].ok, checks[2].ok
        for name, probe, needs in [("migrations", migrations, database_up), ("storage", storage, True),
                                   ("clock", clock, database_up), ("live round trip", round_trip, redis_up)]:
            if needs:
                checks.append(await _timed(name, probe))
            else:
                checks.append(Check(name, False, "not checked: what it needs is down"))
    finally:
        await redis.aclose()
        await engine.dispose()
    return checks
