"""Supervision over the API: the Live view's snapshot, whispers, takeover and reassignment, following a
chat, and the throttled `supervision.changed` signal; agents get 403 on all of it."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from chatdesk.bench.client import ApiError, Client
from chatdesk.desk.supervision import THROTTLE_S
from tests.conftest import bearer
from tests.realtime_helpers import EventLog, connected_agent, new_widget, online_agent

WHISPER = "whisper: offer the refund, the order is ours to fix"


def _online(client, login, agent: dict) -> dict[str, str]:
    headers = bearer(login(agent)["token"])
    assert client.put("/api/v1/agents/me/status", json={"status": "online"}, headers=headers).status_code == 200
    return headers


def _snapshot(client, headers) -> dict:
    response = client.get("/api/v1/supervision", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _agent(snapshot: dict, agent_id: str) -> dict:
    return next(agent for agent in snapshot["agents"] if agent["id"] == agent_id)


def _send(client, chat_id: str, headers, body: str, internal: bool = False) -> dict:
    sent = client.post(f"/api/v1/chats/{chat_id}/messages", headers=headers,
                       json={"client_msg_id": str(uuid.uuid4()), "body": body, "internal": internal})
    assert sent.status_code == 201, sent.text
    return sent.json()["message"]


def _whisper(client, chat_id: str, headers, body: str = WHISPER):
    return client.post(f"/api/v1/chats/{chat_id}/notes", headers=headers,
                       json={"client_msg_id": str(uuid.uuid4()), "body": body})


def _slots_add_up(snapshot: dict) -> None:
    """Invariant 6 of docs/architecture.md as the Live view shows it: each agent's slot counter is
    their real chats and offers."""
    for agent in snapshot["agents"]:
        assert agent["active_chats"] == len(agent["chats"]) + agent["offers"], agent
        assert agent["active_chats"] <= agent["max_chats"], agent


def test_the_snapshot_shows_load_waits_and_queues(client, active_chat, make_agent, login):
    supervisor = _online(client, login, make_agent("supervisor", name="Sue"))
    chat_id = active_chat["chat_id"]
    agent_id = client.get("/api/v1/agents/me", headers=active_chat["agent"]).json()["id"]
    first = _send(client, chat_id, active_chat["visitor"], "where is my order?")
    _send(client, chat_id, active_chat["visitor"], "hello?")
    _send(client, chat_id, active_chat["agent"], "checking with the warehouse", internal=True)
    # The agent's answers in another chat answer nothing here.
    other = client.post("/api/v1/chats", json={}, headers=active_chat["new_visitor"]()).json()["chat"]["id"]
    assert client.post(f"/api/v1/chats/{other}/accept", headers=active_chat["agent"]).status_code == 200
    for number in range(4):
        _send(client, other, active_chat["agent"], f"answer {number}")
    waiting = client.post("/api/v1/chats", json={}, headers=active_chat["new_visitor"]()).json()["chat"]

    snapshot = _snapshot(client, supervisor)
    agent = _agent(snapshot, agent_id)
    assert (agent["status"], agent["active_chats"], agent["max_chats"], agent["offers"]) == ("online", 2, 3, 0)
    assert agent["connected"] is False  # no event stream open
    held, answered = agent["chats"]
    assert held["id"] == chat_id and held["visitor"]["name"] == "Ada"
    assert answered["id"] == other and answered["waiting_since"] is None
    # Waiting since the first unanswered visitor message; an internal note is no answer.
    assert held["waiting_since"] == first["created_at"]
    # Earlier tests of the session may have left chats waiting in the same department.
    [queue] = [d for d in snapshot["departments"] if waiting["id"] in [c["id"] for c in d["queue"]]]
    assert queue["waiting"] >= 1 and queue["oldest_waiting_since"] <= waiting["created_at"]
    [listed] = [c for c in queue["queue"] if c["id"] == waiting["id"]]
    assert listed["offered_to"] is None
    assert _agent(snapshot, client.get("/api/v1/agents/me", headers=supervisor).json()["id"])["chats"] == []
    _slots_add_up(snapshot)

    _send(client, chat_id, active_chat["agent"], "it ships today")
    assert [c["waiting_since"] for c in _agent(_snapshot(client, supervisor), agent_id)["chats"]] == [None, None]
    again = _send(client, chat_id, active_chat["visitor"], "thanks!")
    assert _agent(_snapshot(client, supervisor), agent_id)["chats"][0]["waiting_since"] == again["created_at"]


def test_agents_and_visitors_get_403_on_every_supervision_route(client, active_chat, make_agent, login):
    chat_id = active_chat["chat_id"]
    other = _online(client, login, make_agent())
    calls = [("GET", "/api/v1/supervision", None),
             ("POST", f"/api/v1/chats/{chat_id}/notes", {"client_msg_id": "n1", "body": "psst"}),
             ("POST", f"/api/v1/chats/{chat_id}/takeover", None),
             ("POST", f"/api/v1/chats/{chat_id}/reassign", {"agent_id": client.get(
                 "/api/v1/agents/me", headers=other).json()["id"]}),
             ("PUT", f"/api/v1/chats/{chat_id}/watch", None),
             ("DELETE", f"/api/v1/chats/{chat_id}/watch", None)]
    for headers in (active_chat["agent"], other, active_chat["visitor"]):
        for method, path, body in calls:
            response = client.request(method, path, headers=headers, json=body)
            assert response.status_code == 403, (method, path, response.text)
            assert response.json()["error"]["code"] == "forbidden"
    assert "psst" not in client.get(f"/api/v1/chats/{chat_id}/messages", headers=active_chat["agent"]).text
    chat = client.get(f"/api/v1/chats/{chat_id}", headers=active_chat["agent"]).json()["chat"]
    assert chat["agent"]["id"] != client.get("/api/v1/agents/me", headers=other).json()["id"]


def test_a_whisper_reaches_agents_only(client, active_chat, make_agent, login):
    supervisor = _online(client, login, make_agent("supervisor"))
    chat_id = active_chat["chat_id"]
    visible = _send(client, chat_id, active_chat["visitor"], "my order is late")
    sent = _whisper(client, chat_id, supervisor)
    assert sent.status_code == 201, sent.text
    note = sent.json()["message"]
    assert note["internal"] is True and note["sender"]["type"] == "agent" and note["seq"] == visible["seq"] + 1
    assert WHISPER in client.get(f"/api/v1/chats/{chat_id}/messages", headers=active_chat["agent"]).text
    page = client.get(f"/api/v1/chats/{chat_id}/messages", headers=active_chat["visitor"]).json()
    assert WHISPER not in str(page) and page["last_seq"] == visible["seq"]
    for fmt in ("text", "html"):
        transcript = client.get(f"/api/v1/chats/{chat_id}/transcript", params={"format": fmt},
                                headers=active_chat["visitor"])
        assert WHISPER not in transcript.text
    # A whisper does not answer the visitor, and a chat that ended takes none.
    assert client.post(f"/api/v1/chats/{chat_id}/end", headers=active_chat["visitor"]).status_code == 200
    late = _whisper(client, chat_id, supervisor, "too late")
    assert late.status_code == 409 and late.json()["error"]["code"] == "conflict"


def test_takeover_moves_the_chat_and_its_slot(client, active_chat, make_agent, login):
    chat_id = active_chat["chat_id"]
    agent_id = client.get("/api/v1/agents/me", headers=active_chat["agent"]).json()["id"]
    account = make_agent("supervisor", name="Sue", max_chats=1)
    supervisor = bearer(login(account)["token"])
    offline = client.post(f"/api/v1/chats/{chat_id}/takeover", headers=supervisor)
    assert offline.status_code == 409 and "online" in offline.json()["error"]["message"]
    assert client.put("/api/v1/agents/me/status", json={"status": "online"}, headers=supervisor).status_code == 200

    taken = client.post(f"/api/v1/chats/{chat_id}/takeover", headers=supervisor)
    assert taken.status_code == 200, taken.text
    assert taken.json()["chat"]["agent"] == {"id": account["id"], "name": "Sue"}
    snapshot = _snapshot(client, supervisor)
    assert _agent(snapshot, agent_id)["active_chats"] == 0 and _agent(snapshot, account["id"])["active_chats"] == 1
    _slots_add_up(snapshot)
    lines = [m["body"] for m in client.get(f"/api/v1/chats/{chat_id}/messages",
                                           headers=active_chat["visitor"]).json()["messages"]]
    assert lines[-1] == "You're now chatting with Sue"
    # Now the supervisor's to answer; the previous agent may no longer write in it.
    assert _send(client, chat_id, supervisor, "Hi, I'm taking over")["sender"]["id"] == account["id"]
    refused = client.post(f"/api/v1/chats/{chat_id}/messages", headers=active_chat["agent"],
                          json={"client_msg_id": "late", "body": "me again"})
    assert refused.status_code == 403
    again = client.post(f"/api/v1/chats/{chat_id}/takeover", headers=supervisor)
    assert again.status_code == 409 and again.json()["error"]["message"] == "The chat is yours already."

    # Full (one slot, held by this chat): a second takeover is refused and changes nothing.
    other = client.post("/api/v1/chats", json={}, headers=active_chat["new_visitor"]()).json()["chat"]["id"]
    assert client.post(f"/api/v1/chats/{other}/accept", headers=active_chat["agent"]).status_code == 200
    full = client.post(f"/api/v1/chats/{other}/takeover", headers=supervisor)
    assert full.status_code == 409 and "free slot" in full.json()["error"]["message"]
    snapshot = _snapshot(client, supervisor)
    assert [c["id"] for c in _agent(snapshot, agent_id)["chats"]] == [other]
    _slots_add_up(snapshot)


def test_reassign_moves_the_chat_to_an_agent_with_a_free_slot(client, active_chat, make_agent, login):
    chat_id = active_chat["chat_id"]
    agent_id = client.get("/api/v1/agents/me", headers=active_chat["agent"]).json()["id"]
    supervisor = bearer(login(make_agent("supervisor"))["token"])  # needs no slot to reassign
    bob = make_agent(name="Bob", max_chats=1)
    bob_headers = _online(client, login, bob)
    busy = make_agent(name="Busy", max_chats=0)
    _online(client, login, busy)

    for target in (busy["id"], str(uuid.uuid4())):
        refused = client.post(f"/api/v1/chats/{chat_id}/reassign", headers=supervisor, json={"agent_id": target})
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "conflict"
    moved = client.post(f"/api/v1/chats/{chat_id}/reassign", headers=supervisor,
                        json={"agent_id": bob["id"], "note": "VIP customer, be quick"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["chat"]["agent"]["id"] == bob["id"]
    snapshot = _snapshot(client, supervisor)
    assert _agent(snapshot, agent_id)["active_chats"] == 0 and _agent(snapshot, bob["id"])["active_chats"] == 1
    _slots_add_up(snapshot)
    bobs = client.get(f"/api/v1/chats/{chat_id}/messages", headers=bob_headers).json()["messages"]
    assert [m["body"] for m in bobs[-2:]] == ["You're now chatting with Bob", "VIP customer, be quick"]
    assert bobs[-1]["internal"] is True
    assert "VIP" not in client.get(f"/api/v1/chats/{chat_id}/messages", headers=active_chat["visitor"]).text
    same = client.post(f"/api/v1/chats/{chat_id}/reassign", headers=supervisor, json={"agent_id": bob["id"]})
    assert same.status_code == 409


def test_watching_a_chat_unwatched_or_ended(client, active_chat, make_agent, login):
    supervisor = bearer(login(make_agent("supervisor"))["token"])
    chat_id = active_chat["chat_id"]
    for _ in range(2):  # following twice is following once
        assert client.put(f"/api/v1/chats/{chat_id}/watch", headers=supervisor).status_code == 204
    assert client.delete(f"/api/v1/chats/{chat_id}/watch", headers=supervisor).status_code == 204
    assert client.put(f"/api/v1/chats/{uuid.uuid4()}/watch", headers=supervisor).status_code == 404
    assert client.post(f"/api/v1/chats/{chat_id}/end", headers=active_chat["visitor"]).status_code == 200
    ended = client.put(f"/api/v1/chats/{chat_id}/watch", headers=supervisor)
    assert ended.status_code == 409 and ended.json()["error"]["message"] == "This chat has ended."


async def _chat_between(live_server, database_url, make_agent) -> tuple[Client, Client, EventLog, EventLog, dict]:
    """An agent (stream open) who accepted a visitor's chat (stream open)."""
    agent, agent_log = await connected_agent(live_server, make_agent(name="Alice"))
    visitor = Client(live_server)
    await visitor.register_visitor(await new_widget(database_url), name="Vi")
    chat = await agent.accept((await visitor.start_chat())["id"])
    visitor_log = EventLog(visitor)
    await visitor_log.wait_for(lambda e: e.type == "ready")
    return agent, visitor, agent_log, visitor_log, chat


async def _close_all(logs: list[EventLog], clients: list[Client]) -> None:
    """End a test's event streams, then its clients."""
    for log in logs:
        await log.close()
    for client in clients:
        await client.close()


def _body(event) -> str | None:
    return event.data["message"]["body"] if event.type == "message.created" else None


async def test_a_follower_gets_the_thread_live_and_the_visitor_never_the_whisper(live_server, database_url,
                                                                                  make_agent):
    agent, visitor, agent_log, visitor_log, chat = await _chat_between(live_server, database_url, make_agent)
    supervisor, supervisor_log = await connected_agent(live_server, make_agent("supervisor"))
    url = f"/api/v1/chats/{chat['id']}"
    try:
        await supervisor.request("PUT", f"{url}/watch")
        await visitor.send(chat["id"], "is anyone there?")
        await agent.send(chat["id"], "yes, one moment")
        await supervisor.request("POST", f"{url}/notes", json={"client_msg_id": "w1", "body": WHISPER})
        for log in (supervisor_log, agent_log):
            for body in ("is anyone there?", "yes, one moment", WHISPER):
                await log.wait_for(lambda e, body=body: _body(e) == body)
        await visitor.typing(chat["id"])
        await supervisor_log.wait_for(lambda e: e.type == "typing" and e.data["chat_id"] == chat["id"])

        await supervisor.request("DELETE", f"{url}/watch")
        await visitor.send(chat["id"], "unwatched")
        await supervisor.request("PUT", f"{url}/watch")
        await visitor.send(chat["id"], "watched again")
        await supervisor_log.wait_for(lambda e: _body(e) == "watched again")
        assert "unwatched" not in [_body(e) for e in supervisor_log.events]  # one stream keeps its order

        await agent.end(chat["id"])
        await visitor_log.wait_for(lambda e: e.type == "chat.ended")
        assert WHISPER not in str([e.data for e in visitor_log.events])
    finally:
        await _close_all([agent_log, visitor_log, supervisor_log], [agent, visitor, supervisor])


async def test_takeover_and_reassign_tell_the_old_and_new_agent(live_server, database_url, make_agent):
    agent, visitor, agent_log, visitor_log, chat = await _chat_between(live_server, database_url, make_agent)
    supervisor, supervisor_log = await connected_agent(live_server, make_agent("supervisor", name="Sue"))
    bob_account = make_agent(name="Bob")
    bob, bob_log = await connected_agent(live_server, bob_account)
    url = f"/api/v1/chats/{chat['id']}"
    try:
        await supervisor.request("POST", f"{url}/takeover")
        for log in (agent_log, supervisor_log, visitor_log):
            moved = await log.wait_for(lambda e: e.type == "chat.transferred")
            assert moved.data["chat"]["agent"]["name"] == "Sue"
        await visitor_log.wait_for(lambda e: _body(e) == "You're now chatting with Sue")
        await supervisor.send(chat["id"], "Sue here")
        await visitor_log.wait_for(lambda e: _body(e) == "Sue here")

        await supervisor.request("POST", f"{url}/reassign", json={"agent_id": bob_account["id"]})
        for log in (supervisor_log, bob_log):
            await log.wait_for(lambda e: e.type == "chat.transferred" and e.data["chat"]["agent"]["name"] == "Bob")
        await visitor_log.wait_for(lambda e: _body(e) == "You're now chatting with Bob")
        with pytest.raises(ApiError) as refused:
            await supervisor.send(chat["id"], "still mine?")
        assert refused.value.status == 403
        assert "Sue here" not in [_body(e) for e in agent_log.events]  # Alice heard nothing after she lost it
    finally:
        await _close_all([agent_log, visitor_log, supervisor_log, bob_log], [agent, visitor, supervisor, bob])


async def test_supervisors_hear_of_changes_at_most_once_a_second(live_server, database_url, make_agent):
    agent, visitor, agent_log, visitor_log, chat = await _chat_between(live_server, database_url, make_agent)
    supervisor, supervisor_log = await connected_agent(live_server, make_agent("supervisor"))
    admin, admin_log = await connected_agent(live_server, make_agent("admin"))
    signals = lambda: [e for e in supervisor_log.events if e.type == "supervision.changed"]  # noqa: E731
    try:
        await visitor.send(chat["id"], "first")
        for log in (supervisor_log, admin_log):
            await log.wait_for(lambda e: e.type == "supervision.changed")
        told_before, start = len(signals()), time.monotonic()
        for number in range(15):  # within the visitor's send budget (20 per 10 s): no wait for a 429
            await asyncio.gather(visitor.send(chat["id"], f"v{number}"), agent.send(chat["id"], f"a{number}"))
        burst = len(signals())
        # The burst's last change is told too, once the throttle lets it.
        await supervisor_log.wait_for(lambda e: len(signals()) > burst, timeout=THROTTLE_S * 5)
        elapsed, told = time.monotonic() - start, len(signals()) - told_before
        # Signals are THROTTLE_S apart: 30 messages in `elapsed` seconds are told a few times, not 30.
        assert 1 <= told <= elapsed / THROTTLE_S + 1, (told, elapsed)
        # An agent is no supervisor: no signal on their stream, whatever happened.
        assert not [e for e in agent_log.events if e.type == "supervision.changed"]
        _, snapshot = await supervisor.request("GET", "/api/v1/supervision")
        alice = next(a for a in snapshot["agents"] if a["id"] == chat["agent"]["id"])
        assert alice["connected"] is True and [c["id"] for c in alice["chats"]] == [chat["id"]]
    finally:
        await _close_all([agent_log, visitor_log, supervisor_log, admin_log], [agent, visitor, supervisor, admin])


async def test_takeovers_at_once_leave_one_owner_and_true_counts(live_server, database_url, make_agent):
    agent, visitor, agent_log, visitor_log, chat = await _chat_between(live_server, database_url, make_agent)
    supervisors = [await online_agent(live_server, make_agent("supervisor")) for _ in range(3)]
    try:
        url = f"/api/v1/chats/{chat['id']}/takeover"
        taken = await asyncio.gather(*(supervisor.request("POST", url) for supervisor in supervisors))
        assert [status for status, _ in taken] == [200, 200, 200]  # one after another, under the chat's lock
        _, snapshot = await supervisors[0].request("GET", "/api/v1/supervision")
        owners = [a["id"] for a in snapshot["agents"] if chat["id"] in [c["id"] for c in a["chats"]]]
        assert len(owners) == 1 and owners[0] != chat["agent"]["id"]
        _slots_add_up(snapshot)  # every agent of the session, not only these
    finally:
        await _close_all([agent_log, visitor_log], [agent, visitor, *supervisors])
