"""Messages over the API: validation, idempotency, who may touch which chat."""

from __future__ import annotations

import uuid

import pytest

UNICODE_BODIES = [
    "Hello 👋🏽 from the family 👨‍👩‍👧‍👦",
    "مرحبا، كيف يمكنني المساعدة؟",
    "e\u0301 a\u0308 n\u0303 Z\u0351\u0358",
    "\u202eRTL override\u202c and zero\u200bwidth",
    "<script>alert('x')</script> & <b>bold</b>",
]


def _send(client, chat, who, body, client_msg_id=None):
    return client.post(f"/api/v1/chats/{chat['chat_id']}/messages", headers=chat[who],
                       json={"client_msg_id": client_msg_id or str(uuid.uuid4()), "body": body})


@pytest.mark.parametrize("body", UNICODE_BODIES)
def test_text_round_trips_byte_exact_as_json_text(client, active_chat, body):
    sent = _send(client, active_chat, "visitor", body)
    assert sent.status_code == 201 and sent.json()["message"]["body"] == body
    assert sent.headers["content-type"] == "application/json"
    page = client.get(f"/api/v1/chats/{active_chat['chat_id']}/messages", headers=active_chat["agent"]).json()
    assert page["messages"][-1]["body"].encode() == body.encode()


def test_seq_grows_by_one_from_both_sides(client, active_chat):
    seqs = [_send(client, active_chat, who, f"m{i}").json()["message"]["seq"]
            for i, who in enumerate(["visitor", "agent", "visitor", "agent"])]
    assert seqs == list(range(seqs[0], seqs[0] + 4))
    page = client.get(f"/api/v1/chats/{active_chat['chat_id']}/messages", headers=active_chat["visitor"]).json()
    assert [m["seq"] for m in page["messages"]] == list(range(1, page["last_seq"] + 1))


def test_a_retried_send_returns_the_first_message_with_200(client, active_chat):
    first = _send(client, active_chat, "visitor", "only once", "retry-me")
    again = _send(client, active_chat, "visitor", "only once", "retry-me")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["message"] == first.json()["message"]
    page = client.get(f"/api/v1/chats/{active_chat['chat_id']}/messages", headers=active_chat["visitor"]).json()
    assert [m["client_msg_id"] for m in page["messages"]].count("retry-me") == 1


@pytest.mark.parametrize("body", ["", "   \n\t ", "x" * 5001])
def test_bodies_outside_1_to_5000_characters_are_422(client, active_chat, body):
    response = _send(client, active_chat, "visitor", body)
    assert response.status_code == 422 and "body" in response.json()["error"]["fields"]


def test_bodies_are_trimmed_and_5000_characters_pass(client, active_chat):
    assert _send(client, active_chat, "visitor", "  hi  \n").json()["message"]["body"] == "hi"
    assert _send(client, active_chat, "visitor", "é" * 5000).status_code == 201


def test_after_seq_and_limit_page_through(client, active_chat):
    for i in range(5):
        _send(client, active_chat, "visitor", f"p{i}")
    url = f"/api/v1/chats/{active_chat['chat_id']}/messages"
    page = client.get(url, params={"after_seq": 2, "limit": 2}, headers=active_chat["visitor"]).json()
    assert [m["seq"] for m in page["messages"]] == [3, 4]
    assert client.get(url, params={"limit": 0}, headers=active_chat["visitor"]).status_code == 422
    assert client.get(url, params={"after_seq": "x"}, headers=active_chat["visitor"]).status_code == 422


def test_another_visitor_gets_404_on_every_chat_endpoint(client, active_chat):
    stranger = active_chat["new_visitor"]()
    base = f"/api/v1/chats/{active_chat['chat_id']}"
    calls = [
        ("GET", base, None), ("GET", base + "/messages", None),
        ("POST", base + "/messages", {"client_msg_id": "x", "body": "hi"}),
        ("POST", base + "/typing", {"typing": True}), ("POST", base + "/read", {"seq": 1}),
        ("POST", base + "/end", None),
    ]
    for method, path, body in calls:
        response = client.request(method, path, json=body, headers=stranger)
        assert response.status_code == 404, (method, path, response.text)
    assert client.get("/api/v1/chats", headers=stranger).json()["chats"] == []


def test_visitor_cannot_accept(client, active_chat):
    response = client.post(f"/api/v1/chats/{active_chat['chat_id']}/accept", headers=active_chat["visitor"])
    assert response.status_code == 403


def test_an_agent_not_on_the_chat_may_read_but_not_write(client, active_chat, make_agent, login):
    other = {"Authorization": f"Bearer {login(make_agent())['token']}"}
    chat_url = f"/api/v1/chats/{active_chat['chat_id']}"
    assert client.get(chat_url + "/messages", headers=other).status_code == 200
    response = client.post(chat_url + "/messages", headers=other, json={"client_msg_id": "o", "body": "hi"})
    assert response.status_code == 403


def test_read_marks_move_forward_only_within_the_thread(client, active_chat):
    seq = _send(client, active_chat, "agent", "read me").json()["message"]["seq"]
    url = f"/api/v1/chats/{active_chat['chat_id']}/read"
    assert client.post(url, json={"seq": seq}, headers=active_chat["visitor"]).status_code == 204
    assert client.post(url, json={"seq": seq + 10}, headers=active_chat["visitor"]).status_code == 422
    assert client.post(url, json={"seq": 0}, headers=active_chat["visitor"]).status_code == 422


def test_ended_chat_refuses_new_messages_but_answers_retries(client, active_chat):
    first = _send(client, active_chat, "visitor", "before the end", "before-end")
    ended = client.post(f"/api/v1/chats/{active_chat['chat_id']}/end", headers=active_chat["visitor"])
    assert ended.status_code == 200 and ended.json()["chat"]["status"] == "ended"
    assert _send(client, active_chat, "visitor", "after").status_code == 409
    retry = _send(client, active_chat, "visitor", "before the end", "before-end")
    assert retry.status_code == 200 and retry.json()["message"]["id"] == first.json()["message"]["id"]


def test_a_visitor_has_one_open_chat_at_a_time(client, active_chat):
    response = client.post("/api/v1/chats", json={}, headers=active_chat["visitor"])
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"


def test_sending_too_fast_is_429_with_retry_after(client, active_chat):
    client.app.state.runtime.settings.visitor_message_rate = "3 per minute"
    statuses = [_send(client, active_chat, "visitor", f"fast {i}").status_code for i in range(4)]
    assert statuses == [201, 201, 201, 429]
    response = _send(client, active_chat, "visitor", "still fast")
    assert response.json()["error"]["code"] == "rate_limited" and int(response.headers["retry-after"]) >= 1
