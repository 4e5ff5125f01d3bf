"""`chatdesk bench routing`: from `POST /chats` to the offer and to `chat.assigned`.

Chats arrive at a fixed rate (open loop) in an auto-routing department of the bench's own; agents with capacity hold
event streams, accept each offer as it arrives and end the chat after a hold time, so capacity
keeps turning over as in a real queue.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field

from chatdesk.bench.accounts import online_agents, signed_in_admin
from chatdesk.bench.client import Client
from chatdesk.bench.stats import percentiles


@dataclass
class RoutingResult:
    rate: float
    agents: int
    capacity: int
    duration_s: float
    chats: int = 0
    assigned: int = 0
    refused: int = 0
    offer_ms: dict = field(default_factory=dict)
    accept_ms: dict = field(default_factory=dict)
    assigned_ms: dict = field(default_factory=dict)


async def run_routing(base_url: str, admin_email: str, admin_password: str, *, rate: float, agents: int,
                      capacity: int, duration_s: float, hold_s: float) -> RoutingResult:
    """Run the benchmark against a server whose default department routes automatically."""
    result = RoutingResult(rate, agents, capacity, duration_s)
    async with signed_in_admin(base_url, admin_email, admin_password, "bench routing") as (session, admin, widget):
        _, department = await admin.request("POST", "/api/v1/departments", json={
            "name": f"bench routing {uuid.uuid4().hex[:6]}", "routing_mode": "auto"})
        staff = await online_agents(base_url, session, admin, agents, capacity, department["id"])
        started_at: dict[str, float] = {}
        offered_at: dict[str, float] = {}  # an offer can arrive before the POST's answer does
        assigned_ms: list[float] = []
        accept_ms: list[float] = []
        background: set[asyncio.Task] = set()

        async def accept_hold_end(agent: Client, chat_id: str) -> None:
            try:
                await agent.accept(chat_id)
            except Exception:  # noqa: BLE001 - a withdrawn offer; routing moves on
                return
            accept_ms.append((time.perf_counter() - offered_at[chat_id]) * 1000)
            await asyncio.sleep(hold_s)  # the simulated conversation
            await agent.end(chat_id)

        async def work(agent: Client, ready: asyncio.Event) -> None:
            async for event in agent.events():
                if event.type == "ready":
                    ready.set()
                elif event.type == "chat.offered":
                    chat_id = event.data["chat"]["id"]
                    offered_at.setdefault(chat_id, time.perf_counter())
                    task = asyncio.create_task(accept_hold_end(agent, chat_id))
                    background.add(task)
                    task.add_done_callback(background.discard)

        readies = [asyncio.Event() for _ in staff]
        workers = [asyncio.create_task(work(agent, ready)) for agent, ready in zip(staff, readies, strict=True)]
        await asyncio.wait_for(asyncio.gather(*(ready.wait() for ready in readies)), 30)

        async def one_chat() -> None:
            visitor = Client(base_url, session=session)
            await visitor.register_visitor(widget["id"])
            assigned = asyncio.Event()

            async def watch() -> None:
                async for event in visitor.events():
                    if event.type == "ready":
                        watching.set()
                    elif event.type == "chat.assigned":
                        assigned.set()
                        return

            watching = asyncio.Event()
            watcher = asyncio.create_task(watch())
            await watching.wait()
            started = time.perf_counter()
            try:
                _, body = await visitor.request("POST", "/api/v1/chats", json={"department_id": department["id"]})
            except Exception:  # noqa: BLE001 - counted (no agent online or at capacity)
                result.refused += 1
                watcher.cancel()
                return
            started_at[body["chat"]["id"]] = started
            try:
                await asyncio.wait_for(assigned.wait(), 60)
                assigned_ms.append((time.perf_counter() - started) * 1000)
            except TimeoutError:
                pass
            watcher.cancel()

        total = int(rate * duration_s)
        begin = time.perf_counter()
        arrivals = []
        for i in range(total):
            delay = begin + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            arrivals.append(asyncio.create_task(one_chat()))
        await asyncio.gather(*arrivals)
        await asyncio.gather(*background)  # an accept's answer may come after the visitor's chat.assigned
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    result.chats, result.assigned = total, len(assigned_ms)
    offer_ms = [(offered_at[chat_id] - started) * 1000
                for chat_id, started in started_at.items() if chat_id in offered_at]
    result.offer_ms, result.accept_ms = percentiles(offer_ms), percentiles(accept_ms)
    result.assigned_ms = percentiles(assigned_ms)
    return result
