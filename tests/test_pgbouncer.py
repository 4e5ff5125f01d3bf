"""chatdesk through PgBouncer (Debian's 1.18: no prepared statements across transactions), in
transaction mode as Supabase's pooler on port 6543 runs it, and in session mode: a chat, routing and
the mail queue's claims. The whole suite runs through it with `CHATDESK_TEST_PGBOUNCER=transaction`."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from chatdesk.config import Settings
from chatdesk.db.engine import connect, create_engine
from tests.conftest import migrated_database
from tests.mail_helpers import two_runtimes_send_once
from tests.realtime_helpers import connected_agent, department_with, new_widget
from tests.test_routing import _close, _visitor


@pytest.fixture(scope="module", params=["transaction", "session"])
def database_url(request, new_database, pgbouncer) -> str:
    """A database of this module's own, migrated and used through PgBouncer in each pool mode."""
    bouncer = pgbouncer(request.param)
    return migrated_database(lambda: bouncer.url(new_database()))


def _send(client, chat: dict, who: str, body: str, client_msg_id: str | None = None):
    return client.post(f"/api/v1/chats/{chat['chat_id']}/messages", headers=chat[who],
                       json={"client_msg_id": client_msg_id or str(uuid.uuid4()), "body": body})


def test_a_chat_round_trip(client, active_chat):
    first = _send(client, active_chat, "visitor", "Hello?", "once")
    assert _send(client, active_chat, "visitor", "Hello?", "once").json() == first.json()  # a retry
    reply = _send(client, active_chat, "agent", "Hi, how can I help?")
    assert (first.status_code, reply.status_code) == (201, 201)
    for who in ("visitor", "agent"):
        page = client.get(f"/api/v1/chats/{active_chat['chat_id']}/messages", headers=active_chat[who]).json()
        assert [m["body"] for m in page["messages"]][-2:] == ["Hello?", "Hi, how can I help?"]


async def test_routing_offers_a_chat_and_the_agent_takes_it(live_server, make_agent, database_url):
    agent_json = make_agent(max_chats=2)
    department = await department_with(database_url, [agent_json["id"]])
    agent, agent_log = await connected_agent(live_server, agent_json)
    visitor, visitor_log = await _visitor(live_server, await new_widget(database_url), "Ada")
    chat = await visitor.start_chat(department)
    await agent_log.wait_for(lambda e: e.type == "chat.offered" and e.data["chat"]["id"] == chat["id"])
    await agent.accept(chat["id"])
    await visitor_log.wait_for(lambda e: e.type == "chat.assigned" and e.data["chat"]["id"] == chat["id"])
    await _close(visitor_log, agent_log, visitor, agent)


async def test_two_runtimes_claim_and_send_each_mail_once(settings, sink):
    await two_runtimes_send_once(settings, sink, 60)


async def test_many_connections_run_the_same_statements_at_once(database_url):
    """What breaks when statements are prepared for later: the same statements on many client
    connections sharing few server connections, engine and plain asyncpg alike."""
    engine = create_engine(database_url, pool_size=8)
    plain = [await connect(database_url) for _ in range(4)]
    try:
        async def through_engine(i: int) -> int:
            async with engine.begin() as conn:
                return (await conn.exec_driver_sql("SELECT $1::int + 1", (i,))).scalar_one()

        async def through_asyncpg(conn) -> list[int]:
            return [await conn.fetchval("SELECT $1::int + 1", i) for i in range(40)]

        for _ in range(3):
            sums = await asyncio.gather(*(through_engine(i) for i in range(40)))
            assert sums == [i + 1 for i in range(40)]
            assert await asyncio.gather(*(through_asyncpg(conn) for conn in plain)) == [sums] * len(plain)
    finally:
        for conn in plain:
            await conn.close()
        await engine.dispose()


@pytest.mark.parametrize(("url", "pooler", "transaction"), [
    ("postgresql://u:p@aws-0-eu.pooler.supabase.com:6543/postgres", "auto", True),
    ("postgresql://u:p@aws-0-eu.pooler.supabase.com:5432/postgres", "auto", False),
    ("postgresql://u:p@db:6432/app?pgbouncer=true&sslmode=require", "auto", True),
    ("postgresql://u:p@db:6543/app?pgbouncer=false", "auto", False),
    ("postgresql://u:p@db:6432/app?sslmode=require", "transaction", True),
    ("postgresql://u:p@db:6543/app", "session", False),
])
def test_the_pooler_is_read_from_the_url_or_the_setting(url, pooler, transaction):
    settings = Settings(DATABASE_URL=url, CHATDESK_DB_POOLER=pooler)
    assert settings.transaction_pooler is transaction
    assert "sslmode=require" in settings.required("database_url") or "sslmode" not in url
