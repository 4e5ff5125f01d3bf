"""Screenshots of every state of the widget, compared with committed baselines.

Each viewport gets a fresh database (one department, one agent, one widget), so the pictures
depend on nothing else the test session did. Times are hidden, animations and the caret off.
Regenerate the baselines after a deliberate change of the look (and look at every one of them):

    UPDATE_SCREENSHOTS=1 .venv/bin/pytest tests/test_widget_screenshots.py
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from chatdesk.bench.server import ServerProcess
from chatdesk.config import Settings
from chatdesk.db import migrate
from chatdesk.db.engine import create_engine
from chatdesk.desk.agents import create_agent
from chatdesk.desk.widgets import create_widget
from tests.conftest import PASSWORD, broadcast_default_department, in_thread, run
from tests.screenshots import assert_screenshot
from tests.widget_helpers import Agent, conversation

# A picture matches when under 1 % of its pixels differ (tests/screenshots.py says what differing is).
MAX_DIFFERING = 0.01
# Live times would change every run; the demo shop's footer names this run's widget id and port.
FREEZE = ("time, footer { visibility: hidden !important; } "
          "*, *::before, *::after { animation: none !important; transition: none !important; }")
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def browser_context_args(browser_context_args):
    """The frame's CSP allows only its own stylesheet; the screenshots' freezing style must get in too."""
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def fresh_server(new_database, redis_url, tmp_path):
    """A server on a database of its own: the Support department, Grace Hopper (offline), one widget."""
    url = new_database()
    in_thread(migrate.upgrade, url)

    async def seed() -> dict:
        engine = create_engine(url, pool_size=1)
        greeting = "Hi! Questions about beans, grinds or an order? We're here to help."
        try:
            async with engine.begin() as conn:
                agent = await create_agent(conn, email="grace@example.com", name="Grace Hopper", role="agent",
                                           password=PASSWORD)
                await create_widget(conn, "Northwind", {"title": "Northwind Coffee", "greeting": greeting})
        finally:
            await engine.dispose()
        await broadcast_default_department(url)  # Grace, in no department, serves it
        return agent

    agent = run(seed())
    settings = Settings(DATABASE_URL=url, REDIS_URL=redis_url, CHATDESK_DATA_DIR=str(tmp_path / "data"),
                        CHATDESK_SECRET_KEY="screenshots-" + "x" * 32)
    server = ServerProcess(settings, tmp_path / "server.log").start()
    yield server.base_url, agent
    server.stop()


def check(page: Page, name: str) -> None:
    """Compare the page with its baseline (or write the baseline when updating)."""
    assert_screenshot(page, f"widget/{name}", max_changed=MAX_DIFFERING, style=FREEZE)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_widget_states_look_as_designed(page: Page, fresh_server, viewport):
    base_url, agent_account = fresh_server
    page.set_viewport_size(VIEWPORTS[viewport])
    page.goto(base_url + "/demo")
    expect(page.get_by_role("status").get_by_text("Questions about beans")).to_be_visible()
    check(page, f"{viewport}-launcher")

    page.get_by_role("button", name="Open Northwind Coffee").click()
    chat_frame = page.frame_locator("chatdesk-widget iframe")
    expect(chat_frame.get_by_role("button", name="Send message")).to_be_visible()  # nobody online
    check(page, f"{viewport}-offline")

    agent = Agent(base_url, agent_account)
    try:
        page.reload()  # the widget opens again by itself, now with an agent online
        expect(chat_frame.get_by_role("button", name="Start chat")).to_be_visible()
        check(page, f"{viewport}-prechat")

        chat_frame.get_by_label("Name").fill("Ada Lovelace")
        chat_frame.get_by_label("Email").fill("ada@example.com")
        chat_frame.get_by_label("How can we help?").fill("Hi! Where is my order #1234?")
        chat_frame.get_by_role("button", name="Start chat").click()
        expect(chat_frame.get_by_text("You're #1 in line")).to_be_visible()
        thread = conversation(chat_frame)
        expect(thread.get_by_text("Sent")).to_be_visible()
        expect(chat_frame.get_by_label("Message")).to_be_focused()
        check(page, f"{viewport}-queued")

        chat = agent.run(agent.client.accept(agent.queued_chat("Ada Lovelace")["id"]))
        agent.run(agent.client.send(chat["id"], "Hi Ada! It left our roastery this morning."))
        agent.run(agent.client.send(chat["id"], "Tracking: https://track.example.com/NW-1234-5678-ABCD"))
        expect(thread.get_by_text("Tracking:")).to_be_visible()
        chat_frame.get_by_label("Message").fill("Perfect, thank you! \U0001f60a")
        chat_frame.get_by_label("Message").press("Enter")
        sent = agent.wait_for(lambda e: e.type == "message.created" and e.data["message"]["body"].startswith("Perfect"))
        agent.run(agent.client.read(chat["id"], sent.data["message"]["seq"]))
        expect(thread.get_by_text("Seen")).to_be_visible()
        check(page, f"{viewport}-active")

        agent.run(agent.client.end(chat["id"]))
        expect(chat_frame.get_by_role("button", name="Good")).to_be_visible()
        expect(thread.get_by_text("Chat ended by Grace Hopper")).to_be_in_viewport()
        check(page, f"{viewport}-ended")
    finally:
        agent.close()


def in_locale(browser: Browser, locale: str) -> Page:
    """A page of a browser whose languages are `locale` (navigator.languages and Accept-Language)."""
    context = browser.new_context(locale=locale, bypass_csp=True, viewport=VIEWPORTS["desktop"])
    return context.new_page()


def test_widget_in_german_speaks_german_with_german_dates(browser: Browser, fresh_server):
    """Its own words, dates and times, and the lines chatdesk writes in the thread (their English is the
    messages' body, which the English widget shows)."""
    base_url, agent_account = fresh_server
    page = in_locale(browser, "de-DE")
    agent = Agent(base_url, agent_account)
    try:
        page.goto(base_url + "/demo")
        page.get_by_role("button", name="Northwind Coffee öffnen").click()
        chat_frame = page.frame_locator("chatdesk-widget iframe")
        expect(chat_frame.locator("html")).to_have_attribute("lang", "de")
        chat_frame.get_by_label("Name").fill("Jürgen Weber")
        chat_frame.get_by_label("E-Mail").fill("juergen@example.com")
        chat_frame.get_by_label("Wie können wir helfen?").fill("Wo ist meine Bestellung?")
        chat_frame.get_by_role("button", name="Chat starten").click()
        expect(chat_frame.get_by_text("Sie sind Nr. 1 in der Warteschlange")).to_be_visible()
        queued = agent.queued_chat("Jürgen Weber")
        assert queued["visitor"]["language"] == "de"  # agents see it, mails follow it
        chat = agent.run(agent.client.accept(queued["id"]))
        message = agent.run(agent.client.send(chat["id"], "Hallo Jürgen! Sie ist heute Morgen rausgegangen."))
        thread = chat_frame.get_by_role("list", name="Unterhaltung")
        expect(thread.locator("li.system .bubble")).to_have_text("Grace Hopper ist dem Chat beigetreten")
        stamp = thread.locator("li.agent time")
        at = message["created_at"]
        expect(stamp).to_have_text(page.evaluate(
            "at => new Date(at).toLocaleTimeString('de-DE', {hour: 'numeric', minute: '2-digit'})", at))
        expect(stamp).to_have_attribute("title", re.compile(page.evaluate(  # e.g. "Montag, 30. November 2026"
            "at => new Date(at).toLocaleDateString('de-DE', {dateStyle: 'full'})", at)))
        expect(chat_frame.get_by_role("button", name="Chat beenden")).to_be_visible()
        # The joined line can arrive a moment before the chat's new state: the shot waits for both.
        expect(chat_frame.get_by_role("heading", name="Grace Hopper")).to_be_visible()
        expect(chat_frame.get_by_text("Sie sind Nr. 1 in der Warteschlange")).to_be_hidden()
        check(page, "desktop-de-active")
        agent.run(agent.client.end(chat["id"]))
        expect(thread.locator("li.system .bubble").last).to_have_text("Chat von Grace Hopper beendet")
    finally:
        agent.close()
        page.context.close()


def test_widget_in_arabic_is_mirrored(browser: Browser, fresh_server):
    base_url, _ = fresh_server
    page = in_locale(browser, "ar")
    try:
        page.goto(base_url + "/demo")
        launcher = page.get_by_role("button", name="فتح Northwind Coffee")
        expect(launcher).to_be_visible()
        box = launcher.bounding_box()
        assert box and box["x"] + box["width"] < VIEWPORTS["desktop"]["width"] / 2  # the left: the other side
        check(page, "desktop-ar-launcher")
        launcher.click()
        chat_frame = page.frame_locator("chatdesk-widget iframe")
        expect(chat_frame.locator("html")).to_have_attribute("dir", "rtl")
        expect(chat_frame.get_by_role("button", name="إرسال الرسالة")).to_be_visible()  # nobody online
        expect(chat_frame.get_by_label("البريد الإلكتروني")).to_be_visible()
        check(page, "desktop-ar-offline")
    finally:
        page.context.close()
