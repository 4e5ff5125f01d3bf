"""`chatdesk bench realtime`: delivery latency from a visitor's POST to the agent's SSE event.

Visitors send at a fixed total rate (open loop: a late answer never delays the next send) into
`chats` live chats; agents hold event streams and timestamp each message as it arrives. The same
run measures the floor: a raw Redis XADD -> XREAD round trip and a raw PostgreSQL commit.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import asyncpg
import psutil

from chatdesk.bench.accounts import online_agents, signed_in_admin
from chatdesk.bench.client import ApiError, Client
from chatdesk.bench.floors import postgres_commit, redis_round_trip
from chatdesk.bench.server import process_tree
from chatdesk.bench.stats import percentiles
from chatdesk.db.engine import connect

AGENT_CAPACITY = 100  # the schema's ceiling for max_chats


@dataclass
class RealtimeResult:
    rate: float
    chats: int
    duration_s: float
    sent: int = 0
    delivered: int = 0
    errors: int = 0
    delivery_ms: dict = field(default_factory=dict)
    post_ms: dict = field(default_factory=dict)
    redis_floor_ms: dict = field(default_factory=dict)
    postgres_floor_ms: dict = field(default_factory=dict)
    server_cpu_ms_per_message: float | None = None
    postgres_cpu_ms_per_message: float | None = None  # when PostgreSQL runs on this machine and says where
    machine_busy_percent: float | None = None
    machine_cpus: int = field(default_factory=lambda: psutil.cpu_count() or 1)


def _tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of a process and its live children (the server and its workers)."""
    total = 0.0
    for process in process_tree(pid):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


async def _data_directory(database_url: str) -> str | None:
    """Where PostgreSQL keeps its data; None when the role may not read the setting."""
    conn = await connect(database_url)
    try:
        return await conn.fetchval("SELECT current_setting('data_directory')")
    except asyncpg.PostgresError:
        return None
    finally:
        await conn.close()


def _postmaster(data_directory: str) -> psutil.Process | None:
    """PostgreSQL's postmaster, from its pid file; None when PostgreSQL runs on another machine (or
    the file is not ours to read)."""
    try:
        return psutil.Process(int(Path(data_directory, "postmaster.pid").read_text().split()[0]))
    except (OSError, ValueError, IndexError, psutil.Error):
        return None


def _postgres_cpu_s(postmaster: psutil.Process) -> float:
    """CPU seconds of PostgreSQL: the postmaster, its live processes, and those that ended (a
    connection opened and closed meanwhile counts too: its backend's CPU goes to the postmaster's
    children's times when it ends)."""
    times = postmaster.cpu_times()
    return _tree_cpu_s(postmaster.pid) + times.children_user + times.children_system


def _machine_busy_s() -> float:
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


async def _setup(base_url: str, session: aiohttp.ClientSession, admin: Client, chats: int,
                 widget_id: str) -> tuple[list[Client], list[tuple[str, Client]]]:
    """Agents with capacity, online, and `chats` visitors each in a chat an agent accepted."""
    agents = await online_agents(base_url, session, admin, math.ceil(chats / AGENT_CAPACITY), AGENT_CAPACITY)

    async def one(i: int) -> tuple[str, Client]:
        visitor = Client(base_url, session=session)
        await visitor.register_visitor(widget_id, name=f"Bench visitor {i}")
        try:
            chat = await visitor.start_chat()
        except ApiError as error:  # a retry (the first answer timed out on a busy machine) found the chat
            if error.status != 409:
                raise
            chat = (await visitor.request("GET", "/api/v1/chats"))[1]["chats"][0]
        await agents[i // AGENT_CAPACITY].accept(chat["id"])
        return chat["id"], visitor

    pairs = []
    for start in range(0, chats, 50):
        pairs += await asyncio.gather(*(one(i) for i in range(start, min(chats, start + 50))))
    return agents, pairs


async def run_realtime(base_url: str, admin_email: str, admin_password: str, *, rate: float, chats: int,
                       duration_s: float, database_url: str | None, redis_url: str | None,
                       server_pid: int | None = None) -> RealtimeResult:
    """Run the benchmark against a server; floors are measured when the URLs are known, the
    server's CPU per message when its pid is (a server this process started)."""
    result = RealtimeResult(rate, chats, duration_s)
    async with signed_in_admin(base_url, admin_email, admin_password, "bench realtime") as (session, admin, widget):
        agents, pairs = await _setup(base_url, session, admin, chats, widget["id"])

        sent_at: dict[str, float] = {}
        delivery: list[float] = []
        ready = [asyncio.Event() for _ in agents]

        async def listen(agent: Client, ready_event: asyncio.Event) -> None:
            async for event in agent.events():
                if event.type == "ready":
                    ready_event.set()
                elif event.type == "message.created":
                    started = sent_at.pop(event.data["message"]["client_msg_id"], None)
                    if started is not None:
                        delivery.append((time.perf_counter() - started) * 1000)

        async def visitor_stream(visitor: Client, ready_event: asyncio.Event) -> None:
            async for event in visitor.events():  # visitors keep their streams open, as real widgets do
                if event.type == "ready":
                    ready_event.set()

        visitors_ready = [asyncio.Event() for _ in pairs]
        listeners = [asyncio.create_task(listen(a, r)) for a, r in zip(agents, ready, strict=True)]
        listeners += [asyncio.create_task(visitor_stream(visitor, r))
                      for (_, visitor), r in zip(pairs, visitors_ready, strict=True)]
        # Sending starts once every stream is open: opening them is not what this measures.
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in ready + visitors_ready)), 120)

        post_times: list[float] = []

        async def send_one(i: int) -> None:
            chat_id, visitor = pairs[i % len(pairs)]
            client_msg_id = uuid.uuid4().hex
            started = time.perf_counter()
            sent_at[client_msg_id] = started
            try:
                await visitor.send(chat_id, f"bench message {i}", client_msg_id)
                post_times.append((time.perf_counter() - started) * 1000)
            except Exception:  # noqa: BLE001 - counted and reported, the run goes on
                sent_at.pop(client_msg_id, None)
                result.errors += 1

        total = int(rate * duration_s)
        data_directory = await _data_directory(database_url) if database_url else None
        postmaster = _postmaster(data_directory) if data_directory else None
        postgres_cpu_before = _postgres_cpu_s(postmaster) if postmaster else None
        server_cpu_before = _tree_cpu_s(server_pid) if server_pid else None
        machine_before = _machine_busy_s()
        start = time.perf_counter()
        sends = []
        for i in range(total):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            sends.append(asyncio.create_task(send_one(i)))
        await asyncio.gather(*sends)
        deadline = time.perf_counter() + 10
        while sent_at and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)  # letting the last deliveries arrive
        elapsed = time.perf_counter() - start
        result.machine_busy_percent = 100 * (_machine_busy_s() - machine_before) / (elapsed * result.machine_cpus)
        if server_pid and server_cpu_before is not None and total:
            result.server_cpu_ms_per_message = 1000 * (_tree_cpu_s(server_pid) - server_cpu_before) / total
        if postmaster and postgres_cpu_before is not None and total:
            result.postgres_cpu_ms_per_message = 1000 * (_postgres_cpu_s(postmaster) - postgres_cpu_before) / total
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
        result.sent, result.delivered = total - result.errors, len(delivery)
        result.delivery_ms, result.post_ms = percentiles(delivery), percentiles(post_times)
    if redis_url:
        result.redis_floor_ms = await redis_round_trip(redis_url)
    if database_url:
        result.postgres_floor_ms = await postgres_commit(database_url)
    return result
