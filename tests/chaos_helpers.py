"""Chats under load for chaos-style tests: every client mirrors what it saw, and at the end every
client's view of every chat must equal the database (nothing lost, nothing twice, order by seq)."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg

from chatdesk.bench.client import Client
from chatdesk.bench.stats import percentiles
from chatdesk.db.engine import connect
from tests.realtime_helpers import ChatMirror, StreamCutter, new_widget, online_agent, wait_until

CONVERGE_WITHIN_S = 60


class Participant:
    """A client, what it has seen (mirror), and the task applying its events; `arrived` holds when
    each message first came live on its stream (monotonic seconds), `epochs` when the first message
    of each epoch did."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.mirror = ChatMirror(client)
        self.live_events = 0
        self.arrived: dict[str, float] = {}
        self.epochs: dict[str, float] = {}
        self.ready = asyncio.Event()  # its first stream is open
        self.task = asyncio.create_task(self._consume())

    async def _consume(self) -> None:
        async for event in self.client.events():
            now = time.monotonic()
            self.ready.set()
            if event.type == "message.created":
                self.live_events += 1
                self.epochs.setdefault((event.id or "").partition(":")[0], now)
                self.arrived.setdefault(event.data["message"]["id"], now)
            await self.mirror.apply(event)

    async def close(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.client.close()


class TwoParties:
    """An agent and a visitor in one accepted chat on one server, each following its own stream."""

    def __init__(self, agent: Client, visitor: Client, chat_id: str) -> None:
        self.agent, self.visitor, self.chat_id = agent, visitor, chat_id
        self.participants = [Participant(agent), Participant(visitor)]

    @classmethod
    async def open(cls, base_url: str, database_url: str, agent_account: dict) -> TwoParties:
        agent = await online_agent(base_url, agent_account)
        visitor = Client(base_url)
        await visitor.register_visitor(await new_widget(database_url), name="Vi")
        chat_id = (await visitor.start_chat())["id"]
        await agent.accept(chat_id)
        parties = cls(agent, visitor, chat_id)
        for participant in parties.participants:
            await participant.ready.wait()
        return parties

    async def delivered(self, sender: Client, body: str, timeout_s: float = 10) -> float:
        """Send; wait until both streams brought the message. Returns the seconds from the send on."""
        sent = time.monotonic()
        message = await sender.send(self.chat_id, body)
        for participant in self.participants:
            await wait_until(lambda: participant.mirror.messages.get(self.chat_id, {}),
                             lambda held: message["seq"] in held, timeout_s)
        return time.monotonic() - sent

    async def resynced(self) -> None:
        """Wait until each stream said `resync` at least once."""
        await wait_until(lambda: [p.mirror.resyncs for p in self.participants], lambda counts: min(counts) >= 1)

    async def close(self) -> None:
        for participant in self.participants:
            await participant.close()


async def database_view(database_url: str, chat_ids: list[str]) -> dict[str, list[tuple]]:
    # The machine's PostgreSQL is shared: wait for a free connection slot rather than fail.
    conn = await wait_until(lambda: _connect_or_none(database_url), lambda conn: conn is not None, timeout_s=60)
    try:
        rows = await conn.fetch("SELECT chat_id::text, seq, id::text, body FROM chatdesk.messages "
                                "WHERE chat_id = ANY($1::uuid[]) ORDER BY chat_id, seq", chat_ids)
    finally:
        await conn.close()
    view: dict[str, list[tuple]] = {chat_id: [] for chat_id in chat_ids}
    for row in rows:
        view[row["chat_id"]].append((row["seq"], row["id"], row["body"]))
    return view


async def _connect_or_none(database_url: str) -> asyncpg.Connection | None:
    try:
        return await connect(database_url)
    except asyncpg.TooManyConnectionsError:
        return None


def client_view(participant: Participant, chat_id: str) -> list[tuple]:
    held = participant.mirror.messages.get(chat_id, {})
    return [(seq, m["id"], m["body"]) for seq, m in sorted(held.items())]


@dataclass
class Sent:
    """A message sent under load: when its POST started, and by whom."""

    at: float
    sender: Client


class ChatLoad:
    """`chats` chats, each a visitor and one of two agents, over the servers at `urls`; `run` sends
    `total` messages from all chats at once and runs each step of a plan when that share is sent."""

    def __init__(self, urls: list[str], database_url: str, make_agent, chats: int, total: int) -> None:
        self.urls, self.database_url, self.make_agent = urls, database_url, make_agent
        self.chat_count, self.total = chats, total
        self.cutter = StreamCutter()
        self.chats: list[tuple[str, Client, Client]] = []  # (chat_id, visitor, agent)
        self.participants: list[Participant] = []
        self.sent: dict[str, Sent] = {}  # message id -> Sent
        self._sent_count = 0
        self.seconds = 0.0  # how long `run` took
        self._progress = asyncio.Condition()

    async def open(self) -> None:
        widget_id = await new_widget(self.database_url)
        agents = [await online_agent(self.urls, self.make_agent(max_chats=self.chat_count), self.cutter.session)
                  for _ in range(2)]
        for i in range(self.chat_count):
            visitor = Client(self.urls, session=self.cutter.session)
            await visitor.register_visitor(widget_id, name=f"Visitor {i}")
            chat = await visitor.start_chat()
            agent = agents[i % len(agents)]
            await agent.accept(chat["id"])
            self.chats.append((chat["id"], visitor, agent))
        self.participants = [Participant(client) for client in [*agents, *(v for _, v, _ in self.chats)]]
        for participant in self.participants:  # they follow every chat they are in from the start
            for chat_id, visitor, agent in self.chats:
                if participant.client in (visitor, agent):
                    participant.mirror.messages.setdefault(chat_id, {})
        for participant in self.participants:
            await participant.ready.wait()

    async def run(self, plan: list[tuple[float, Callable[[], Awaitable[object]]]], seed: int = 20261130) -> None:
        """Send every message; each (fraction, step) of `plan` runs once that share is sent."""
        rng = random.Random(seed)

        async def talk(chat_id: str, visitor: Client, agent: Client, share: int) -> None:
            for n in range(share):
                sender = visitor if rng.random() < 0.5 else agent
                started = time.monotonic()
                message = await sender.send(chat_id, f"{chat_id[:8]} #{n} {uuid.uuid4().hex[:6]}")
                self.sent[message["id"]] = Sent(started, sender)
                async with self._progress:
                    self._sent_count += 1
                    self._progress.notify_all()

        async def steps() -> None:
            for fraction, step in plan:
                async with self._progress:
                    await self._progress.wait_for(lambda: self._sent_count >= self.total * fraction)
                await step()

        started = time.monotonic()
        shares = [self.total // self.chat_count + (1 if i < self.total % self.chat_count else 0)
                  for i in range(self.chat_count)]
        await asyncio.gather(steps(), *(talk(c, v, a, share)
                                        for (c, v, a), share in zip(self.chats, shares, strict=True)))
        self.seconds = time.monotonic() - started

    async def check(self) -> dict[str, float]:
        """Wait until every client's view equals the database; assert seq order and the count sent.
        Returns the figures: messages, chats, live deliveries, resyncs, gaps filled, duplicates
        dropped, and the delivery time (POST to the other party's stream) p50/p99 in ms."""
        chat_ids = [chat_id for chat_id, _, _ in self.chats]
        truth = await database_view(self.database_url, chat_ids)

        def converged() -> bool:
            return all(client_view(p, chat_id) == truth[chat_id]
                       for p in self.participants for chat_id in p.mirror.messages)

        async with asyncio.timeout(CONVERGE_WITHIN_S):
            while not converged():
                await asyncio.sleep(0.2)  # polling the clients' views; they heal through events alone
        user_messages = sum(1 for messages in truth.values() for _, _, body in messages if "#" in body)
        assert user_messages == self.total
        for participant in self.participants:
            for chat_id in participant.mirror.messages:
                seqs = [seq for seq, _, _ in client_view(participant, chat_id)]
                assert seqs == list(range(1, len(seqs) + 1))
        delays = [(p.arrived[message_id] - sent.at) * 1000 for p in self.participants
                  for message_id, sent in self.sent.items() if p.client is not sent.sender and message_id in p.arrived]
        delivery = percentiles(delays)
        return {
            "messages": user_messages, "chats": self.chat_count, "seconds": round(self.seconds, 1),
            "messages/s": round(user_messages / self.seconds, 1) if self.seconds else 0.0,
            "live deliveries": sum(p.live_events for p in self.participants),
            "resyncs": sum(p.mirror.resyncs for p in self.participants),
            "gaps filled": sum(p.mirror.gaps_filled for p in self.participants),
            "duplicates dropped": sum(p.mirror.duplicates_dropped for p in self.participants),
            "p50 ms": round(delivery["p50"]), "p99 ms": round(delivery["p99"]),
        }

    async def close(self) -> None:
        for participant in self.participants:
            await participant.close()
        await self.cutter.close()
