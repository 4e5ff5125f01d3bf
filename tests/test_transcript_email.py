""""Email me the transcript": only the visitor of an ended chat, rate-limited, received by a real SMTP
server (aiosmtpd): public names, times in the visitor's zone (named), no internal notes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import PASSWORD, bearer, run
from tests.mail_helpers import mailing_fixture, received
from tests.realtime_helpers import new_widget

mailing = pytest.fixture(mailing_fixture, name="mailing")


@pytest.fixture
def ended_chat(request, mailing, database_url, make_agent):
    """A chat between Ada and an agent customers see as "Sam from Support", with an internal note, ended;
    Ada's widget speaks English, or the language the test passes (`indirect`)."""
    agent = make_agent(role="supervisor", display_name="Sam from Support")
    headers = bearer(mailing.post("/api/v1/auth/login", json={"email": agent["email"], "password": PASSWORD})
                     .json()["token"])
    assert mailing.put("/api/v1/agents/me/status", json={"status": "online"}, headers=headers).status_code == 200
    widget_id = run(new_widget(database_url))

    def visitor(language: str | None = None) -> dict[str, str]:
        answer = mailing.post(f"/api/v1/widgets/{widget_id}/visitors",
                              json={"name": "Ada", "email": "ada@example.com", "language": language})
        return bearer(answer.json()["token"])

    owner = visitor(getattr(request, "param", None))
    chat_id = mailing.post("/api/v1/chats", json={}, headers=owner).json()["chat"]["id"]
    assert mailing.post(f"/api/v1/chats/{chat_id}/accept", headers=headers).status_code == 200
    for sender, body in ((owner, "Hello <b>there</b>"), (headers, "Hi Ada, how can I help?")):
        assert mailing.post(f"/api/v1/chats/{chat_id}/messages", json={"client_msg_id": body[:8], "body": body},
                            headers=sender).status_code == 201
    assert mailing.post(f"/api/v1/chats/{chat_id}/notes", json={"client_msg_id": "n1", "body": "VIP, be nice"},
                        headers=headers).status_code == 201
    return {"chat_id": chat_id, "owner": owner, "agent": headers, "new_visitor": visitor}


def _send(client, chat: dict, headers: dict, **body):
    return client.post(f"/api/v1/chats/{chat['chat_id']}/transcript-email",
                       json={"email": "ada@example.com", **body}, headers=headers)


def test_only_the_visitor_of_an_ended_chat_gets_its_transcript(mailing, sink, ended_chat):
    early = _send(mailing, ended_chat, ended_chat["owner"])
    assert early.status_code == 409 and "once the chat has ended" in early.json()["error"]["message"]
    assert mailing.post(f"/api/v1/chats/{ended_chat['chat_id']}/end", headers=ended_chat["owner"]).status_code == 200
    assert _send(mailing, ended_chat, ended_chat["new_visitor"]()).status_code == 404
    assert _send(mailing, ended_chat, ended_chat["agent"]).status_code == 403
    sent = _send(mailing, ended_chat, ended_chat["owner"], time_zone="Asia/Kolkata")
    assert sent.status_code == 202 and "ada@example.com" in sent.json()["message"]

    mail = received(sink, "ada@example.com")
    assert mail["Subject"].startswith("Your chat with w-")  # the widget's name
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = mail.get_body(("html",)).get_content()
    local_now = datetime.now(ZoneInfo("Asia/Kolkata"))
    assert "Times are in Asia/Kolkata." in text and f"{local_now:%B %Y}" in text
    assert "Sam from Support:\n  Hi Ada, how can I help?" in text and "Ada:\n  Hello <b>there</b>" in text
    assert "VIP" not in text + html and "<b>there</b>" not in html and "Hello &lt;b&gt;there&lt;/b&gt;" in html
    assert f"{local_now:%H}:" in text  # the hour in the visitor's zone, not UTC (5.5 hours apart)


def test_transcript_mails_are_rate_limited_and_need_an_address(mailing, sink, ended_chat):
    mailing.post(f"/api/v1/chats/{ended_chat['chat_id']}/end", headers=ended_chat["owner"])
    assert _send(mailing, ended_chat, ended_chat["owner"], email="not an address").status_code == 422
    statuses = [_send(mailing, ended_chat, ended_chat["owner"], time_zone="Not/AZone").status_code
                for _ in range(6)]
    assert statuses == [202] * 5 + [429]
    assert "Times are in UTC." in received(sink, "ada@example.com").get_body(("plain",)).get_content()


@pytest.mark.parametrize("ended_chat", ["de-DE"], indirect=True)
def test_a_german_visitor_reads_chatdesks_lines_in_german(mailing, sink, ended_chat):
    chat_id = ended_chat["chat_id"]
    assert mailing.post(f"/api/v1/chats/{chat_id}/end", headers=ended_chat["owner"]).status_code == 200
    thread = mailing.get(f"/api/v1/chats/{chat_id}/messages", headers=ended_chat["owner"]).json()["messages"]
    assert [(m["body"], m["system"]) for m in thread if m["sender"]["type"] == "system"] == [
        ("Sam from Support joined the chat", {"key": "agent_joined", "params": {"name": "Sam from Support"}}),
        ("Chat ended by Ada", {"key": "chat_ended_by", "params": {"name": "Ada"}})]
    assert all(m["system"] is None for m in thread if m["sender"]["type"] != "system")

    assert _send(mailing, ended_chat, ended_chat["owner"]).status_code == 202
    mail = received(sink, "ada@example.com")
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = mail.get_body(("html",)).get_content()
    assert mail["Subject"].startswith("Ihr Chat mit ")
    for line in ("Sam from Support ist dem Chat beigetreten", "Chat von Ada beendet"):
        assert f"chatdesk:\n  {line}" in text and line in html
    assert "joined the chat" not in text + html and "Chat ended" not in text + html
    assert "Sam from Support:\n  Hi Ada, how can I help?" in text  # people's words stay theirs
