"""In real browsers: a visitor ticks the widget's consent line to start, then the agent watches their words
appear under the thread as they type, until the widget's typing preview is turned off."""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import Page, expect

from tests.widget_helpers import conversation, create_widget, host_site_fixture, open_widget
from tests.workspace_helpers import sign_in

host_site = pytest.fixture(host_site_fixture, name="host_site")

CONSENT = {"consent_text": "I agree that my details are used to answer me.",
           "consent_url": "https://shop.example.com/privacy", "consent_required": True}


def test_the_agent_sees_the_visitor_type_until_the_preview_is_turned_off(
        page: Page, second_page: Page, live_server, make_agent, host_site):
    admin = make_agent(role="admin", name="Ada Admin")
    widget = create_widget(live_server, admin, [host_site.origin], **CONSENT)
    sign_in(page, live_server, admin, online=True)
    csrf = {"X-CSRF-Token": next(c["value"] for c in page.context.cookies() if c["name"] == "chatdesk_csrf")}
    shop = host_site.page("/", live_server, widget["id"])

    name = f"Marie {secrets.token_hex(3)}"
    chat_frame = open_widget(second_page, shop)
    chat_frame.get_by_label("Name").fill(name)
    chat_frame.get_by_label("Email").fill("marie@example.com")
    chat_frame.get_by_label("How can we help?").fill("Hello")
    expect(chat_frame.get_by_role("link", name="Privacy policy")).to_have_attribute("href", CONSENT["consent_url"])
    chat_frame.get_by_role("button", name="Start chat").click()
    expect(chat_frame.get_by_text("Please tick this box.")).to_be_visible()
    chat_frame.get_by_role("checkbox").check()
    chat_frame.get_by_role("button", name="Start chat").click()
    expect(conversation(chat_frame).get_by_text("Hello")).to_be_visible()

    queued = page.request.get(live_server + "/api/v1/chats?status=queued").json()["chats"]
    chat = next(item for item in queued if item["visitor"]["name"] == name)
    assert page.request.post(live_server + f"/api/v1/chats/{chat['id']}/accept", headers=csrf).ok
    page.locator(".chat-link", has_text=name).click()
    expect(page.get_by_role("complementary", name="Visitor details")).to_contain_text("Consent given")

    typing_line, words = page.get_by_text(f"{name} is typing"), page.locator(".typing-preview")
    composer = chat_frame.get_by_label("Message")
    composer.press_sequentially("Where is my", delay=20)
    expect(words).to_have_text("Where is my")
    composer.press_sequentially(" parcel?", delay=20)
    expect(words).to_have_text("Where is my parcel?")
    expect(typing_line).to_be_visible()
    composer.press("Enter")
    expect(page.get_by_role("log", name="Messages")).to_contain_text("Where is my parcel?")
    expect(words).to_be_hidden()
    expect(typing_line).to_be_hidden()

    assert page.request.patch(live_server + f"/api/v1/widgets/{widget['id']}", headers=csrf,
                              data={"settings": {"typing_preview": False}}).ok
    second_page.reload()  # the widget reads its settings on load, and opens again as it was
    chat_frame = second_page.frame_locator("chatdesk-widget iframe")
    composer = chat_frame.get_by_label("Message")
    with second_page.expect_request(lambda request: request.url.endswith("/typing")
                                    and request.post_data_json["typing"]) as typed:
        composer.press_sequentially("my card number is", delay=20)
    assert typed.value.post_data_json == {"typing": True}  # only that the visitor types: no text
    expect(typing_line).to_be_visible()
    expect(words).to_be_hidden()
