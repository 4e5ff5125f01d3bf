"""How long an event stream lives: it ends when its agent is deactivated, signed out (everywhere, or
this session) or their session expires, in every process, and their chats go back to the queue;
and a caller holds at most `CHATDESK_SSE_MAX_STREAMS` streams in a process (the oldest ends first)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from playwright.sync_api import Page, expect

from chatdesk.bench.client import Client
from chatdesk.db.engine import connect
from tests.realtime_helpers import new_widget, online_agent, open_stream_count, wait_until
from tests.workspace_helpers import agent_api, sign_in

# A notice crosses Redis pub/sub to every process: well under a second; this leaves room for a busy CI.
ENDS_WITHIN_S = 3


@asynccontextmanager
async def raw_stream(base_url: str, token: str) -> AsyncIterator[aiohttp.StreamReader]:
    """One event stream that never reconnects, open once `ready` arrived: its body, to see it end."""
    async with aiohttp.ClientSession() as session:
        async with session.get(base_url + "/api/v1/events", headers={"Authorization": f"Bearer {token}"}) as response:
            assert response.status == 200
            await response.content.readuntil(b"event: ready")
            yield response.content


async def ended(body: aiohttp.StreamReader, within_s: float = ENDS_WITHIN_S) -> None:
    async with asyncio.timeout(within_s):
        await body.read()  # to the end of the stream


async def chat_with(base_url: str, database_url: str, agent: Client) -> tuple[Client, str]:
    """A visitor whose chat `agent` accepted; the visitor and the chat id."""
    visitor = Client(base_url)
    await visitor.register_visitor(await new_widget(database_url), name="Vi")
    chat_id = (await visitor.start_chat())["id"]
    await agent.accept(chat_id)
    return visitor, chat_id


async def back_in_the_queue(visitor: Client, chat_id: str, agent_name: str) -> None:
    """The chat waits in its department's queue again, with a system line saying why."""
    await wait_until(lambda: visitor.request("GET", f"/api/v1/chats/{chat_id}"),
                     lambda answer: answer[1]["chat"]["status"] == "queued")
    lines = [m["body"] for m in await visitor.messages_after(chat_id) if m["sender"]["type"] == "system"]
    assert f"{agent_name} was signed out; the chat is back in the queue" in lines


async def test_deactivating_an_agent_ends_their_streams_in_every_process_and_queues_their_chats(
        serve, make_agent, database_url):
    here, there = serve(), serve()
    admin = await online_agent(here.base_url, make_agent(role="admin"))
    ada = make_agent(name="Ada Lovelace")
    agent = await online_agent(here.base_url, ada)
    visitor, chat_id = await chat_with(here.base_url, database_url, agent)
    async with raw_stream(there.base_url, agent.token) as body:
        await admin.request("DELETE", f"/api/v1/agents/{ada['id']}")
        await ended(body)
    await back_in_the_queue(visitor, chat_id, "Ada Lovelace")
    for client in (admin, agent, visitor):
        await client.close()


async def test_a_new_password_ends_the_streams_of_every_session(serve, make_agent):
    server = serve()
    admin = await online_agent(server.base_url, make_agent(role="admin"))
    ada = make_agent(name="Ada Lovelace")
    laptop, phone = [await online_agent(server.base_url, ada) for _ in range(2)]
    async with raw_stream(server.base_url, laptop.token) as first, raw_stream(server.base_url, phone.token) as second:
        await admin.request("PATCH", f"/api/v1/agents/{ada['id']}", json={"password": "a brand new password"})
        await asyncio.gather(ended(first), ended(second))
    for client in (admin, laptop, phone):
        await client.close()


async def test_signing_out_ends_only_that_sessions_streams(serve, make_agent, database_url):
    server = serve()
    ada = make_agent(name="Ada Lovelace")
    laptop, phone = [await online_agent(server.base_url, ada) for _ in range(2)]
    visitor, chat_id = await chat_with(server.base_url, database_url, laptop)
    async with (raw_stream(server.base_url, laptop.token) as signed_out,
                raw_stream(server.base_url, phone.token) as kept):
        await laptop.request("POST", "/api/v1/auth/logout")
        await ended(signed_out)
        await visitor.send(chat_id, "still there on the phone?")
        async with asyncio.timeout(ENDS_WITHIN_S):
            await kept.readuntil(b"still there on the phone?")
    for client in (laptop, phone, visitor):
        await client.close()


async def test_a_stream_ends_when_its_session_expires_and_the_chats_go_back(serve, make_agent, database_url):
    server = serve()
    ada = make_agent(name="Ada Lovelace")
    agent = await online_agent(server.base_url, ada)
    visitor, chat_id = await chat_with(server.base_url, database_url, agent)
    conn = await connect(database_url)
    try:
        expires_at = await conn.fetchval(
            "UPDATE chatdesk.sessions SET expires_at = now() + interval '2 seconds' WHERE agent_id = $1 "
            "RETURNING extract(epoch FROM expires_at)", ada["id"])
    finally:
        await conn.close()
    async with raw_stream(server.base_url, agent.token) as body:
        await ended(body, within_s=2 + ENDS_WITHIN_S)
        assert time.time() <= float(expires_at) + 1  # no later than the expiry (give or take a busy event loop)
    await back_in_the_queue(visitor, chat_id, "Ada Lovelace")
    for client in (agent, visitor):
        await client.close()


async def test_one_caller_holds_at_most_the_cap_of_streams_and_the_oldest_ends(serve, database_url):
    server = serve(CHATDESK_SSE_MAX_STREAMS="2")
    visitor = Client(server.base_url)
    await visitor.register_visitor(await new_widget(database_url), name="Vi")
    async with raw_stream(server.base_url, visitor.token) as oldest:
        async with raw_stream(server.base_url, visitor.token), raw_stream(server.base_url, visitor.token):
            await ended(oldest)
            await wait_until(lambda: open_stream_count(server.base_url), lambda count: count == 2)
    await visitor.close()


def test_the_workspace_of_a_deactivated_agent_shows_the_sign_in_form(page: Page, live_server, make_agent):
    ada = make_agent(name="Ada Lovelace")
    sign_in(page, live_server, ada)
    expect(page.get_by_role("status").filter(has_text="Reconnecting")).to_be_hidden()
    with agent_api(live_server, make_agent(role="admin")) as admin:
        assert admin.delete(f"/api/v1/agents/{ada['id']}").status_code == 204
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=10000)
