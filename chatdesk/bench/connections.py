"""`chatdesk bench connections`: many idle SSE streams on one server process.

Registers `n` visitors, opens one event stream each (a lean aiohttp reader per stream, no
locust), and reports the server's resident memory per stream and whether every stream kept
receiving heartbeats.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import psutil

from chatdesk.bench.accounts import signed_in_admin


@dataclass
class ConnectionsResult:
    n: int
    opened: int = 0
    rss_before_mb: float | None = None
    rss_after_mb: float | None = None
    rss_per_stream_kb: float | None = None
    heartbeats_on_time: int = 0
    heartbeat_gap_s: dict = field(default_factory=dict)
    open_s: float = 0.0


async def run_connections(base_url: str, admin_email: str, admin_password: str, *, n: int, server_pid: int | None,
                          heartbeat_s: float) -> ConnectionsResult:
    """Open `n` streams, then watch two heartbeat intervals."""
    result = ConnectionsResult(n)
    server = psutil.Process(server_pid) if server_pid else None
    async with signed_in_admin(base_url, admin_email, admin_password, "bench connections") as (session, admin, widget):

        async def register() -> str:
            _, body = await admin.request("POST", f"/api/v1/widgets/{widget['id']}/visitors", json={})
            return body["token"]

        tokens: list[str] = []
        for start in range(0, n, 200):
            tokens += await asyncio.gather(*(register() for _ in range(start, min(n, start + 200))))
        if server:
            result.rss_before_mb = server.memory_info().rss / 2**20

        last_beat: list[float] = [0.0] * n
        gaps: list[float] = []
        opened = asyncio.Semaphore(0)

        async def hold(i: int) -> None:
            async with session.get(base_url + "/api/v1/events",
                                   headers={"Authorization": f"Bearer {tokens[i]}"}) as response:
                async for line in response.content:
                    now = time.monotonic()
                    if line.startswith(b"event: ready"):
                        last_beat[i] = now
                        opened.release()
                    elif line.startswith(b":"):
                        if last_beat[i]:
                            gaps.append(now - last_beat[i])
                        last_beat[i] = now

        started = time.monotonic()
        holders = []
        for start in range(0, n, 500):  # open in waves, as a crowd of page loads would
            batch = [asyncio.create_task(hold(i)) for i in range(start, min(n, start + 500))]
            holders += batch
            for _ in batch:
                await asyncio.wait_for(opened.acquire(), 60)
        result.opened, result.open_s = n, time.monotonic() - started
        if server:
            result.rss_after_mb = server.memory_info().rss / 2**20
            result.rss_per_stream_kb = (result.rss_after_mb - result.rss_before_mb) * 1024 / n
        watch_from = time.monotonic()
        gaps.clear()
        await asyncio.sleep(2 * heartbeat_s + 1)  # the measurement window itself
        result.heartbeats_on_time = sum(1 for beat in last_beat if beat > watch_from)
        ordered = sorted(gaps)
        if ordered:
            result.heartbeat_gap_s = {"p50": ordered[len(ordered) // 2], "p99": ordered[int(0.99 * (len(ordered) - 1))],
                                      "max": ordered[-1]}
        for task in holders:
            task.cancel()
        await asyncio.gather(*holders, return_exceptions=True)
    return result
