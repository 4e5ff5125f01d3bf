"""The widget's first-hour details in a real browser: links in messages, the API's field messages on the form."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.widget_helpers import (
    accepted_chat,
    agents_fixture,
    conversation,
    create_widget,
    host_site_fixture,
    open_widget,
)

host_site = pytest.fixture(host_site_fixture, name="host_site")
agents = pytest.fixture(agents_fixture, name="agents")


def test_links_in_messages_are_clickable_and_safe(page: Page, live_server, make_agent, host_site, agents):
    agent = agents(live_server)
    chat_frame, chat = accepted_chat(page, live_server, make_agent(role="admin"), host_site, agent, "Ada Lovelace")
    thread = conversation(chat_frame)
    address = f"{live_server}/healthz?id=7"
    agent.run(agent.client.send(chat["id"], f"Track it at {address}. <b>Thanks</b>"))
    link = thread.get_by_role("link", name=address)
    expect(link).to_have_attribute("href", address)
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(thread.get_by_text("<b>Thanks</b>", exact=False)).to_be_visible()  # text, not markup
    expect(thread.locator("b")).to_have_count(0)

    chat_frame.get_by_label("Message").fill("See www.example.org, and javascript:alert(1)")
    chat_frame.get_by_label("Message").press("Enter")
    own = thread.get_by_role("link", name="www.example.org")
    expect(own).to_have_attribute("href", "https://www.example.org")
    expect(thread.get_by_role("link")).to_have_count(2)
    with page.context.expect_page() as opened:
        link.click()
    opened.value.wait_for_load_state()
    assert opened.value.url == address and opened.value.evaluate("window.opener") is None  # a new tab, cut off


def test_prechat_form_shows_the_api_messages_beside_each_field(page: Page, live_server, make_agent, host_site,
                                                               agents):
    agents(live_server)
    fields = [{"name": "name", "label": "Name", "type": "text", "required": True},
              {"name": "email", "label": "Email", "type": "email", "required": True},
              {"name": "company", "label": "Company"}]
    widget = create_widget(live_server, make_agent(role="admin"), [host_site.origin], pre_chat_fields=fields)
    chat_frame = open_widget(page, host_site.page("/", live_server, widget["id"]))
    for label, limit in (("Name", "120"), ("Email", "1000"), ("Company", "1000"), ("How can we help?", "5000")):
        expect(chat_frame.get_by_label(label)).to_have_attribute("maxlength", limit)

    chat_frame.get_by_label("Name").fill("Ada Lovelace")
    chat_frame.get_by_label("Email").fill("ada@example")  # the browser takes it, the API does not
    chat_frame.get_by_label("Company").evaluate("(input) => { input.value = 'Analytical\\u0000Engines'; }")
    chat_frame.get_by_label("How can we help?").fill("Hello")
    chat_frame.get_by_role("button", name="Start chat").click()
    email_error = chat_frame.locator("#f-email-error")
    expect(email_error).to_have_text("Enter a valid email address, such as name@example.com. "
                                      "The part after the @-sign is not valid. It should have a period.")
    expect(chat_frame.locator("#f-company-error")).to_have_text("Text may not contain the NUL character (\\u0000).")
    expect(chat_frame.get_by_label("Company")).to_have_attribute("aria-invalid", "true")
    expect(chat_frame.get_by_label("Email")).to_be_focused()

    # The pre-chat answers pass; a message of blanks is refused by the API, beside its field; then it starts.
    chat_frame.get_by_label("Email").fill("ada@example.com")
    chat_frame.get_by_label("Company").fill("Analytical Engines")
    chat_frame.get_by_label("How can we help?").fill("   ")
    chat_frame.get_by_role("button", name="Start chat").click()
    expect(chat_frame.locator("#f-message-error")).to_have_text("Write something first: the message is empty.")
    expect(chat_frame.locator("#f-email-error")).to_be_empty()
    chat_frame.get_by_label("How can we help?").fill("Hello")
    chat_frame.get_by_role("button", name="Start chat").click()
    expect(conversation(chat_frame).get_by_text("Hello")).to_be_visible()
