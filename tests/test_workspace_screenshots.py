"""Screenshot baselines of the workspace: sign-in, an active chat, the queue
with offers, tickets, at 1440 x 900 and 768 x 1024.

Deterministic: the browser's clock is fixed, times in the database are rewritten to fixed ones,
names are fixed. Regenerate with `UPDATE_SCREENSHOTS=1 .venv/bin/pytest -k screenshot` and look
at every image before committing it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.screenshots import assert_screenshot
from tests.workspace_helpers import Visitor, agent_api, department, sign_in, sql

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
SIZES = {"1440": (1440, 900), "768": (768, 1024)}
BROWSER = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/126.0 Safari/537.36")


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "timezone_id": "UTC", "locale": "en-US", "viewport": {"width": 1440, "height": 900}}


@pytest.fixture
def page(page: Page) -> Page:
    page.clock.set_fixed_time(NOW)
    return page


def named_department(database_url: str, agents: list[dict], name: str, **options) -> str:
    """A department of these agents with a fixed name (one left by an earlier test is renamed away)."""
    department_id = department(database_url, agents, **options)
    sql(database_url, "UPDATE chatdesk.departments SET name = name || '-' || left(id::text, 6) WHERE name = $1", name)
    sql(database_url, "UPDATE chatdesk.departments SET name = $2 WHERE id = $1::uuid", department_id, name)
    return department_id


def pin_times(database_url: str, chat_id: str, start: datetime, *, ended: bool = False) -> None:
    """The chat starts at `start`, its messages follow a minute apart."""
    sql(database_url, """UPDATE chatdesk.chats SET created_at = $2::timestamptz,
            assigned_at = CASE WHEN assigned_at IS NULL THEN NULL ELSE $2::timestamptz + interval '1 minute' END,
            ended_at = CASE WHEN $3::bool THEN $2::timestamptz + last_seq * interval '1 minute' END
            WHERE id = $1::uuid""",
        chat_id, start, ended)
    sql(database_url, "UPDATE chatdesk.messages SET created_at = $2::timestamptz + (seq - 1) * interval '1 minute' "
                      "WHERE chat_id = $1::uuid", chat_id, start)
    sql(database_url, "UPDATE chatdesk.visitors SET created_at = $2::timestamptz WHERE id = "
                      "(SELECT visitor_id FROM chatdesk.chats WHERE id = $1::uuid) AND created_at > $2::timestamptz",
        chat_id, start)


def note(http, chat_id: str, body: str) -> None:
    assert http.post(f"/api/v1/chats/{chat_id}/messages", json={
        "client_msg_id": str(uuid.uuid4()), "body": body, "internal": True}).status_code == 201


def say(http, chat_id: str, body: str) -> None:
    assert http.post(f"/api/v1/chats/{chat_id}/messages", json={
        "client_msg_id": str(uuid.uuid4()), "body": body}).status_code == 201


def seed_desk(live_server: str, database_url: str, ada: dict) -> str:
    """Ada's day: a past chat that became a ticket, two active chats, one waiting, two more tickets."""
    sql(database_url, "DELETE FROM chatdesk.tickets")  # the tickets list shows exactly what is seeded
    billing = named_department(database_url, [ada], "Billing", mode="broadcast")
    with agent_api(live_server, ada) as http:
        marie = Visitor(live_server, database_url, "Marie Curie", user_agent=BROWSER, email="marie.curie@example.com",
                        page_url="https://shop.example.com/orders/A-1042", fields={"Order": "A-1042", "Plan": "Plus"})
        past = marie.start(billing, "Do you ship to Switzerland?")["id"]
        http.post(f"/api/v1/chats/{past}/accept")
        say(http, past, "We do: 3-5 working days, duties included.")
        http.post(f"/api/v1/chats/{past}/end")
        marie.http.post(f"/api/v1/chats/{past}/rating", json={"score": "good", "comment": "Quick and clear, thanks!"})
        pin_times(database_url, past, datetime(2026, 2, 20, 10, 0, tzinfo=UTC), ended=True)
        ticket_id = http.post(f"/api/v1/chats/{past}/ticket").json()["ticket_id"]
        http.post(f"/api/v1/tickets/{ticket_id}/comments",
                  json={"body": "Customer asked for a customs invoice too; sent by email."})

        chat = marie.start(billing,
                           "Hi! I ordered a blue jacket last week (order A-1042) and it still hasn't arrived.")["id"]
        http.post(f"/api/v1/chats/{chat}/accept")
        say(http, chat, "Hi Marie, I'm sorry about the wait. Let me look that up for you.")
        say(http, chat, "The parcel left our warehouse on Monday; the carrier has it in Leeds.")
        marie.say("Oh good. Will it arrive before Friday? It's a birthday present.")
        note(http, chat, "Carrier promises 3 days. Offer an express re-ship if it is not there by Thursday.")
        say(http, chat, "It should arrive on Thursday. If it doesn't, I'll send a replacement by express at no cost.")
        marie.read(marie.messages()[-1]["seq"])
        marie.say("That's perfect, thank you so much!")
        pin_times(database_url, chat, datetime(2026, 3, 10, 14, 5, tzinfo=UTC))

        tom = Visitor(live_server, database_url, "Tom Baker", user_agent=BROWSER, email="tom@example.org")
        other = tom.start(billing, "Can I change the delivery address on my order?")["id"]
        http.post(f"/api/v1/chats/{other}/accept")
        tom.say("It's order A-1077, the new address is in Bristol.")
        pin_times(database_url, other, datetime(2026, 3, 10, 14, 21, tzinfo=UTC))

        lena = Visitor(live_server, database_url, "Lena Fischer", user_agent=BROWSER)
        waiting = lena.start(billing, "Hello, is anyone there?")
        pin_times(database_url, waiting["id"], datetime(2026, 3, 10, 14, 27, tzinfo=UTC))

    sql(database_url, "UPDATE chatdesk.ticket_comments SET created_at = $2::timestamptz + interval '1 hour' * "
                      "(author_type = 'agent')::int, body = replace(body, $3, '3f9c2e1a') WHERE ticket_id = $1::uuid",
        ticket_id, datetime(2026, 2, 20, 10, 10, tzinfo=UTC), past)
    for subject, name, email, status, day in [
        ("Invoice for February is missing", "Priya Patel", "priya@example.com", "open",
         datetime(2026, 3, 9, 16, 40, tzinfo=UTC)),
        ("Refund for a damaged mug", "Omar Haddad", "omar@example.net", "solved",
         datetime(2026, 3, 2, 9, 15, tzinfo=UTC)),
    ]:
        sql(database_url, """WITH t AS (INSERT INTO chatdesk.tickets (subject, requester_name, requester_email, status,
                assignee_id, source, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5::uuid, 'offline_message', $6, $6) RETURNING id)
                INSERT INTO chatdesk.ticket_comments (ticket_id, author_type, author_name, body, created_at)
                SELECT id, 'visitor', $2, $1, $6 FROM t""", subject, name, email, status, ada["id"], day)
    sql(database_url, "UPDATE chatdesk.tickets SET created_at = $2, updated_at = $2 WHERE id = $1::uuid",
        ticket_id, datetime(2026, 2, 20, 10, 10, tzinfo=UTC))
    return ticket_id


def shoot(page: Page, name: str, prepare=lambda: None) -> None:
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        prepare()
        page.mouse.move(1, 1)  # no hover effects
        assert_screenshot(page, f"workspace/{name}-{size}")
    page.set_viewport_size({"width": 1440, "height": 900})


def test_screenshot_sign_in(page: Page, live_server):
    page.goto(live_server + "/workspace/")
    expect(page.get_by_label("Email")).to_be_focused()
    shoot(page, "sign-in")


def test_screenshot_active_chat_and_tickets(page: Page, live_server, database_url, make_agent):
    ada = make_agent(name="Ada Lovelace", max_chats=3)
    ticket_id = seed_desk(live_server, database_url, ada)
    sign_in(page, live_server, ada)
    page.locator('.chat-link[data-status="active"]', has_text="Marie Curie").click()
    expect(page.get_by_role("log", name="Messages")).to_contain_text("thank you so much")
    expect(page.get_by_role("complementary", name="Visitor details")).to_contain_text("Chrome on macOS")
    expect(page.locator(".receipt")).to_have_text("Read")
    shoot(page, "active-chat")

    page.locator('.chat-link[data-status="ended"]', has_text="Marie Curie").click()
    expect(page.get_by_role("complementary", name="Visitor details")).to_contain_text("Quick and clear, thanks!")
    shoot(page, "rated-chat")  # the rating in the header and the visitor panel


    page.evaluate(f"location.hash = '#/tickets/{ticket_id}'")
    expect(page.get_by_role("article", name="Transcript")).to_contain_text("Do you ship to Switzerland?")
    expect(page.get_by_role("navigation", name="Tickets")).to_contain_text("Invoice for February is missing")
    shoot(page, "tickets")

    page.get_by_role("button", name="Preferences").click()
    expect(page.get_by_role("dialog")).to_contain_text("Email me new tickets")
    expect(page.get_by_role("dialog")).not_to_contain_text("Loading your quick responses")
    assert_screenshot(page, "workspace/preferences-1440")


def test_screenshot_queue_with_offers(page: Page, live_server, database_url, make_agent):
    grace = make_agent(name="Grace Hopper", max_chats=1)
    sales = named_department(database_url, [grace], "Sales", accept_timeout_s=120)
    sign_in(page, live_server, grace, online=True)
    starts = {"Ann Archer": 150, "Ben Okafor": 110, "Chloé Dubois": 55}
    chats = {name: Visitor(live_server, database_url, name, user_agent=BROWSER).start(sales, "Hello!")["id"]
             for name in starts}
    expect(page.get_by_role("article", name="Chat offered: Ann Archer")).to_be_visible()
    for name, seconds in starts.items():
        pin_times(database_url, chats[name], NOW - timedelta(seconds=seconds))
    page.reload()
    expect(page.get_by_role("article", name="Chat offered: Ann Archer")).to_be_visible()
    expect(page.get_by_role("list", name="Waiting chats")).to_contain_text("0:55")

    def open_rail():
        toggle = page.get_by_role("button", name="Queue and chats")
        if page.viewport_size["width"] < 1024 and toggle.get_attribute("aria-expanded") != "true":
            toggle.click()
        expect(page.get_by_role("article", name="Chat offered: Ann Archer")).to_be_in_viewport()

    shoot(page, "queue-offers", open_rail)
