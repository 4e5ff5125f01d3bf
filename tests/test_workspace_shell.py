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
    expect(page.get_by_role("link", name="Chats")).to_have_attribute("aria-current", "page")


def test_admins_get_the_admin_entry(page: Page, live_server, make_agent):
    sign_in(page, live_server, make_agent("admin", name="Alan Admin"))
    page.get_by_role("link", name="Admin").click()
    expect(page.get_by_role("link", name="Admin")).to_have_attribute("aria-current", "page")
    expect(page.locator("#workspace")).to_have_attribute("data-view", "admin")
