"""Screenshot baselines of the tickets view: the default list, and a ticket made from a chat with
its formatted transcript and timeline, at 1440 x 900 and 390 x 844.

Deterministic as tests/test_workspace_screenshots.py is: a fixed clock, fixed times in the
database, fixed names; the browser is in New York, so the transcript shows local times.
Regenerate with `UPDATE_SCREENSHOTS=1 .venv/bin/pytest -k screenshot` and look at every image.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from tests.screenshots import assert_screenshot
from tests.test_workspace_screenshots import BROWSER, NOW, named_department, note, pin_times, say
from tests.workspace_helpers import Visitor, agent_api, sign_in, sql

SIZES = {"1440": (1440, 900), "390": (390, 844)}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "timezone_id": "America/New_York", "locale": "en-US",
            "viewport": {"width": 1440, "height": 900}}


@pytest.fixture
def page(page: Page) -> Page:
    page.clock.set_fixed_time(NOW)
    return page


def seed_tickets(live_server: str, database_url: str, ada: dict, grace: dict) -> str:
    """A desk holding only these tickets: a chat Ada turned into one, two new ones, hers, Grace's."""
    sql(database_url, "DELETE FROM chatdesk.tickets")  # the list and the nav's count show exactly what is seeded
    returns = named_department(database_url, [ada], "Returns", mode="broadcast")
    with agent_api(live_server, ada) as http:
        marie = Visitor(live_server, database_url, "Marie Curie", user_agent=BROWSER, email="marie.curie@example.com")
        chat = marie.start(returns, "Hi! The blue jacket I ordered (A-1042) is too small. "
                                    "Can I swap it for a large?")["id"]
        http.post(f"/api/v1/chats/{chat}/accept")
        say(http, chat, "Hi Marie, of course. Could you send me the packing slip?")
        slip = ("packing-slip-A-1042.txt", b"Order A-1042\nBlue jacket, M\n", "text/plain")
        upload = marie.http.post(f"/api/v1/chats/{chat}/attachments", files={"file": slip})
        assert upload.status_code == 201, upload.text
        sent = marie.http.post(f"/api/v1/chats/{chat}/messages", json={
            "client_msg_id": str(uuid.uuid4()), "body": "Here it is.",
            "attachment_ids": [upload.json()["attachment"]["id"]]})
        assert sent.status_code == 201, sent.text
        note(http, chat, "Large is back in stock on Friday: hold the swap until then.")
        say(http, chat, "Thanks! I'll send a prepaid return label by email today, and the large ships on Friday.")
        marie.say("Perfect, thank you!")
        http.post(f"/api/v1/chats/{chat}/end")
        pin_times(database_url, chat, datetime(2026, 3, 10, 13, 5, tzinfo=UTC), ended=True)
        ticket_id = http.post(f"/api/v1/chats/{chat}/ticket").json()["ticket_id"]
        http.post(f"/api/v1/tickets/{ticket_id}/comments", json={"body": "Return label sent; swap ships Friday."})
        http.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "pending"})
    sql(database_url, """UPDATE chatdesk.ticket_comments c
            SET created_at = $2::timestamptz + interval '4 minutes' * n.rank
            FROM (SELECT id, rank() OVER (ORDER BY created_at) AS rank FROM chatdesk.ticket_comments
                  WHERE ticket_id = $1::uuid) n WHERE c.id = n.id""",
        ticket_id, datetime(2026, 3, 10, 13, 12, tzinfo=UTC))
    sql(database_url, "UPDATE chatdesk.tickets SET created_at = $2, updated_at = $2 WHERE id = $1::uuid",
        ticket_id, datetime(2026, 3, 10, 13, 16, tzinfo=UTC))
    for subject, name, email, status, assignee, day in [
        ("Invoice for February is missing", "Priya Patel", "priya@example.com", "open", None,
         datetime(2026, 3, 10, 12, 40, tzinfo=UTC)),
        ("Can I change the delivery address on order A-1077?", "Tom Baker", "tom@example.org", "open", None,
         datetime(2026, 3, 9, 16, 5, tzinfo=UTC)),
        ("Refund for a damaged mug", "Omar Haddad", "omar@example.net", "pending", ada["id"],
         datetime(2026, 3, 6, 9, 15, tzinfo=UTC)),
        ("Wholesale prices for 200 mugs", "Lena Fischer", "lena@example.de", "open", grace["id"],
         datetime(2026, 3, 8, 11, 0, tzinfo=UTC)),
    ]:
        sql(database_url, """WITH t AS (INSERT INTO chatdesk.tickets (subject, requester_name, requester_email, status,
                assignee_id, source, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5::uuid, 'offline_message', $6, $6) RETURNING id)
                INSERT INTO chatdesk.ticket_comments (ticket_id, author_type, author_name, body, created_at)
                SELECT id, 'visitor', $2, $1, $6 FROM t""", subject, name, email, status, assignee, day)
    return ticket_id


def shoot(page: Page, name: str, ready) -> None:
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        ready()
        page.mouse.move(1, 1)  # no hover effects
        assert_screenshot(page, f"workspace/{name}-{size}", style="")  # the nav's count is seeded: it shows
    page.set_viewport_size({"width": 1440, "height": 900})


def test_screenshot_tickets_list_and_a_chat_transcript(page: Page, live_server, database_url, make_agent):
    ada, grace = make_agent(name="Ada Lovelace"), make_agent(name="Grace Hopper")
    ticket_id = seed_tickets(live_server, database_url, ada, grace)
    sign_in(page, live_server, ada)
    expect(page.locator("#nav-tickets-count")).to_have_text("2 new")
    page.get_by_role("link", name="Tickets").click()
    tickets = page.get_by_role("navigation", name="Tickets")

    def list_ready():
        expect(tickets.get_by_role("link")).to_have_count(4)  # unassigned and mine, not solved: not Grace's
        expect(tickets).not_to_contain_text("Wholesale prices")

    shoot(page, "tickets-list", list_ready)

    page.evaluate(f"location.hash = '#/tickets/{ticket_id}'")
    transcript = page.get_by_role("article", name="Transcript")

    def ticket_ready():
        expect(transcript).to_contain_text("Perfect, thank you!")
        expect(transcript).to_contain_text("9:05 AM")  # 13:05 UTC, in New York's time
        expect(transcript.locator(".note")).to_contain_text("Internal note")
        expect(transcript.get_by_role("link", name="packing-slip-A-1042.txt")).to_have_attribute(
            "href", re.compile(r"^/api/v1/attachments/[0-9a-f-]+$"))
        expect(page.get_by_role("list", name="Activity")).to_contain_text("Ada Lovelace marked it pending")

    shoot(page, "ticket-transcript", ticket_ready)

    def timeline_ready():
        ticket_ready()
        page.get_by_role("button", name="Send reply").scroll_into_view_if_needed()

    shoot(page, "ticket-timeline", timeline_ready)
