"""Real-time messaging across processes: a visitor and an agent on two servers talk both ways; presence
reaches every agent as an ephemeral event."""

from __future__ import annotations

import pytest

from chatdesk.bench.client import Client
from tests.realtime_helpers import EventLog, new_widget, online_agent


@pytest.fixture
async def two_servers(serve):
    return serve().base_url, serve().base_url


async def test_visitor_and_agent_on_two_processes_talk_both_ways(two_servers, make_agent, database_url):
    server_a, server_b = two_servers
    agent = await online_agent(server_b, make_agent())
    agent_log = EventLog(agent)
    visitor = Client(server_a)
    await visitor.register_visitor(await new_widget(database_url), name="Ada")
    visitor_log = EventLog(visitor)
    await visitor_log.wait_for(lambda e: e.type == "ready")
    await agent_log.wait_for(lambda e: e.type == "ready")

    chat = await visitor.start_chat(first_message="Hello, is anyone there?")
    assert chat["status"] == "queued" and chat["last_seq"] == 1
    await agent_log.wait_for(lambda e: e.type == "queue.updated")
    await agent.accept(chat["id"])
    await visitor_log.wait_for(lambda e: e.type == "chat.assigned")

    await agent.typing(chat["id"], True)
    typing = await visitor_log.wait_for(lambda e: e.type == "typing")
    assert typing.id is None and typing.data["typing"] is True and typing.data["who"]["type"] == "agent"
    reply = await agent.send(chat["id"], "Hi Ada, how can I help?")
    got = await visitor_log.wait_for(lambda e: e.type == "message.created" and e.data["message"]["id"] == reply["id"])
    assert got.data["message"]["body"] == "Hi Ada, how can I help?" and got.id

    await visitor.typing(chat["id"], True)
    await agent_log.wait_for(lambda e: e.type == "typing" and e.data["who"]["type"] == "visitor")
    question = await visitor.send(chat["id"], "My order never arrived.")
    await agent_log.wait_for(lambda e: e.type == "message.created" and e.data["message"]["id"] == question["id"])

    await agent.read(chat["id"], question["seq"])
    read = await visitor_log.wait_for(lambda e: e.type == "message.read" and e.data["reader"]["type"] == "agent")
    assert read.data["seq"] == question["seq"]
    await visitor.read(chat["id"], reply["seq"])
    await agent_log.wait_for(lambda e: e.type == "message.read" and e.data["reader"]["type"] == "visitor")

    seqs = [m["seq"] for m in await visitor.messages_after(chat["id"])]
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) == 4  # hello, joined, reply, question
    for log in (agent_log, visitor_log):
        await log.close()
    for client in (agent, visitor):
        await client.close()


async def test_status_changes_reach_every_agent_as_ephemeral_presence(live_server, make_agent):
    admin = await online_agent(live_server, make_agent("admin"))
    admin_log = EventLog(admin)
    agent_json = make_agent()
    agent = await online_agent(live_server, agent_json)
    try:
        await admin_log.wait_for(lambda e: e.type == "ready")
        await agent.set_status("away")
        away = await admin_log.wait_for(lambda e: e.type == "presence" and e.data["status"] == "away")
        assert away.id is None and away.data == {"agent_id": agent_json["id"], "status": "away"}
        await admin.request("DELETE", f"/api/v1/agents/{agent_json['id']}")  # deactivated: offline
        await admin_log.wait_for(lambda e: e.type == "presence" and e.data == {"agent_id": agent_json["id"],
                                                                               "status": "offline"})
    finally:
        await admin_log.close()
        for client in (admin, agent):
            await client.close()
