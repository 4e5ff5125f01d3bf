"""Group commit of the usual message (desk/thread.py `Appends`): messages that come together are
stored by one statement, a chat's in the order they came, and a chat another transaction holds
never holds up the rest."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis.asyncio as aioredis
import sqlalchemy as sa

from chatdesk.bench.client import Client
from chatdesk.db.engine import create_engine
from chatdesk.db.tables import chats, messages
from chatdesk.desk.thread import Appends
from chatdesk.desk.transactions import Transactions
from chatdesk.metrics import MESSAGE_GROUPS
from chatdesk.realtime.outbox import Outbox
from chatdesk.realtime.streams import Streams
from tests.realtime_helpers import EventLog, new_widget, online_agent


@pytest.fixture
async def transactions(database_url, redis_url):
    engine = create_engine(database_url, pool_size=2)
    redis = aioredis.from_url(redis_url)
    yield Transactions(engine, Outbox(engine, Streams(redis)))
    await redis.aclose()
    await engine.dispose()


@pytest.fixture
async def agent_chats(live_server, database_url, make_agent):
    """An agent with an event log, and three chats of three visitors that the agent accepted."""
    agent = await online_agent(live_server, make_agent())
    widget = await new_widget(database_url)
    visitors, chat_list = [], []
    for name in ("Ann", "Bo", "Cy"):
        visitor = Client(live_server)
        await visitor.register_visitor(widget, name=name)
        chat = await visitor.start_chat()
        await agent.accept(chat["id"])
        visitors.append(visitor)
        chat_list.append(chat)
    log = EventLog(agent)
    await log.wait_for(lambda e: e.type == "ready")
    yield log, chat_list
    await log.close()
    for client in (agent, *visitors):
        await client.close()


def _visitor_send(appends: Appends, chat: dict, body: str):
    return appends.append(uuid.UUID(chat["id"]), sender_type="visitor", sender_id=uuid.UUID(chat["visitor"]["id"]),
                          sender_name=None, body=body, client_msg_id=uuid.uuid4().hex, internal=False)


async def _last_seqs(engine, chat_list: list[dict]) -> dict[str, tuple[int, int]]:
    """Each chat's (last_seq, visitor_last_seq)."""
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(chats.c.id, chats.c.last_seq, chats.c.visitor_last_seq)
                                   .where(chats.c.id.in_([chat["id"] for chat in chat_list])))).all()
    return {str(chat_id): (last, shown) for chat_id, last, shown in rows}


def _groups() -> tuple[float, float]:
    """(statements, messages) the group commit stored so far in this process."""
    samples = {s.name: s.value for metric in MESSAGE_GROUPS.collect() for s in metric.samples}
    return samples["chatdesk_message_group_size_count"], samples["chatdesk_message_group_size_sum"]


async def test_messages_that_come_together_are_stored_by_one_statement_a_chats_in_order(transactions, agent_chats):
    log, (ann, bo, cy) = agent_chats
    appends = Appends(transactions)
    before = {chat_id: last for chat_id, (last, _) in (await _last_seqs(transactions.engine, [ann, bo, cy])).items()}
    statements, stored = _groups()
    sent = await asyncio.gather(_visitor_send(appends, ann, "ann 1"), _visitor_send(appends, bo, "bo"),
                                _visitor_send(appends, ann, "ann 2"), _visitor_send(appends, cy, "cy"))
    # Ann's second message needs a statement of its own: one chat's seq moves once per statement.
    assert _groups() == (statements + 2, stored + 4)
    a, b, c = before[ann["id"]], before[bo["id"]], before[cy["id"]]
    assert [(m["body"], m["seq"], m["sender"]["name"]) for m in sent] == [
        ("ann 1", a + 1, "Ann"), ("bo", b + 1, "Bo"), ("ann 2", a + 2, "Ann"), ("cy", c + 1, "Cy")]
    assert sent[0]["created_at"] == sent[1]["created_at"] == sent[3]["created_at"]  # one transaction
    async with transactions.engine.connect() as conn:
        rows = (await conn.execute(sa.select(messages.c.body, messages.c.seq, messages.c.sender_name)
                                   .where(messages.c.id.in_([m["id"] for m in sent])))).all()
    assert sorted(rows) == [("ann 1", a + 1, "Ann"), ("ann 2", a + 2, "Ann"), ("bo", b + 1, "Bo"), ("cy", c + 1, "Cy")]
    assert await _last_seqs(transactions.engine, [ann, bo, cy]) == {
        ann["id"]: (a + 2, a + 2), bo["id"]: (b + 1, b + 1), cy["id"]: (c + 1, c + 1)}
    for message in sent:  # each pushed once, as stored
        event = await log.wait_for(lambda e, m=message: e.type == "message.created"
                                   and e.data["message"]["id"] == str(m["id"]))
        assert (event.data["message"]["seq"], event.data["message"]["body"]) == (message["seq"], message["body"])


async def test_a_chat_another_transaction_holds_does_not_hold_up_the_group(transactions, agent_chats):
    _log, (ann, bo, _cy) = agent_chats
    appends = Appends(transactions)
    async with transactions.engine.begin() as holder:
        await holder.execute(sa.select(chats.c.id).where(chats.c.id == ann["id"]).with_for_update())
        held, free = await asyncio.wait_for(
            asyncio.gather(_visitor_send(appends, ann, "waits"), _visitor_send(appends, bo, "goes")), 10)
    # Nothing written for Ann's: post_message takes the long way with it, which waits for the lock.
    assert held is None
    assert free is not None and free["body"] == "goes"
    async with transactions.engine.connect() as conn:
        bodies = (await conn.execute(sa.select(messages.c.body).where(messages.c.chat_id.in_([ann["id"], bo["id"]]),
                                                                      messages.c.sender_type == "visitor"))
                  ).scalars().all()
    assert bodies == ["goes"]


async def test_a_message_whose_check_fails_is_not_written_and_the_rest_are(transactions, agent_chats):
    _log, (ann, bo, _cy) = agent_chats
    appends = Appends(transactions)
    stranger = {**ann, "visitor": {"id": bo["visitor"]["id"]}}  # Bo's visitor writing into Ann's chat
    before = await _last_seqs(transactions.engine, [ann, bo])
    refused, stored = await asyncio.gather(_visitor_send(appends, stranger, "not mine"),
                                           _visitor_send(appends, bo, "mine"))
    assert refused is None
    assert stored is not None and stored["seq"] == before[bo["id"]][0] + 1
    assert (await _last_seqs(transactions.engine, [ann]))[ann["id"]] == before[ann["id"]]
