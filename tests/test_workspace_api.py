"""What the workspace needs from the API: older pages, previews, read marks, the visitor panel, colleagues."""

from __future__ import annotations

import uuid

from tests.conftest import bearer


def _send(client, chat, who, body):
    response = client.post(f"/api/v1/chats/{chat['chat_id']}/messages", headers=chat[who],
                           json={"client_msg_id": str(uuid.uuid4()), "body": body})
    assert response.status_code == 201, response.text
    return response.json()["message"]


def test_before_seq_pages_back_from_the_newest(client, active_chat):
    for i in range(6):
        _send(client, active_chat, "visitor", f"m{i}")  # seq 1 is "joined the chat"
    url = f"/api/v1/chats/{active_chat['chat_id']}/messages"
    newest = client.get(url, params={"before_seq": 8, "limit": 3}, headers=active_chat["agent"]).json()
    assert [m["seq"] for m in newest["messages"]] == [5, 6, 7]
    assert newest["last_seq"] == 7
    older = client.get(url, params={"before_seq": 5, "limit": 3}, headers=active_chat["agent"]).json()
    assert [m["seq"] for m in older["messages"]] == [2, 3, 4]
    first = client.get(url, params={"before_seq": 2, "limit": 3}, headers=active_chat["agent"]).json()
    assert [m["seq"] for m in first["messages"]] == [1]
    assert client.get(url, params={"before_seq": 0}, headers=active_chat["agent"]).status_code == 422


def test_agent_chat_list_carries_last_message_read_marks_and_unread_count(client, active_chat):
    first = _send(client, active_chat, "visitor", "first")  # seq 1 is the system line "joined the chat"
    _send(client, active_chat, "agent", "Let me look")
    _send(client, active_chat, "visitor", "Where is my parcel?")
    client.post(f"/api/v1/chats/{active_chat['chat_id']}/read", json={"seq": first["seq"] - 1},
                headers=active_chat["agent"])
    chats = client.get("/api/v1/chats", headers=active_chat["agent"]).json()["chats"]
    chat = next(c for c in chats if c["id"] == active_chat["chat_id"])
    assert chat["last_message"]["body"] == "Where is my parcel?"
    assert chat["agent_read_seq"] == first["seq"] - 1
    assert chat["visitor_read_seq"] == 0
    assert chat["last_seq"] - chat["agent_read_seq"] == 3
    assert chat["unread_count"] == 2  # the visitor's two messages; the agent's own reply never counts
    client.post(f"/api/v1/chats/{active_chat['chat_id']}/end", headers=active_chat["agent"])  # a system line
    chats = client.get("/api/v1/chats", headers=active_chat["agent"]).json()["chats"]
    assert next(c for c in chats if c["id"] == active_chat["chat_id"])["unread_count"] == 2
    visitor_view = client.get("/api/v1/chats", headers=active_chat["visitor"]).json()["chats"][0]
    assert "last_message" not in visitor_view and "unread_count" not in visitor_view


def test_visitor_profile_shows_fields_chats_and_tickets(client, active_chat):
    chat = client.get(f"/api/v1/chats/{active_chat['chat_id']}", headers=active_chat["agent"]).json()["chat"]
    client.post(f"/api/v1/chats/{chat['id']}/end", headers=active_chat["agent"])
    ticket_id = client.post(f"/api/v1/chats/{chat['id']}/ticket", headers=active_chat["agent"]).json()["ticket_id"]
    url = f"/api/v1/visitors/{chat['visitor']['id']}"
    profile = client.get(url, headers=active_chat["agent"]).json()
    assert profile["visitor"]["name"] == "Ada"
    assert profile["visitor"]["user_agent"]
    assert [c["id"] for c in profile["chats"]] == [chat["id"]]
    assert profile["chats"][0]["status"] == "ended"
    assert [t["id"] for t in profile["tickets"]] == [ticket_id]


def test_tickets_found_only_through_a_typed_email_are_kept_apart(client, active_chat):
    """Anyone can type someone else's email in the pre-chat form: that address's tickets are not theirs."""
    agent = active_chat["agent"]
    visitor_id = client.get(f"/api/v1/chats/{active_chat['chat_id']}", headers=agent).json()["chat"]["visitor"]["id"]
    widget_id = client.get(f"/api/v1/visitors/{visitor_id}", headers=agent).json()["visitor"]["widget_id"]
    email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    theirs = client.post(f"/api/v1/widgets/{widget_id}/offline-messages",
                         json={"name": "Owner", "email": email, "body": "My invoice is wrong"}).json()["ticket_id"]
    impostor = client.post(f"/api/v1/widgets/{widget_id}/visitors", json={"name": "Eve", "email": email.upper()}).json()
    chat_id = client.post("/api/v1/chats", json={}, headers=bearer(impostor["token"])).json()["chat"]["id"]
    client.post(f"/api/v1/chats/{chat_id}/accept", headers=agent)
    own = client.post(f"/api/v1/chats/{chat_id}/ticket", headers=agent).json()["ticket_id"]
    profile = client.get(f"/api/v1/visitors/{impostor['visitor_id']}", headers=agent).json()
    assert [t["id"] for t in profile["tickets"]] == [own]
    assert [t["id"] for t in profile["same_email_tickets"]] == [theirs]


def test_visitor_profile_is_for_agents_only(client, active_chat):
    visitor_id = client.get(f"/api/v1/chats/{active_chat['chat_id']}",
                            headers=active_chat["agent"]).json()["chat"]["visitor"]["id"]
    assert client.get(f"/api/v1/visitors/{visitor_id}", headers=active_chat["visitor"]).status_code == 403
    missing = client.get(f"/api/v1/visitors/{uuid.uuid4()}", headers=active_chat["agent"])
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    client.cookies.clear()  # signing in through the client left the agent's session cookie
    assert client.get(f"/api/v1/visitors/{visitor_id}").status_code == 401


def test_colleagues_and_my_departments(client, make_agent, login, active_chat):
    colleague = make_agent(name="Colleague")
    token = login(colleague)["token"]
    listed = client.get("/api/v1/agents/colleagues", headers=bearer(token)).json()["agents"]
    mine = next(a for a in listed if a["id"] == colleague["id"])
    assert set(mine) == {"id", "name", "status", "max_chats", "active_chats"}
    assert client.get("/api/v1/agents/colleagues", headers=active_chat["visitor"]).status_code == 403
    assert client.get("/api/v1/agents/me", headers=bearer(token)).json()["department_ids"] == []
