"""The workspace and its admin console run under their Content-Security-Policy in a real browser."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.workspace_helpers import Visitor, department, sign_in


def test_workspace_and_admin_run_without_a_policy_violation(page: Page, live_server, database_url, make_agent):
    refused: list[str] = []
    page.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))
    admin = make_agent("admin", name="Alan Admin")
    support = department(database_url, [admin])
    assert "default-src 'self'" in page.goto(live_server + "/workspace/").headers["content-security-policy"]
    sign_in(page, live_server, admin, online=True)

    # A chat: the visitor panel's skeleton, the read receipt under a reply, the palette's empty state.
    Visitor(live_server, database_url, "Marie Curie").start(support, "Hello there")
    page.get_by_role("article", name="Chat offered: Marie Curie").get_by_role("button", name="Accept").click()
    composer = page.get_by_role("textbox", name="Message")
    composer.fill("Hi Marie")
    composer.press("Enter")
    expect(page.locator(".stamp.receipt")).to_be_visible()
    composer.fill("/nothing-like-this")
    expect(page.get_by_role("listbox", name="Quick responses")).to_contain_text("No quick response matches")
    composer.fill("")

    # The admin console, down to the widget editor's live preview.
    page.get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", name="Agents", level=1)).to_be_visible()
    page.get_by_role("link", name="Widgets").click()
    expect(page.get_by_role("heading", name="Widgets", level=1)).to_be_visible()
    assert refused == []
