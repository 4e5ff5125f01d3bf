"""Tickets: from offline messages and chats; agents only; transcripts."""

from __future__ import annotations

import uuid

from tests.conftest import bearer


def test_offline_message_becomes_an_open_ticket_with_the_requester(client, active_chat, make_agent, login):
    settings = client.get("/api/v1/widgets", headers=bearer(login(make_agent("admin"))["token"])).json()
    widget_id = settings["widgets"][0]["id"]
    response = client.post(f"/api/v1/widgets/{widget_id}/offline-messages", json={
        "name": "Grace", "email": "grace@example.com", "body": "Where is my parcel?\nOrder 1234"})
    assert response.status_code == 201
    ticket = client.get(f"/api/v1/tickets/{response.json()['ticket_id']}", headers=active_chat["agent"]).json()
    assert ticket["requester"] == {"name": "Grace", "email": "grace@example.com"}
    assert ticket["status"] == "open" and ticket["source"] == "offline_message"
    assert ticket["subject"] == "Where is my parcel?"
    assert ticket["comments"][0]["body"] == "Where is my parcel?\nOrder 1234"


def test_offline_message_validation_and_unknown_widget(client):
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.post(f"/api/v1/widgets/{missing}/offline-messages",
                       json={"name": "A", "email": "a@example.com", "body": "hi"}).status_code == 404
    bad = client.post(f"/api/v1/widgets/{missing}/offline-messages", json={"name": "", "email": "nope", "body": ""})
    assert bad.status_code == 422 and set(bad.json()["error"]["fields"]) == {"name", "email", "body"}


def test_chat_to_ticket_carries_the_transcript_once(client, active_chat):
    url = f"/api/v1/chats/{active_chat['chat_id']}"
    client.post(url + "/messages", headers=active_chat["visitor"],
                json={"client_msg_id": "t1", "body": "My <b>order</b>"})
    client.post(url + "/messages", headers=active_chat["agent"], json={"client_msg_id": "t2", "body": "Checking now"})
    created = client.post(url + "/ticket", headers=active_chat["agent"])
    assert created.status_code == 201
    again = client.post(url + "/ticket", headers=active_chat["agent"])
    assert again.status_code == 200 and again.json() == created.json()
    ticket = client.get(f"/api/v1/tickets/{created.json()['ticket_id']}", headers=active_chat["agent"]).json()
    assert ticket["requester"]["name"] == "Ada" and ticket["source"] == "chat"
    assert ticket["chat_id"] == active_chat["chat_id"]
    transcript = ticket["comments"][0]["body"]
    assert "Ada: My <b>order</b>" in transcript and ": Checking now" in transcript


def test_tickets_list_filter_comment_and_status(client, active_chat):
    url = f"/api/v1/chats/{active_chat['chat_id']}/ticket"
    ticket_id = client.post(url, headers=active_chat["agent"]).json()["ticket_id"]
    headers = active_chat["agent"]
    assert client.post(f"/api/v1/tickets/{ticket_id}/comments", json={"body": "Refund sent"},
                       headers=headers).status_code == 201
    solved = client.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "solved"}, headers=headers).json()
    assert solved["status"] == "solved" and solved["comments"][-1]["body"] == "Refund sent"
    listed = client.get("/api/v1/tickets", params={"status": "solved"}, headers=headers).json()["tickets"]
    assert ticket_id in [t["id"] for t in listed]
    assert all(t["status"] == "solved" for t in listed)
    assert client.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "closed"}, headers=headers).status_code == 422
    assert client.get(f"/api/v1/tickets/{uuid.uuid4()}", headers=headers).status_code == 404


def test_a_visitor_cannot_read_or_make_tickets(client, active_chat):
    made = client.post(f"/api/v1/chats/{active_chat['chat_id']}/ticket", headers=active_chat["agent"])
    ticket_id = made.json()["ticket_id"]
    visitor = active_chat["visitor"]
    for method, path in [("GET", "/api/v1/tickets"), ("GET", f"/api/v1/tickets/{ticket_id}"),
                         ("POST", f"/api/v1/chats/{active_chat['chat_id']}/ticket"),
                         ("PATCH", f"/api/v1/tickets/{ticket_id}")]:
        assert client.request(method, path, headers=visitor, json={}).status_code == 403, path


def test_transcript_as_text_and_escaped_html(client, active_chat):
    url = f"/api/v1/chats/{active_chat['chat_id']}"
    client.post(url + "/messages", headers=active_chat["visitor"],
                json={"client_msg_id": "x1", "body": "<script>alert(1)</script>"})
    text = client.get(url + "/transcript", headers=active_chat["visitor"])
    assert text.headers["content-type"].startswith("text/plain") and "Ada: <script>alert(1)</script>" in text.text
    page = client.get(url + "/transcript", params={"format": "html"}, headers=active_chat["agent"])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>" not in page.text
    stranger = active_chat["new_visitor"]()
    assert client.get(url + "/transcript", headers=stranger).status_code == 404
