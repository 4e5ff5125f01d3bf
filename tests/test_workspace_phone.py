"""The workspace on a phone (390x844) in a real browser: the shell fits the width, nothing scrolls sideways."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.workspace_helpers import sign_in


def test_shell_fits_a_phone_without_sideways_scroll(browser: Browser, live_server, make_agent):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server, make_agent("admin", name="Penelope Phonewright"), online=True)
    for route in ("#/", "#/tickets", "#/admin/agents"):
        page.evaluate(f"location.hash = '{route}'")
        expect(page.locator("#workspace")).to_have_attribute("data-view", route.split("/")[1] or "chats")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, route
    page.get_by_role("link", name="Chats", exact=True).click()

    # Search collapses to an icon; it opens the field over the bar and the chats drawer.
    page.get_by_role("button", name="Search chats").click()
    expect(page.get_by_role("searchbox", name="Search chats")).to_be_focused()
    expect(page.get_by_role("complementary", name="Queue and chats")).to_be_in_viewport()
    page.keyboard.type("nobody")
    expect(page.get_by_text("No chat matches your search.")).to_be_visible()
    page.screenshot(path="/tmp/phone-search.png")
    page.keyboard.press("Escape")
    expect(page.get_by_role("searchbox", name="Search chats")).to_be_hidden()

    # Presence stays a labelled select; preferences and sign-out live in the account menu.
    page.get_by_label("Presence").select_option("away")
    expect(page.locator("#presence-dot")).to_have_attribute("data-status", "away")
    page.get_by_role("button", name="Account").click()
    menu = page.locator("#profile-menu")
    expect(menu).to_contain_text("Penelope Phonewright")
    expect(menu.get_by_role("button", name="Sign out")).to_be_visible()
    page.screenshot(path="/tmp/phone-menu.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.keyboard.press("Escape")
    expect(menu.get_by_role("button", name="Sign out")).to_be_hidden()
    page.get_by_role("button", name="Account").click()
    menu.get_by_role("button", name="Preferences").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    context.close()
