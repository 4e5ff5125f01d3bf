"""While Redis is out of reach, sends and typing answer 503 `unavailable` with `Retry-After`, and the
widget and the workspace keep a message so refused in their outbox and send it, once, when Redis is back."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import run
from tests.realtime_helpers import wait_until
from tests.widget_helpers import accepted_chat, agents_fixture, conversation, host_site_fixture
from tests.workspace_helpers import Visitor, agent_api, department, sign_in

host_site = pytest.fixture(host_site_fixture, name="host_site")
agents = pytest.fixture(agents_fixture, name="agents")


def _active_chat(base_url: str, database_url: str, agent: dict) -> Visitor:
    """A visitor whose chat `agent` accepted, over the API."""
    visitor = Visitor(base_url, database_url, "Rosa Parks")
    with agent_api(base_url, agent) as http:
        visitor.start(department(database_url, [agent], mode="broadcast"), "Hello?")
        assert http.post(f"/api/v1/chats/{visitor.chat_id}/accept").status_code == 200
    return visitor


def test_sends_and_typing_answer_503_while_redis_is_down(serve, private_redis, database_url, make_agent):
    server = serve(redis=private_redis)
    visitor = _active_chat(server.base_url, database_url, make_agent())
    send = {"client_msg_id": str(uuid.uuid4()), "body": "While Redis is down"}

    private_redis.server.stop()
    for response in (visitor.http.post(f"/api/v1/chats/{visitor.chat_id}/messages", json=send),
                     visitor.http.post(f"/api/v1/chats/{visitor.chat_id}/typing", json={"typing": True})):
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "unavailable"
        assert int(response.headers["Retry-After"]) >= 1
    private_redis.server.start()
    # As the clients do: try again while the answer is 503 (the first try may meet a connection the
    # restart closed). The message is then stored once, whichever try stored it.
    sent = run(wait_until(lambda: visitor.http.post(f"/api/v1/chats/{visitor.chat_id}/messages", json=send),
                          lambda response: response.status_code != 503))
    assert sent.status_code in (200, 201), sent.text
    assert [m["body"] for m in visitor.messages()].count("While Redis is down") == 1


def test_the_workspace_sends_a_refused_reply_once_redis_is_back(page: Page, serve, private_redis, database_url,
                                                                make_agent):
    server = serve(redis=private_redis)
    ada = make_agent(name="Ada Lovelace")
    visitor = _active_chat(server.base_url, database_url, ada)
    sign_in(page, server.base_url, ada)
    page.locator(".chat-link", has_text="Rosa Parks").click()
    thread = page.get_by_role("log", name="Messages")
    expect(thread).to_contain_text("Hello?")

    private_redis.server.stop()
    composer = page.get_by_role("textbox", name="Message")
    composer.fill("Sent while Redis was down")
    composer.press("Enter")
    expect(page.get_by_text("1 waiting to send…")).to_be_visible()
    private_redis.server.start()  # the event stream stayed open all along: no reconnect to flush the outbox

    expect(page.get_by_text("Enter to send")).to_be_visible(timeout=15000)
    expect(thread).to_contain_text("Sent while Redis was down")
    assert [m["body"] for m in visitor.messages()].count("Sent while Redis was down") == 1


def test_the_widget_sends_a_refused_message_once_redis_is_back(page: Page, serve, private_redis, make_agent,
                                                               host_site, agents):
    server = serve(redis=private_redis)
    agent = agents(server.base_url)
    admin = make_agent(role="admin")
    chat_frame, chat = accepted_chat(page, server.base_url, admin, host_site, agent, "Outage Visitor")

    private_redis.server.stop()
    chat_frame.get_by_label("Message").fill("Sent while Redis was down")
    chat_frame.get_by_label("Message").press("Enter")
    thread = conversation(chat_frame)
    expect(thread.locator(".pending", has_text="Sent while Redis was down")).to_contain_text("Sending…")
    private_redis.server.start()

    expect(thread.locator(".msg:not(.pending)", has_text="Sent while Redis was down")).to_be_visible(timeout=15000)
    expect(thread.locator(".pending")).to_have_count(0)
    assert [m["body"] for m in agent.messages(chat["id"])].count("Sent while Redis was down") == 1
