"""The customer widget in a real browser on a host page of another origin, against a live server."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.widget_helpers import Agent, HostSite, create_widget


@pytest.fixture
def host_site():
    site = HostSite()
    yield site
    site.close()


@pytest.fixture
def agent_on(live_server, make_agent):
    """Factory: an online agent with an open event stream, driven through the API client."""
    started: list[Agent] = []

    def start(name: str = "Grace Hopper") -> Agent:
        agent = Agent(live_server, make_agent(name=name))
        started.append(agent)
        return agent

    yield start
    for agent in started:
        agent.close()


def open_widget(page: Page, url: str):
    page.goto(url)
    page.get_by_role("button", name=re.compile("^Open Chat with us")).click()
    return page.frame_locator("chatdesk-widget iframe")


def test_customer_chat_flow(page: Page, live_server, make_agent, host_site, agent_on):
    widget = create_widget(live_server, make_agent(role="admin"), [host_site.origin])
    agent = agent_on()
    chat_frame = open_widget(page, host_site.page("/", live_server, widget["id"]))

    chat_frame.get_by_label("Name").fill("Ada Lovelace")
    chat_frame.get_by_label("Email").fill("not an email")
    chat_frame.get_by_label("How can we help?").fill("Where is my order?")
    chat_frame.get_by_role("button", name="Start chat").click()
    expect(chat_frame.get_by_text("Please enter a valid email address.")).to_be_visible()
    chat_frame.get_by_label("Email").fill("ada@example.com")
    chat_frame.get_by_role("button", name="Start chat").click()
    expect(chat_frame.get_by_text(re.compile(r"You're #\d+ in line"))).to_be_visible()
    thread = chat_frame.get_by_role("list", name="Conversation")
    expect(thread.get_by_text("Where is my order?")).to_be_visible()

    chat = agent.queued_chat("Ada Lovelace")
    agent.run(agent.client.accept(chat["id"]))
    expect(chat_frame.get_by_role("heading", name="Grace Hopper")).to_be_visible()
    agent.run(agent.client.typing(chat["id"], True))
    expect(chat_frame.get_by_label("Grace Hopper is typing")).to_be_visible()
    agent.run(agent.client.send(chat["id"], "Hi Ada! Let me look."))
    expect(thread.get_by_text("Hi Ada! Let me look.")).to_be_visible()
    expect(chat_frame.get_by_label("Grace Hopper is typing")).to_have_count(0)

    chat_frame.get_by_label("Message").fill("Order 1234, thanks")
    chat_frame.get_by_label("Message").press("Enter")
    reply = agent.wait_for(lambda e: e.type == "message.created" and e.data["message"]["body"] == "Order 1234, thanks")
    agent.run(agent.client.read(chat["id"], reply.data["message"]["seq"]))
    expect(thread.get_by_text("Seen")).to_be_visible()

    agent.run(agent.client.end(chat["id"]))
    expect(chat_frame.get_by_text("This chat has ended")).to_be_visible()
    chat_frame.get_by_role("button", name="Good").click()
    chat_frame.get_by_label("Comment (optional)").fill("Quick and kind")
    chat_frame.get_by_role("button", name="Send rating").click()
    expect(chat_frame.get_by_text("Thanks for your feedback!")).to_be_visible()
    rated = agent.wait_for(lambda e: e.type == "chat.rated")
    assert rated.data == {"chat_id": chat["id"], "score": "good", "comment": "Quick and kind"}
