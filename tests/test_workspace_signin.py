"""The workspace's sign-in page in a real browser against a live server."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.workspace_helpers import sign_in


def test_sign_in_set_presence_and_sign_out(page: Page, live_server, make_agent):
    agent = make_agent(name="Grace Hopper")
    page.goto(live_server + "/")
    expect(page.get_by_label("Email")).to_be_focused()
    page.get_by_label("Email").fill(agent["email"])
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")

    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Grace Hopper")).to_be_visible()
    page.get_by_label("Presence").select_option("online")
    expect(page.locator("#presence-dot")).to_have_attribute("data-status", "online")

    page.reload()  # the session cookie keeps the agent signed in
    expect(page.get_by_label("Presence")).to_have_value("online")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Email")).to_be_visible()
    page.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_a_second_tab_of_the_session_can_change_things(page: Page, live_server, make_agent):
    agent = make_agent(name="Grace Hopper")
    sign_in(page, live_server, agent)
    second = page.context.new_page()  # same browser, same cookies, nothing of the first tab's memory
    second.goto(live_server + "/workspace/")
    expect(second.locator("#agent-name")).to_have_text("Grace Hopper")
    second.get_by_label("Presence").select_option("online")
    expect(second.locator("#presence-dot")).to_have_attribute("data-status", "online")
    page.reload()
    expect(page.get_by_label("Presence")).to_have_value("online")
