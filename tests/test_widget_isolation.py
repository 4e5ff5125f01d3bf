"""The widget on a hostile host page: aggressive CSS and a global named Chatdesk must not break it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.widget_helpers import agents_fixture, create_widget, host_site_fixture, open_widget, start_chat

host_site = pytest.fixture(host_site_fixture, name="host_site")
agents = pytest.fixture(agents_fixture, name="agents")

HOSTILE_CSS = """<style>
  * { all: unset !important; }
  html, body, div, iframe, button, span, i { display: inline !important; position: static !important;
    width: 10px !important; height: 10px !important; font: 5px serif !important; color: red !important;
    background: yellow !important; opacity: .5 !important; z-index: -1 !important; }
  body * { transform: rotate(3deg) !important; filter: blur(1px) !important; }
</style>"""

# A global named Chatdesk before the snippet: an element with that id (browsers expose it as
# window.Chatdesk) and a queue of calls made before the loader arrived.
CONFLICTS = """<div id="Chatdesk">The shop's own element named Chatdesk</div>
<script>
  window.keysBefore = Object.keys(window);
  window.Chatdesk = {q: [["identify", {name: "Queued Name", email: "queued@example.com"}]]};
  window.opened = 0;
  window.Chatdesk.q.push(["on", "open", () => { window.opened += 1; }]);
</script>"""


def test_hostile_host_page_does_not_break_the_widget(page: Page, live_server, make_agent, host_site):
    widget = create_widget(live_server, make_agent(role="admin"), [host_site.origin])
    page.goto(host_site.page("/", live_server, widget["id"], head=HOSTILE_CSS, body=CONFLICTS))

    launcher = page.get_by_role("button", name="Open Chat with us")
    expect(launcher).to_be_visible()
    box = launcher.bounding_box()
    assert (round(box["width"]), round(box["height"])) == (56, 56)
    assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(37, 99, 235)"
    assert page.evaluate("Object.keys(window).filter(k => !window.keysBefore.includes(k))") == [
        "keysBefore", "Chatdesk", "opened"]  # the page's own; the widget added no global of its own

    page.evaluate("Chatdesk.open()")
    panel = page.locator("chatdesk-widget iframe")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert (round(box["width"]), round(box["height"])) == (380, 600)
    assert page.evaluate("window.opened") == 1
    chat_frame = page.frame_locator("chatdesk-widget iframe")
    expect(chat_frame.get_by_label("Name")).to_have_value("Queued Name")  # identify() queued before load
    expect(chat_frame.get_by_label("Email")).to_have_value("queued@example.com")
    assert chat_frame.get_by_label("Name").evaluate("n => getComputedStyle(n).fontSize") == "15px"
    expect(chat_frame.get_by_label("Name")).to_be_focused()

    for _ in range(8):  # Tab cycles inside the open widget
        page.keyboard.press("Tab")
    assert chat_frame.locator(":focus").count() == 1
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(page.get_by_role("button", name=re.compile("^Open Chat with us"))).to_be_focused()


def test_keyboard_emoji_and_phone_sheet(browser, live_server, make_agent, host_site, agents):
    """On a phone: a full-screen sheet, 16 px inputs (no zoom on focus); the emoji picker works by keyboard."""
    widget = create_widget(live_server, make_agent(role="admin"), [host_site.origin])
    agent = agents(live_server)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    chat_frame = open_widget(page, host_site.page("/", live_server, widget["id"]))
    page.wait_for_function("!document.querySelector('chatdesk-widget').shadowRoot.querySelector('.p').getAnimations().length")
    box = page.locator("chatdesk-widget iframe").bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 844)
    assert chat_frame.get_by_label("Name").evaluate("n => getComputedStyle(n).fontSize") == "16px"
    start_chat(chat_frame, "Phone Visitor")
    agent.run(agent.client.accept(agent.queued_chat("Phone Visitor")["id"]))

    chat_frame.get_by_role("button", name="Insert emoji").focus()
    page.keyboard.press("Enter")
    expect(chat_frame.get_by_role("button", name="\U0001f600")).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # the 10th: one right, one row down
    expect(chat_frame.get_by_role("textbox", name="Message")).to_have_value("\U0001f64f")
    expect(chat_frame.get_by_role("textbox", name="Message")).to_be_focused()
    chat_frame.get_by_role("button", name="Insert emoji").click()
    page.keyboard.press("Escape")  # closes the picker, not the widget
    expect(chat_frame.get_by_role("dialog", name="Emoji")).to_be_hidden()
    expect(chat_frame.get_by_role("button", name="Insert emoji")).to_be_focused()
    phone.close()


def test_settings_shape_the_widget(page: Page, live_server, make_agent, host_site, agents):
    agents(live_server)  # someone online: the pre-chat form, not the offline one
    fields = [{"name": "name", "label": "Your name", "required": True},
              {"name": "order", "label": "Order number", "type": "text", "required": False},
              {"name": "topic", "label": "Topic", "type": "select", "options": ["Billing", "Shipping"],
               "required": True}]
    widget = create_widget(live_server, make_agent(role="admin"), [host_site.origin], title="Help desk",
                           color="#fde047", position="left", greeting="Ahoy!", pre_chat_fields=fields)
    page.goto(host_site.page("/", live_server, widget["id"]))
    expect(page.get_by_role("status").get_by_text("Ahoy!")).to_be_visible()
    launcher = page.get_by_role("button", name="Open Help desk")
    assert launcher.bounding_box()["x"] == 20  # on the left
    assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(253, 224, 71)"
    assert launcher.evaluate("b => getComputedStyle(b).color") == "rgb(9, 9, 11)"  # dark text on a light accent
    launcher.click()
    chat_frame = page.frame_locator("chatdesk-widget iframe")
    expect(chat_frame.get_by_role("heading", name="Help desk")).to_be_visible()
    expect(chat_frame.get_by_label("Order number (optional)")).to_be_visible()
    expect(chat_frame.get_by_label("Email")).to_have_count(0)
    chat_frame.get_by_role("button", name="Start chat").click()
    expect(chat_frame.get_by_label("Your name")).to_be_focused()  # the first field with an error
    expect(chat_frame.get_by_text("Please fill this in.")).to_have_count(3)  # name, topic, message
