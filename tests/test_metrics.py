"""Prometheus metrics move with real traffic."""

from __future__ import annotations

import aiohttp

from chatdesk.bench.client import Client
from tests.realtime_helpers import EventLog, connected_agent, department_with, new_widget


def _value(text: str, name: str) -> float:
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith((name + " ", name + "{")))


async def test_metrics_count_messages_deliveries_waits_and_offers(live_server, make_agent, database_url):
    agent_json = make_agent()
    department = await department_with(database_url, [agent_json["id"]])
    agent, agent_log = await connected_agent(live_server, agent_json)
    visitor = Client(live_server)
    await visitor.register_visitor(await new_widget(database_url), name="Metered")
    visitor_log = EventLog(visitor)
    await visitor_log.wait_for(lambda e: e.type == "ready")
    chat = await visitor.start_chat(department)
    await agent_log.wait_for(lambda e: e.type == "chat.offered")
    await agent.accept(chat["id"])
    for i in range(3):
        await visitor.send(chat["id"], f"metered {i}")
    await agent_log.wait_for(lambda e: e.type == "message.created" and e.data["message"]["body"] == "metered 2")
    async with aiohttp.ClientSession() as session, session.get(live_server + "/metrics") as response:
        text = await response.text()
    assert _value(text, "chatdesk_messages_total") >= 4  # three sent and the "joined" line
    assert _value(text, "chatdesk_message_group_size_sum") >= 3  # the three sent, group-committed
    assert _value(text, "chatdesk_delivery_seconds_count") >= 4
    assert _value(text, "chatdesk_queue_wait_seconds_count") >= 1
    assert _value(text, "chatdesk_assignment_seconds_count") >= 1
    assert _value(text, "chatdesk_sse_open_streams") == 2
    assert "chatdesk_outbox_depth " in text
    assert 'route="messages_create"' in text
    for closable in (agent_log, visitor_log, agent, visitor):
        await closable.close()
