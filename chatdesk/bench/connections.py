"""`chatdesk bench connections`: many idle SSE streams on the server's processes.

Registers `n` visitors, opens one event stream each (a lean aiohttp reader per stream, no
locust), and reports the resident memory per stream of the server's processes (summed over a
`--workers` server's worker processes) and whether every stream kept receiving heartbeats.

The streams are held by client processes of at most `STREAMS_PER_CLIENT` each: a process may
have no more open files than its hard limit (20,000 on the machine these figures come from).
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import resource
import time
from dataclasses import dataclass, field

import aiohttp

from chatdesk.bench.accounts import signed_in_admin
from chatdesk.bench.server import process_tree

# Streams one client process holds: half the usual 20,000 open-file limit leaves room, and
# one aiohttp process on one core still reads every heartbeat of this many on time.
STREAMS_PER_CLIENT = 10_000
# Streams are opened in waves of this many, as a crowd of page loads would.
WAVE = 500
# A wave must be open (every stream has its `ready` event) within this many seconds.
WAVE_TIMEOUT_S = 60


@dataclass
class ConnectionsResult:
    n: int
    opened: int = 0
    rss_before_mb: float | None = None
    rss_after_mb: float | None = None
    rss_per_stream_kb: float | None = None
    server_processes: int = 0
    client_processes: int = 0
    heartbeats_on_time: int = 0
    heartbeat_gap_s: dict = field(default_factory=dict)
    open_s: float = 0.0


def raise_open_file_limit() -> int:
    """Raise this process's soft limit on open files to its hard limit (children inherit it); returns it."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def _server_rss_mb(server_pid: int) -> tuple[float, int]:
    """Resident memory of the server and its worker processes, and how many processes that is."""
    processes = process_tree(server_pid)
    return sum(process.memory_info().rss for process in processes) / 2**20, len(processes)


async def run_connections(base_url: str, admin_email: str, admin_password: str, *, n: int, server_pid: int | None,
                          heartbeat_s: float) -> ConnectionsResult:
    """Open `n` streams from client processes, then watch two heartbeat intervals on each."""
    result = ConnectionsResult(n)
    async with signed_in_admin(base_url, admin_email, admin_password, "bench connections") as (_session, admin, widget):

        async def register() -> str:
            _, body = await admin.request("POST", f"/api/v1/widgets/{widget['id']}/visitors", json={})
            return body["token"]

        tokens: list[str] = []
        for start in range(0, n, 200):
            tokens += await asyncio.gather(*(register() for _ in range(start, min(n, start + 200))))
    if server_pid:
        result.rss_before_mb, result.server_processes = _server_rss_mb(server_pid)

    clients = math.ceil(n / STREAMS_PER_CLIENT)
    context = multiprocessing.get_context("spawn")  # no fork from inside a running event loop
    opened_reports, watched_reports = context.Queue(), context.Queue()
    processes = [context.Process(target=_client, args=(base_url, tokens[i::clients], heartbeat_s,
                                                        opened_reports, watched_reports))
                 for i in range(clients)]
    for process in processes:
        process.start()
    try:
        opened = [await _report(opened_reports) for _ in processes]
        result.opened, result.open_s = sum(count for count, _ in opened), max(seconds for _, seconds in opened)
        if server_pid and result.rss_before_mb is not None:
            result.rss_after_mb, _ = _server_rss_mb(server_pid)
            result.rss_per_stream_kb = (result.rss_after_mb - result.rss_before_mb) * 1024 / n
        watched = [await _report(watched_reports) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    result.client_processes = clients
    result.heartbeats_on_time = sum(on_time for on_time, _ in watched)
    gaps = sorted(gap for _, client_gaps in watched for gap in client_gaps)
    if gaps:
        result.heartbeat_gap_s = {"p50": gaps[len(gaps) // 2], "p99": gaps[int(0.99 * (len(gaps) - 1))],
                                  "max": gaps[-1]}
    return result


async def _report(reports):
    """The next report from a client process on this queue; a client that failed sent its error."""
    report = await asyncio.to_thread(reports.get, True, WAVE_TIMEOUT_S * 10)
    if isinstance(report, str):
        raise RuntimeError(f"a bench client failed: {report}")
    return report


def _client(base_url: str, tokens: list[str], heartbeat_s: float, opened_reports, watched_reports) -> None:
    """A client process: hold one stream per token, then watch the heartbeats."""
    raise_open_file_limit()
    try:
        asyncio.run(_hold_streams(base_url, tokens, heartbeat_s, opened_reports, watched_reports))
    except Exception as error:  # noqa: BLE001 - the parent raises it, whichever report it waits for
        opened_reports.put(repr(error))
        watched_reports.put(repr(error))


async def _hold_streams(base_url: str, tokens: list[str], heartbeat_s: float, opened_reports,
                        watched_reports) -> None:
    """Open a stream per token in waves and report (count, seconds); then, after two heartbeat
    intervals, report (streams that beat in them, gaps between beats)."""
    n = len(tokens)
    last_beat: list[float] = [0.0] * n
    gaps: list[float] = []
    ready = asyncio.Semaphore(0)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                     timeout=aiohttp.ClientTimeout(total=None)) as session:

        async def hold(i: int) -> None:
            async with session.get(base_url + "/api/v1/events",
                                   headers={"Authorization": f"Bearer {tokens[i]}"}) as response:
                async for line in response.content:
                    now = time.monotonic()
                    if line.startswith(b"event: ready"):
                        last_beat[i] = now
                        ready.release()
                    elif line.startswith(b":"):
                        if last_beat[i]:
                            gaps.append(now - last_beat[i])
                        last_beat[i] = now

        started = time.monotonic()
        holders = []
        for start in range(0, n, WAVE):
            wave = [asyncio.create_task(hold(i)) for i in range(start, min(n, start + WAVE))]
            holders += wave
            for _ in wave:
                await asyncio.wait_for(ready.acquire(), WAVE_TIMEOUT_S)
        opened_reports.put((n, time.monotonic() - started))
        watch_from = time.monotonic()
        gaps.clear()
        await asyncio.sleep(2 * heartbeat_s + 1)  # the measurement window itself
        on_time = sum(1 for beat in last_beat if beat > watch_from)
        watched_reports.put((on_time, gaps))
        for task in holders:
            task.cancel()
        await asyncio.gather(*holders, return_exceptions=True)
