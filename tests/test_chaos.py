"""Chaos: nothing lost, nothing twice, order by seq, whatever breaks.

While visitors and agents exchange messages through two `chatdesk serve` processes, the test
drops event streams, SIGKILLs a server and restarts it, restarts Redis and flushes it, and last
restarts Redis without its data under streams that stay connected. At the end every client's view
of every chat must equal the database. CI runs 2,000 messages over 20 chats; the `slow` variant
20,000 over 100 (`--messages N --chats M` set either by hand).
"""

from __future__ import annotations

import asyncio
import random
import uuid

import pytest
import redis.asyncio as aioredis

from chatdesk.bench.client import Client
from tests.chaos_helpers import CONVERGE_WITHIN_S, Participant, TwoParties, client_view, database_view
from tests.realtime_helpers import StreamCutter, new_widget, online_agent


async def test_open_streams_carry_new_messages_after_redis_comes_back_empty(serve, make_agent, database_url,
                                                                             private_redis):
    """Streams that stay connected while Redis restarts without its data go on delivering, live."""
    server = serve(redis=private_redis)
    chat = await TwoParties.open(server.base_url, database_url, make_agent())
    try:
        await chat.delivered(chat.visitor, "before the restart")
        await asyncio.to_thread(private_redis.restart, lose_data=True)
        first = await chat.delivered(chat.visitor, "right after the restart")
        await chat.resynced()
        # From here on only live events can bring the messages: nothing cuts the streams.
        later = [await chat.delivered(chat.agent if n % 2 else chat.visitor, f"later #{n}") for n in range(3)]
        print(f"\nafter Redis came back empty: the first message reached both open streams in {first:.2f} s, "
              f"later ones in {max(later) * 1000:.0f} ms at most")
    finally:
        await chat.close()


@pytest.mark.parametrize(("messages", "chats"), [
    pytest.param(2000, 20, id="ci"),
    pytest.param(20000, 100, id="big", marks=[pytest.mark.slow, pytest.mark.timeout(1800)]),
])
async def test_chaos_nothing_lost_nothing_twice(request, serve, make_agent, database_url, private_redis,
                                                messages, chats):
    total = request.config.getoption("--messages") or messages
    chat_count = request.config.getoption("--chats") or chats
    rng = random.Random(20261125)
    env = {"CHATDESK_VISITOR_MESSAGE_RATE": "100000 per minute", "CHATDESK_AGENT_MESSAGE_RATE": "100000 per minute"}
    servers = [serve(redis=private_redis, **env) for _ in range(2)]
    urls = [server.base_url for server in servers]
    counts = {"drops": 0, "kills": 0, "redis_restarts": 0, "redis_flushes": 0, "empty_redis_restarts": 0}
    participants: list[Participant] = []
    cutter = StreamCutter()
    try:
        widget_id = await new_widget(database_url)
        agents = [await online_agent(urls, make_agent(max_chats=chat_count), cutter.session) for _ in range(2)]
        chats = []  # (chat_id, visitor client, agent client)
        for i in range(chat_count):
            visitor = Client(urls, session=cutter.session)
            await visitor.register_visitor(widget_id, name=f"Visitor {i}")
            chat = await visitor.start_chat()
            agent = agents[i % len(agents)]
            await agent.accept(chat["id"])
            chats.append((chat["id"], visitor, agent))
        participants = [Participant(client) for client in [*agents, *(visitor for _, visitor, _ in chats)]]
        for participant in participants:  # they follow every chat they are in from the start
            for chat_id, visitor, agent in chats:
                if participant.client in (visitor, agent):
                    participant.mirror.messages.setdefault(chat_id, {})

        sent = 0
        progress = asyncio.Condition()

        async def talk(chat_id: str, visitor: Client, agent: Client, share: int) -> None:
            nonlocal sent
            for n in range(share):
                sender = visitor if rng.random() < 0.5 else agent
                await sender.send(chat_id, f"{chat_id[:8]} #{n} {uuid.uuid4().hex[:6]}")
                async with progress:
                    sent += 1
                    progress.notify_all()

        async def at(fraction: float) -> None:
            async with progress:
                await progress.wait_for(lambda: sent >= total * fraction)

        async def chaos() -> None:
            # The last step cuts nothing: what is sent after it can only arrive on streams left open.
            plan = [(0.05, "drop"), (0.1, "kill"), (0.2, "drop"), (0.3, "flush"), (0.4, "drop"),
                    (0.5, "restart_redis"), (0.6, "drop"), (0.7, "kill"), (0.8, "drop"), (0.9, "flush"),
                    (0.95, "restart_redis_empty")]
            for fraction, action in plan:
                await at(fraction)
                if action == "drop":
                    for participant in rng.sample(participants, k=max(1, len(participants) // 3)):
                        counts["drops"] += cutter.cut(participant.client)
                elif action == "kill":
                    server = servers[counts["kills"] % 2]
                    server.kill()
                    counts["kills"] += 1
                    await asyncio.to_thread(server.start)
                elif action == "flush":
                    await aioredis.from_url(private_redis.url).flushall()
                    counts["redis_flushes"] += 1
                elif action == "restart_redis":
                    await asyncio.to_thread(private_redis.restart)
                    counts["redis_restarts"] += 1
                elif action == "restart_redis_empty":
                    await asyncio.to_thread(private_redis.restart, lose_data=True)
                    counts["empty_redis_restarts"] += 1

        shares = [total // chat_count + (1 if i < total % chat_count else 0) for i in range(chat_count)]
        await asyncio.gather(chaos(), *(talk(c, v, a, share) for (c, v, a), share in zip(chats, shares, strict=True)))

        chat_ids = [chat_id for chat_id, _, _ in chats]
        truth = await database_view(database_url, chat_ids)

        def converged() -> bool:
            return all(client_view(p, chat_id) == truth[chat_id]
                       for p in participants for chat_id in p.mirror.messages)

        async with asyncio.timeout(CONVERGE_WITHIN_S):
            while not converged():
                await asyncio.sleep(0.2)  # polling the clients' views; they heal through events alone
        stored = sum(len(messages) for messages in truth.values())
        user_messages = sum(1 for messages in truth.values() for _, _, body in messages if "#" in body)
        print(f"\nchaos: {user_messages} messages sent over {chat_count} chats ({stored} stored with system lines); "
              f"live deliveries {sum(p.live_events for p in participants)}, "
              f"gaps filled {sum(p.mirror.gaps_filled for p in participants)}, "
              f"resyncs {sum(p.mirror.resyncs for p in participants)}, "
              f"duplicates dropped {sum(p.mirror.duplicates_dropped for p in participants)}; "
              f"stream drops {counts['drops']}, server kills {counts['kills']}, "
              f"Redis restarts {counts['redis_restarts']} (and {counts['empty_redis_restarts']} without its data), "
              f"Redis flushes {counts['redis_flushes']}")
        assert user_messages == total
        assert counts["drops"] > 0  # the streams were really cut
        for participant in participants:
            for chat_id in participant.mirror.messages:
                seqs = [seq for seq, _, _ in client_view(participant, chat_id)]
                assert seqs == list(range(1, len(seqs) + 1))
    finally:
        for participant in participants:
            await participant.close()
        await cutter.close()
