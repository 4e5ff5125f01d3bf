"""Forgot password and invitations in a real browser (Debian's chromium) against a live server that
sends to a real SMTP server (aiosmtpd): the link is taken from the mail received, opened in the page,
a password chosen, and the agent signs in and reaches the workspace."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import migrated_database
from tests.mail_helpers import MAIL_FROM, received
from tests.screenshots import assert_screenshot
from tests.test_password_mail import LINK
from tests.workspace_helpers import sign_in

NEW_PASSWORD = "correct horse battery"
VIEWPORTS = {"1440x900": {"width": 1440, "height": 900}, "390x844": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def database_url(new_database) -> str:
    """A database of this module's own: the invite dialog lists every department there is."""
    return migrated_database(new_database)


@pytest.fixture
def mailing_server(serve, sink) -> str:
    return serve(CHATDESK_SMTP_URL=sink.url + "&timeout=2", CHATDESK_MAIL_FROM=MAIL_FROM).base_url


def link_from_mail(sink, address: str) -> str:
    return LINK.search(received(sink, address).get_body(("plain",)).get_content()).group(0)


def choose_password_and_sign_in(page: Page, link: str, email: str, name: str) -> None:
    page.goto(link)
    expect(page.get_by_label("New password", exact=True)).to_be_focused()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Your password is saved. Sign in with it.")
    expect(page.get_by_role("textbox", name="Email")).to_have_value(email)
    expect(page.get_by_label("Password")).to_be_focused()
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#agent-name")).to_have_text(name)
    assert "/reset/" not in page.url and "/invite/" not in page.url


def test_forgot_password_by_the_mailed_link(page: Page, mailing_server, sink, make_agent):
    agent = make_agent(name="Grace Hopper")
    page.goto(mailing_server + "/workspace/")
    page.get_by_role("textbox", name="Email").fill(agent["email"])
    page.get_by_role("button", name="Forgot your password?").click()
    expect(page.get_by_role("textbox", name="Email")).to_have_value(agent["email"])
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("status")).to_contain_text("If an account has this email, a link")
    link = link_from_mail(sink, agent["email"])
    choose_password_and_sign_in(page, link, agent["email"], "Grace Hopper")
    # The link worked once: opened again, it says so in plain words and points to a new one.
    page.goto(link)
    page.get_by_label("New password", exact=True).fill("another new password")
    page.get_by_label("New password again").fill("another new password")
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_role("alert")).to_contain_text("This link was used already")
    expect(page.get_by_text("Ask for a new link")).to_be_visible()


def test_an_invited_agent_chooses_a_password_and_signs_in(browser: Browser, page: Page, mailing_server, sink,
                                                          make_agent):
    admin = make_agent(role="admin", name="Alan Admin")
    sign_in(page, mailing_server, admin)
    page.get_by_role("link", name="Admin").click()
    page.get_by_role("button", name="Invite agent").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Email is not set up yet")).to_be_hidden()
    dialog.get_by_label("Name", exact=True).fill("Nina Newcomer")
    dialog.get_by_label("Email").fill("nina@example.com")
    dialog.get_by_role("button", name="Send invitation").click()
    row = page.get_by_role("row", name=re.compile("Nina Newcomer"))
    expect(row.get_by_text("Invited")).to_be_visible()

    invited = browser.new_context().new_page()  # Nina's own browser
    choose_password_and_sign_in(invited, link_from_mail(sink, "nina@example.com"), "nina@example.com",
                                "Nina Newcomer")
    invited.context.close()
    page.reload()
    expect(page.get_by_role("row", name=re.compile("Nina Newcomer")).get_by_text("Invited")).to_have_count(0)


def _context(browser: Browser, viewport: str) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme="light", reduced_motion="reduce")
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_password_screens_screenshots(browser: Browser, live_server, make_agent, viewport):
    for page in _context(browser, viewport):
        page.goto(live_server + "/workspace/")
        page.get_by_role("textbox", name="Email").fill("grace@example.com")
        page.get_by_role("button", name="Forgot your password?").click()
        page.mouse.move(0, 0)  # no button under the pointer: no hover in the pictures
        expect(page.get_by_role("textbox", name="Email")).to_be_focused()
        assert_screenshot(page, f"password/forgot-{viewport}")
        page.get_by_role("button", name="Email me a link").click()
        page.mouse.move(0, 0)
        expect(page.get_by_role("status")).to_be_focused()
        assert_screenshot(page, f"password/forgot-sent-{viewport}")
        page.goto(live_server + "/workspace/#/invite/some-token")  # the workspace starts afresh on the link
        expect(page.get_by_role("heading", name="Welcome to chatdesk")).to_be_visible()
        page.get_by_role("button", name="Save and continue").click()
        page.mouse.move(0, 0)
        expect(page.get_by_text("Use at least 10 characters.")).to_be_visible()
        assert_screenshot(page, f"password/set-password-{viewport}")
        page.goto(live_server + "/workspace/")
        sign_in(page, live_server, make_agent(role="admin", name="Alan Admin"))
        page.evaluate("location.hash = '#/admin/agents'")
        page.get_by_role("button", name="Invite agent").click()
        page.mouse.move(0, 0)
        expect(page.get_by_role("dialog").get_by_text("Email is not set up yet")).to_be_visible()
        assert_screenshot(page.get_by_role("dialog"), f"password/invite-dialog-{viewport}")
