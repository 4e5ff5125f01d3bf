"""A proactive greeting in a real browser: the widget opens by itself with it on a matching page after
its seconds, not on another page, and the chat the visitor then starts opens with it."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.widget_helpers import admin_token, agents_fixture, conversation, create_widget, host_site_fixture

host_site = pytest.fixture(host_site_fixture, name="host_site")
agents = pytest.fixture(agents_fixture, name="agents")
GREETING = "Questions about our plans?"


def test_a_greeting_opens_the_widget_on_a_matching_page_only(page: Page, live_server, make_agent, host_site, agents):
    admin = make_agent(role="admin")
    widget = create_widget(live_server, admin, [host_site.origin])
    agents(live_server)  # online in no department: the default one takes chats
    api = httpx.Client(base_url=live_server, headers={"Authorization": f"Bearer {admin_token(live_server, admin)}"})
    default = next(d for d in api.get("/api/v1/departments").json()["departments"] if d["is_default"])
    created = api.post("/api/v1/triggers", json={
        "widget_id": widget["id"], "department_id": default["id"], "name": "Pricing", "greeting": GREETING,
        "url_pattern": "*/pricing*", "seconds_on_page": 1})
    assert created.status_code == 201, created.text

    about = page.context.new_page()  # the visitor reads another page first, and stays there longer
    about.goto(host_site.page("/about", live_server, widget["id"]))
    page.goto(host_site.page("/pricing/pro", live_server, widget["id"]))
    frame = page.frame_locator("chatdesk-widget iframe")
    expect(frame.locator(".greeting .bubble")).to_have_text(GREETING, timeout=10_000)
    expect(frame.locator(".greeting .sender")).to_have_text(default["name"])  # from the department
    expect(frame.locator("#announcer")).to_have_text(f"{default['name']}: {GREETING}")
    expect(page.get_by_role("button", name="Close Chat with us")).to_have_attribute("aria-expanded", "true")
    assert page.evaluate("document.activeElement === document.body"), "the greeting took the page's focus"

    # The other page has been open longer than the rule's second, and its widget stayed shut.
    assert about.evaluate("performance.now()") > 1000
    expect(about.get_by_role("button", name="Open Chat with us")).to_have_attribute("aria-expanded", "false")
    about_frame = about.frame_locator("chatdesk-widget iframe")
    expect(about_frame.locator("form.form")).to_be_attached()  # loaded, with this page's rules: none
    expect(about_frame.locator(".greeting")).to_have_count(0)

    frame.get_by_label("Name").fill("Ada Lovelace")
    frame.get_by_label("Email").fill("ada@example.com")
    frame.get_by_label("How can we help?").fill("Which plan suits a team of 5?")
    frame.get_by_role("button", name="Start chat").click()
    thread = conversation(frame)
    expect(thread.get_by_text("Which plan suits a team of 5?")).to_be_visible()
    expect(thread.get_by_text(f"{default['name']}: {GREETING}")).to_be_visible()  # the chat opens with it
    report = api.get("/api/v1/reports", params={"from": "2026-01-01", "to": "2026-12-31"}).json()
    assert [(t["triggered"], t["engaged"]) for t in report["triggers"] if t["id"] == created.json()["id"]] == [(1, 1)]
