""""Email me the transcript" in the widget, in a real browser, against a live server that sends to a real
SMTP server (aiosmtpd): the visitor's email is filled in, the mail arrives with the conversation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.mail_helpers import MAIL_FROM, received
from tests.widget_helpers import accepted_chat, agents_fixture, host_site_fixture

host_site = pytest.fixture(host_site_fixture, name="host_site")
agents = pytest.fixture(agents_fixture, name="agents")


def test_the_visitor_emails_themselves_the_transcript(page: Page, serve, sink, make_agent, host_site, agents):
    base_url = serve(CHATDESK_SMTP_URL=sink.url + "&timeout=2", CHATDESK_MAIL_FROM=MAIL_FROM).base_url
    agent = agents(base_url)
    chat_frame, chat = accepted_chat(page, base_url, make_agent(role="admin"), host_site, agent, "Ada Lovelace")
    agent.run(agent.client.send(chat["id"], "Your parcel left this morning."))
    agent.run(agent.client.end(chat["id"]))
    chat_frame.get_by_text("Email me the transcript").click()
    email = chat_frame.get_by_label("Your email")
    expect(email).to_have_value("visitor@example.com")  # given in the pre-chat form
    email.fill("ada@example.com")
    chat_frame.get_by_role("button", name="Send", exact=True).click()
    expect(chat_frame.get_by_role("status")).to_have_text("The transcript is on its way to ada@example.com.")
    text = received(sink, "ada@example.com").get_body(("plain",)).get_content()
    assert "Your parcel left this morning." in text and "Ada Lovelace:" in text and "Times are in " in text
