"""The typing preview: a visitor's unsent text reaches the chat's agent on the `typing` event, never a
visitor, never storage (invariant 7 in docs/architecture.md), and not at all when the widget turns it off."""

from __future__ import annotations

import secrets

import pytest
import redis.asyncio as aioredis
import sqlalchemy as sa

from chatdesk.bench.client import ApiError, Client
from chatdesk.db.engine import create_engine
from chatdesk.db.tables import metadata
from tests.realtime_helpers import EventLog, connected_agent, connected_visitor, new_widget


def _preview_of(event) -> str | None:
    return event.data.get("preview") if event.type == "typing" else None


async def places_holding(database_url: str, redis_url: str, needle: str) -> list[str]:
    """Every table, and every Redis stream or string, with `needle` anywhere in it."""
    found = []
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            for table in metadata.sorted_tables:
                count = (await conn.execute(sa.text(f"SELECT count(*) FROM {table.fullname} AS row "
                                                    "WHERE row::text LIKE :needle"), {"needle": f"%{needle}%"}))
                if count.scalar_one():
                    found.append(table.fullname)
    finally:
        await engine.dispose()
    redis = aioredis.Redis.from_url(redis_url)
    try:
        async for key in redis.scan_iter(count=1000):
            kind = await redis.type(key)
            content = repr(await redis.xrange(key)) if kind == b"stream" else (
                repr(await redis.get(key)) if kind == b"string" else "")
            if needle in content:
                found.append(key.decode())
    finally:
        await redis.aclose()
    return found


async def _visitor_in_chat(base_url: str, widget_id: str, name: str, agent: Client) -> tuple[Client, EventLog, str]:
    """A visitor with an open stream and a chat `agent` accepted."""
    registering = Client(base_url)
    await registering.register_visitor(widget_id, name=name)
    visitor, log = await connected_visitor(base_url, registering.token or "")
    await registering.close()
    chat = await visitor.start_chat(first_message=f"Hello from {name}")
    await agent.accept(chat["id"])
    return visitor, log, chat["id"]


async def test_the_agent_sees_what_the_visitor_types_and_nobody_else_does_nor_stores_it(
        live_server, make_agent, database_url, redis_url):
    agent, agent_log = await connected_agent(live_server, make_agent())
    widget_id = await new_widget(database_url)
    marie_name = f"Marie {secrets.token_hex(3)}"
    marie, marie_log, chat_id = await _visitor_in_chat(live_server, widget_id, marie_name, agent)
    bob, bob_log, bobs_chat = await _visitor_in_chat(live_server, widget_id, "Bob", agent)
    needle = f"where is my order {secrets.token_hex(4)}"
    try:
        await marie.request("POST", f"/api/v1/chats/{chat_id}/typing", json={"typing": True, "preview": needle})
        seen = await agent_log.wait_for(lambda e: _preview_of(e) == needle)
        assert seen.id is None and seen.data["who"]["name"] == marie_name and seen.data["chat_id"] == chat_id

        # An agent's draft never reaches the visitor; what either visitor gets after the preview
        # was published tells that it did not reach them either (one Redis connection per process
        # hands events over in the order they were published).
        await agent.request("POST", f"/api/v1/chats/{chat_id}/typing", json={"typing": True, "preview": "draft"})
        await agent.typing(bobs_chat)
        for log, chat in ((marie_log, chat_id), (bob_log, bobs_chat)):
            await log.wait_for(lambda e, chat=chat: e.type == "typing" and e.data["chat_id"] == chat)
            assert not [e for e in log.events if _preview_of(e)], "a visitor got a typing preview"

        await marie.typing(chat_id, False)  # the box emptied, or the message sent: the preview goes
        await agent_log.wait_for(lambda e: e.type == "typing" and not e.data["typing"])
        with pytest.raises(ApiError) as too_long:
            await marie.request("POST", f"/api/v1/chats/{chat_id}/typing", json={"typing": True, "preview": "x" * 501})
        assert too_long.value.status == 422
    finally:
        for log in (agent_log, marie_log, bob_log):
            await log.close()
        for client in (agent, marie, bob):
            await client.close()
    assert await places_holding(database_url, redis_url, needle) == []
    sent = await places_holding(database_url, redis_url, f"Hello from {marie_name}")  # the search finds what is kept
    assert "chatdesk.messages" in sent and any(place.startswith("chatdesk:stream:") for place in sent)


async def test_a_widget_with_the_preview_off_sends_only_that_the_visitor_types(
        live_server, make_agent, database_url):
    admin_json = make_agent("admin")
    agent, agent_log = await connected_agent(live_server, admin_json)
    widget_id = await new_widget(database_url)
    await agent.request("PATCH", f"/api/v1/widgets/{widget_id}", json={"settings": {"typing_preview": False}})
    marie, marie_log, chat_id = await _visitor_in_chat(live_server, widget_id, "Marie", agent)
    try:
        settings = (await marie.request("GET", f"/api/v1/widgets/{widget_id}/settings"))[1]
        assert settings["typing_preview"] is False
        await marie.request("POST", f"/api/v1/chats/{chat_id}/typing", json={"typing": True, "preview": "secret"})
        typing = await agent_log.wait_for(lambda e: e.type == "typing" and e.data["chat_id"] == chat_id)
        assert typing.data["typing"] and "preview" not in typing.data
    finally:
        for log in (agent_log, marie_log):
            await log.close()
        for client in (agent, marie):
            await client.close()
