"""The ticket's way to its customer and back, in real browsers against a live server and a real SMTP
server: the widget's offline form, the acknowledgement mail, the agent's reply in the workspace, the
threaded mail, its link opened in a browser, the customer's reply there, live in the workspace.
And screenshot baselines of the customer's ticket page at 1440 x 900 and 390 x 844."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from chatdesk.desk.ticket_links import ticket_token
from tests.conftest import run
from tests.mail_helpers import MAIL_FROM
from tests.realtime_helpers import wait_until
from tests.screenshots import assert_screenshot
from tests.test_workspace_screenshots import NOW
from tests.test_workspace_tickets import signed_in
from tests.ticket_mail_helpers import TEAL, customer_address, link_in, mails_to, parts
from tests.widget_helpers import create_widget, host_site_fixture, open_widget
from tests.workspace_helpers import agent_api, sql

host_site = pytest.fixture(host_site_fixture, name="host_site")


def test_offline_form_to_mail_to_the_ticket_page_and_back_live(page: Page, browser: Browser, serve, sink, database_url,
                                                               redis_url, make_agent, host_site):
    server = serve(CHATDESK_SMTP_URL=sink.url + "&timeout=2", CHATDESK_MAIL_FROM=MAIL_FROM).base_url
    ada = make_agent(name="Ada Lovelace")
    widget = create_widget(server, make_agent(role="admin"), [host_site.origin], color=TEAL)
    email = customer_address()
    # Agents earlier tests of the session left online would make the widget offer a chat instead.
    sql(database_url, "UPDATE chatdesk.agents SET status = 'offline' WHERE status <> 'offline'")

    chat_frame = open_widget(page, host_site.page("/", server, widget["id"]))  # nobody online: the offline form
    chat_frame.get_by_label("Name").fill("Priya Patel")
    chat_frame.get_by_label("Email").fill(email)
    message = chat_frame.get_by_role("textbox", name="Message", exact=True).first  # the form's, not the composer's
    message.fill("The lid of my teapot cracked.\nCan I get a new one?")
    chat_frame.get_by_role("button", name="Send message").click()
    expect(chat_frame.get_by_role("heading", name="Message sent")).to_be_visible()
    [ack] = mails_to(sink, email, 1)
    assert ack["From"] == MAIL_FROM and ack["Subject"].startswith("We received your message [#")
    assert link_in(ack).startswith(server + "/t/")

    desk = browser.new_page()
    signed_in(desk, server, redis_url, ada)
    desk.get_by_role("link", name=re.compile("^Tickets")).click()
    desk.get_by_role("navigation", name="Tickets").get_by_role("link", name=re.compile("lid of my teapot")).click()
    ticket = desk.get_by_role("region", name="Ticket")
    expect(ticket.get_by_text(f"Emailed to {email}, with a link to reply.")).to_be_visible()
    desk.get_by_role("textbox", name="Reply to the customer").fill("So sorry! A new lid is on its way today.")
    desk.get_by_role("button", name="Send reply").click()
    timeline = ticket.get_by_role("list", name="Activity")
    expect(timeline.get_by_role("article", name="Comment by Ada Lovelace")).to_contain_text("A new lid is on its way")

    _, reply = mails_to(sink, email, 2)
    ref = ack["Subject"].rsplit(" ", 1)[1]
    assert reply["Subject"] == f"Re: The lid of my teapot cracked. {ref}"
    assert reply["In-Reply-To"] == ack["Message-ID"] == reply["References"]
    assert re.fullmatch(r"<[0-9a-f-]{36}@example\.com>", reply["Message-ID"])
    text, html = parts(reply)
    assert text.startswith("So sorry! A new lid is on its way today.") and f"background:{TEAL}" in html

    page.goto(link_in(reply))  # the customer opens the link from the mail they received
    expect(page.get_by_role("heading", level=1)).to_have_text("The lid of my teapot cracked.")
    thread = page.get_by_role("list", name="Conversation")
    expect(thread.get_by_role("listitem")).to_have_count(2)
    expect(thread.get_by_role("listitem").last).to_contain_text("So sorry! A new lid is on its way today.")
    page.get_by_label("Your reply").fill("Wonderful, thank you!")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("status")).to_have_text("Sent. We'll answer you by email.")
    expect(thread.get_by_role("listitem").last).to_contain_text("Wonderful, thank you!")
    expect(page.get_by_label("Your reply")).to_have_value("")

    customer = timeline.get_by_role("article", name="Comment by Priya Patel (customer)")
    expect(customer.last).to_contain_text("Wonderful, thank you!")  # live: the desk did not reload
    desk.close()


def test_an_agent_revokes_the_links_and_the_page_says_so(page: Page, browser: Browser, live_server, database_url,
                                                         redis_url, settings, make_agent):
    ada = make_agent(name="Ada Lovelace")
    ticket_id = _ticket(live_server, database_url, ada)
    page.goto(f"{live_server}/t/{ticket_token(settings, uuid.UUID(ticket_id), 0)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("My teapot's lid cracked in the dishwasher")

    desk = browser.new_page()
    signed_in(desk, live_server, redis_url, ada)
    desk.evaluate(f"location.hash = '#/tickets/{ticket_id}'")
    desk.once("dialog", lambda dialog: dialog.accept())  # "Revoke the customer's links? ..."
    desk.get_by_role("button", name="Revoke customer links").click()
    activity = desk.get_by_role("region", name="Ticket").get_by_role("list", name="Activity")
    expect(activity).to_contain_text("Ada Lovelace revoked the customer's links")
    desk.close()

    page.reload()
    expect(page.get_by_role("alert")).to_contain_text("This link no longer works")
    expect(page.get_by_role("alert")).to_contain_text("withdrawn by our team")
    page.goto(f"{live_server}/t/not-a-link")
    expect(page.get_by_role("alert")).to_contain_text("We couldn't find this request")


def _ticket(live_server: str, database_url: str, agent: dict, email: str = "priya@example.com") -> str:
    """A ticket from an offline message to the teal widget, answered once, with pinned times."""
    widget_id = sql(database_url, "INSERT INTO chatdesk.widgets (name, settings) VALUES ('Teapot Shop', $1::jsonb) "
                    "RETURNING id", f'{{"color": "{TEAL}"}}')[0]["id"]
    response = httpx.post(f"{live_server}/api/v1/widgets/{widget_id}/offline-messages", json={
        "name": "Priya Patel", "email": email,
        "body": "My teapot's lid cracked in the dishwasher\nIt is the blue one, order T-2231. Can I get a new lid?"})
    ticket_id = response.json()["ticket_id"]
    with agent_api(live_server, agent, online=False) as http:
        assert http.post(f"/api/v1/tickets/{ticket_id}/comments", json={
            "body": "So sorry to hear that, Priya! A new lid for order T-2231 ships today; "
                    "tracking: https://post.example/track/T2231"}).status_code == 201
    return ticket_id


def _pin_times(database_url: str, ticket_id: str) -> None:
    sql(database_url, "UPDATE chatdesk.tickets SET created_at = $2 WHERE id = $1", uuid.UUID(ticket_id),
        datetime(2026, 3, 9, 16, 20, tzinfo=UTC))
    rows = sql(database_url, "SELECT id FROM chatdesk.ticket_comments WHERE ticket_id = $1 ORDER BY created_at, id",
               uuid.UUID(ticket_id))
    for index, row in enumerate(rows):
        sql(database_url, "UPDATE chatdesk.ticket_comments SET created_at = $2 WHERE id = $1", row["id"],
            datetime(2026, 3, 9, 16, 20, tzinfo=UTC) + timedelta(hours=18 * index, minutes=7 * index))


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "timezone_id": "America/New_York", "locale": "en-US"}


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_ticket_page_screenshot(page: Page, live_server, database_url, settings, make_agent, width, height):
    ticket_id = _ticket(live_server, database_url, make_agent(name="Ada Lovelace"))
    _pin_times(database_url, ticket_id)
    page.clock.set_fixed_time(NOW)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server}/t/{ticket_token(settings, uuid.UUID(ticket_id), 0)}")
    expect(page.get_by_role("list", name="Conversation").get_by_role("listitem")).to_have_count(2)
    assert_screenshot(page, f"ticket-page-{width}")


def test_a_mail_refused_for_good_shows_on_the_ticket_in_the_workspace(page: Page, serve, sink, database_url,
                                                                       redis_url, make_agent):
    server = serve(CHATDESK_SMTP_URL=sink.url + "&timeout=2", CHATDESK_MAIL_FROM=MAIL_FROM).base_url
    email = customer_address()
    sink.refuse[email] = "550 5.1.1 No such user here"
    ada = make_agent(name="Ada Lovelace")
    ticket_id = _ticket(server, database_url, ada, email=email)
    with agent_api(server, ada, online=False) as http:  # a failure is shown when the ticket loads: no event tells
        run(wait_until(lambda: http.get(f"/api/v1/tickets/{ticket_id}").json()["mail_failures"],
                       lambda failures: len(failures) == 2))
    signed_in(page, server, redis_url, make_agent(name="Grace Hopper"))
    page.evaluate(f"location.hash = '#/tickets/{ticket_id}'")
    failures = page.get_by_role("list", name="Failed emails")
    expect(failures.get_by_role("listitem")).to_have_count(2)  # the acknowledgement and the reply
    expect(failures.get_by_role("listitem").first).to_contain_text(
        f"Email to {email} failed: the server refused the recipient {email}: 550 5.1.1 No such user here")
