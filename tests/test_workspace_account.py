"""Accounts in a real browser: "Your account" (names and a new password), an admin's password reset with
the one-time password shown once, and "Choose a new password" before the workspace after a one-time
sign-in (a reset account, and the first admin `chatdesk up` prints); their screenshots."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from chatdesk.bench.server import ServerProcess
from chatdesk.cli.provision import seed_if_empty
from chatdesk.config import Settings
from tests.conftest import PASSWORD, bearer, migrated_database, run
from tests.screenshots import assert_screenshot
from tests.widget_helpers import Agent, conversation, create_widget, host_site_fixture, open_widget, start_chat
from tests.workspace_helpers import sign_in

host_site = pytest.fixture(host_site_fixture, name="host_site")

NEW_PASSWORD = "my own passphrase 42"
VIEWPORTS = {"1440x900": {"width": 1440, "height": 900}, "390x844": {"width": 390, "height": 844}}


def _sign_in_with(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(base_url + "/workspace/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _status(base_url: str, email: str, password: str) -> int:
    return httpx.post(base_url + "/api/v1/auth/login", json={"email": email, "password": password}).status_code


def test_an_agent_changes_names_and_password_from_the_workspace(page: Page, live_server, make_agent):
    agent = make_agent(name="Grace Hopper")
    sign_in(page, live_server, agent)
    page.get_by_role("button", name="Your account").click()
    dialog = page.get_by_role("dialog", name="Your account")
    dialog.get_by_label("Name", exact=True).fill("Grace B. Hopper")
    dialog.get_by_label("Name customers see").fill("Grace from Acme")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Customers see you as Grace from Acme")).to_be_visible()
    expect(page.locator("#agent-name")).to_have_text("Grace B. Hopper")

    dialog.get_by_label("Current password").fill("not my password")
    dialog.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    dialog.get_by_label("New password again").fill(NEW_PASSWORD)
    dialog.get_by_role("button", name="Change password").click()
    expect(dialog.get_by_text("This is not your current password.")).to_be_visible()
    expect(dialog.get_by_label("Current password")).to_be_focused()
    dialog.get_by_label("Current password").fill(PASSWORD)
    dialog.get_by_label("New password again").fill(NEW_PASSWORD + "!")
    dialog.get_by_role("button", name="Change password").click()
    expect(dialog.get_by_text("This does not match the new password.")).to_be_visible()
    dialog.get_by_label("New password again").fill(NEW_PASSWORD)
    dialog.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status").filter(has_text="Password changed")).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_have_count(0)

    page.get_by_role("button", name="Sign out").click()
    # Signing out reloads the page: a navigation started before that reload ends would be cut off.
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    _sign_in_with(page, live_server, agent["email"], PASSWORD)
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#agent-name")).to_have_text("Grace B. Hopper")
    me = httpx.get(live_server + "/api/v1/agents/me", headers=bearer(httpx.post(
        live_server + "/api/v1/auth/login", json={"email": agent["email"], "password": NEW_PASSWORD}).json()["token"]))
    assert (me.json()["name"], me.json()["public_name"]) == ("Grace B. Hopper", "Grace from Acme")


def test_an_admin_resets_a_password_and_the_agent_must_choose_one_before_the_workspace(
        page: Page, browser: Browser, live_server, make_agent):
    admin, bob = make_agent("admin", name="Alan Admin"), make_agent(name="Bob Builder")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, live_server, admin)
    page.goto(live_server + "/workspace/#/admin/agents")
    row = page.get_by_role("row", name=re.compile("Bob Builder"))
    row.get_by_role("button", name="Edit").click()
    page.get_by_role("dialog").get_by_label("Name customers see").fill("Bob")
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    expect(page.get_by_role("row", name=re.compile("Bob Builder")).get_by_text("customers see “Bob”")).to_be_visible()

    page.get_by_role("row", name=re.compile("Bob Builder")).get_by_role("button", name="Edit").click()
    edit = page.get_by_role("dialog", name="Edit Bob Builder")
    expect(edit.get_by_label("Name customers see")).to_have_value("Bob")
    page.evaluate("document.activeElement.blur()")
    assert_screenshot(edit, "admin/edit-agent")
    edit.get_by_role("button", name="Reset password").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Reset password").click()
    shown = page.get_by_role("dialog", name="One-time password for Bob Builder")
    one_time = shown.get_by_label("One-time password").input_value()
    assert len(one_time) >= 10
    assert_screenshot(shown, "admin/one-time-password", mask=[shown.get_by_label("One-time password")])
    shown.get_by_role("button", name="Copy").click()
    expect(shown.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == one_time
    shown.get_by_role("button", name="Done").click()
    expect(shown).to_have_count(0)
    assert _status(live_server, bob["email"], PASSWORD) == 401

    bobs = browser.new_page()
    try:
        _sign_in_with(bobs, live_server, bob["email"], one_time)
        expect(bobs.get_by_role("heading", name="Choose a new password")).to_be_visible()
        expect(bobs.locator("#app")).to_be_hidden()
        expect(bobs.get_by_label("New password", exact=True)).to_be_focused()
        bobs.get_by_label("New password", exact=True).fill("short")
        bobs.get_by_role("button", name="Save and continue").click()
        expect(bobs.get_by_text("Use at least 10 characters.")).to_be_visible()
        bobs.reload()  # still signed in, still held to choosing a password; the one-time one is asked again
        expect(bobs.get_by_role("heading", name="Choose a new password")).to_be_visible()
        bobs.get_by_label("One-time password").fill(one_time)
        bobs.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        bobs.get_by_label("New password again").fill(NEW_PASSWORD)
        bobs.get_by_role("button", name="Save and continue").click()
        expect(bobs.locator("#agent-name")).to_have_text("Bob Builder")
        expect(bobs.get_by_role("heading", name="Choose a new password")).to_have_count(0)
        bobs.reload()
        expect(bobs.locator("#agent-name")).to_have_text("Bob Builder")
    finally:
        bobs.close()
    assert _status(live_server, bob["email"], one_time) == 401
    assert _status(live_server, bob["email"], NEW_PASSWORD) == 200


@pytest.fixture
def first_run(new_database, redis_url, settings, tmp_path):
    """A server on a fresh database provisioned as `chatdesk up` does: (base URL, the printed first run)."""
    url = migrated_database(new_database)
    first = run(seed_if_empty(url))
    own = Settings(DATABASE_URL=url, REDIS_URL=redis_url, CHATDESK_DATA_DIR=str(tmp_path / "first-run"),
                   CHATDESK_SECRET_KEY=settings.secret())
    server = ServerProcess(own, tmp_path / "first-run.log").start()
    yield server.base_url, first
    server.stop()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_first_admin_chooses_a_password_at_first_sign_in(browser: Browser, first_run, viewport):
    base_url, first = first_run
    page = browser.new_page(viewport=VIEWPORTS[viewport], timezone_id="UTC", locale="en-US")
    try:
        _sign_in_with(page, base_url, first.admin_email, first.admin_password)
        expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
        expect(page.get_by_label("One-time password")).to_have_count(0)  # typed a moment ago: not asked again
        assert_screenshot(page, f"workspace/choose-password-{viewport}")
        page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("New password again").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Save and continue").click()
        expect(page.locator("#agent-name")).to_have_text("Admin")
        expect(page.get_by_role("link", name="Admin")).to_be_visible()

        if viewport == "390x844":  # on phones it sits in the account menu
            page.get_by_role("button", name="Account", exact=True).click()
        page.get_by_role("button", name="Your account").click()
        dialog = page.get_by_role("dialog", name="Your account")
        expect(dialog.get_by_label("Name customers see")).to_have_value("Support")
        page.evaluate("document.activeElement.blur()")
        assert_screenshot(page, f"workspace/your-account-{viewport}")
    finally:
        page.close()
    assert _status(base_url, first.admin_email, first.admin_password) == 401
    assert _status(base_url, first.admin_email, NEW_PASSWORD) == 200


def test_the_widget_shows_the_display_name_never_the_account_name(page: Page, live_server, make_agent, host_site):
    widget = create_widget(live_server, make_agent(role="admin"), [host_site.origin])
    agent = Agent(live_server, make_agent(name="Admin", display_name="Sam from Support"))
    try:
        chat_frame = open_widget(page, host_site.page("/", live_server, widget["id"]))
        start_chat(chat_frame, "Ada Lovelace", "Where is my parcel?")
        chat = agent.run(agent.client.accept(agent.queued_chat("Ada Lovelace")["id"]))
        expect(chat_frame.get_by_role("heading", name="Sam from Support")).to_be_visible()
        agent.run(agent.client.typing(chat["id"], True))
        expect(chat_frame.get_by_label("Sam from Support is typing")).to_be_visible()
        agent.run(agent.client.send(chat["id"], "Let me look."))
        thread = conversation(chat_frame)
        expect(thread.get_by_text("Let me look.")).to_be_visible()
        expect(thread).to_contain_text("Sam from Support joined the chat")
        expect(chat_frame.locator("#announcer")).to_have_text("Sam from Support: Let me look.")
        expect(chat_frame.get_by_text(re.compile(r"\bAdmin\b"))).to_have_count(0)
    finally:
        agent.close()
