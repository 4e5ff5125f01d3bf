"""The workspace shell in a real browser: the hash router and the admin entry for admins only."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD


def sign_in(page: Page, base_url: str, agent: dict) -> None:
    page.goto(base_url + "/workspace/")
    page.get_by_label("Email").fill(agent["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#agent-name")).to_have_text(agent["name"])


def test_agents_see_no_admin_entry_and_are_turned_away(page: Page, live_server, make_agent):
    sign_in(page, live_server, make_agent(name="Ada Agent"))
    expect(page.get_by_role("link", name="Admin")).to_be_hidden()
    page.evaluate("location.hash = '#/admin/agents'")
    expect(page.get_by_role("heading", name="Admins only")).to_be_visible()
    page.get_by_role("link", name="Back to chats").click()
    expect(page.get_by_role("link", name="Chats", exact=True)).to_have_attribute("aria-current", "page")


def test_admins_get_the_admin_entry(page: Page, live_server, make_agent):
    sign_in(page, live_server, make_agent("admin", name="Alan Admin"))
    page.get_by_role("link", name="Admin").click()
    expect(page.get_by_role("link", name="Admin")).to_have_attribute("aria-current", "page")
    expect(page.locator("#workspace")).to_have_attribute("data-view", "admin")


def test_preferences_and_auto_away_after_idle_minutes(page: Page, live_server, make_agent):
    page.clock.install()
    agent = make_agent(name="Idle Ida")
    sign_in(page, live_server, agent)
    page.get_by_label("Presence").select_option("online")
    expect(page.locator("#presence-dot")).to_have_attribute("data-status", "online")
    page.get_by_role("button", name="Preferences").click()
    page.get_by_label("Go away after idle (minutes)").fill("1")
    page.get_by_label("Play a sound for new chats and messages").uncheck()
    page.get_by_label("Email me new tickets and tickets assigned to me").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Preferences saved")).to_be_visible()

    page.clock.fast_forward("01:30")
    expect(page.get_by_label("Presence")).to_have_value("away")
    page.mouse.move(300, 300)
    page.mouse.move(320, 320)
    expect(page.get_by_label("Presence")).to_have_value("online")
    page.reload()
    page.get_by_role("button", name="Preferences").click()
    expect(page.get_by_label("Go away after idle (minutes)")).to_have_value("1")
    expect(page.get_by_label("Play a sound for new chats and messages")).not_to_be_checked()
    expect(page.get_by_label("Email me new tickets and tickets assigned to me")).to_be_checked()
