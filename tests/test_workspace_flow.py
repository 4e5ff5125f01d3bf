"""The workspace in a real browser: an agent takes a chat from offer to ticket, with a colleague."""

from __future__ import annotations

import re
import time
import uuid

import httpx
from playwright.sync_api import Page, expect

from tests.conftest import run
from tests.realtime_helpers import new_widget, wait_until
from tests.workspace_helpers import Visitor, department, sign_in


def csrf(page: Page) -> dict:
    """The CSRF header for API calls made with the page's session cookie."""
    return {"X-CSRF-Token": next(c["value"] for c in page.context.cookies() if c["name"] == "chatdesk_csrf")}


def test_offer_accept_reply_transfer_end_ticket(page: Page, second_page: Page, live_server, database_url, make_agent):
    ada, bob = make_agent(name="Ada Lovelace", max_chats=2), make_agent(name="Bob Builder", max_chats=2)
    support = department(database_url, [ada, bob])
    sign_in(page, live_server, ada, online=True)
    assert page.request.post(live_server + "/api/v1/quick-responses", headers=csrf(page), data={
        "shortcut": "order", "title": "Order status",
        "body": "Hi {{visitor.name}}, I'm {{agent.name}}. Let me check order {{visitor.email}}."}).status == 201

    visitor = Visitor(live_server, database_url, "Marie Curie", email="marie@example.com",
                      page_url="https://shop.example.com/checkout", fields={"order": "A-1042"})
    visitor.start(support, "Hello, my parcel has not arrived.")
    offer = page.get_by_role("article", name="Chat offered: Marie Curie")
    expect(offer).to_be_visible()
    expect(page.locator("html")).to_have_attribute("data-last-sound", "offer")
    expect(offer.get_by_label("Time left to accept")).to_have_text(re.compile(r"^0:\d\d$"))
    offer.get_by_role("button", name="Accept").click()

    expect(page.get_by_role("log", name="Messages")).to_contain_text("Hello, my parcel has not arrived.")
    expect(page.get_by_role("log", name="Messages")).to_contain_text("Ada Lovelace joined the chat")
    expect(page.get_by_role("complementary", name="Visitor details")).to_contain_text("https://shop.example.com/checkout")
    expect(page.get_by_role("complementary", name="Visitor details")).to_contain_text("A-1042")

    # A reply from a quick response: "/" opens the palette, a fuzzy query finds it, placeholders are filled.
    composer = page.get_by_role("textbox", name="Message")
    composer.fill("/ordr")
    palette = page.get_by_role("listbox", name="Quick responses")
    expect(palette.get_by_role("option").first).to_contain_text("/order Order status")
    composer.press("Enter")
    reply = "Hi Marie Curie, I'm Ada Lovelace. Let me check order marie@example.com."
    expect(composer).to_have_value(reply)
    expect(palette).to_be_hidden()
    composer.press("Enter")
    run(wait_until(visitor.messages, lambda messages: any(m["body"] == reply for m in messages)))
    expect(composer).to_have_value("")

    # An internal note: shown to agents with its label, never to the visitor.
    page.get_by_role("button", name="Internal note").click()
    composer.fill("VIP customer, be generous")
    composer.press("Enter")
    note = page.locator(".row.note", has_text="VIP customer, be generous")
    expect(note).to_contain_text("Internal note")
    page.get_by_role("button", name="Internal note").click()
    assert not any("VIP" in m["body"] for m in visitor.messages())

    visitor.typing()
    expect(page.get_by_text("Marie Curie is typing")).to_be_visible()
    visitor.say("Thanks!")
    expect(page.get_by_role("log", name="Messages")).to_contain_text("Thanks!")
    expect(page.get_by_text("Marie Curie is typing")).to_be_hidden()
    expect(page.locator(".chat-link", has_text="Marie Curie").locator(".badge")).to_have_count(0)  # read while open
    visitor.read(max(m["seq"] for m in visitor.messages()))
    expect(page.locator(".receipt")).to_have_text("Read")

    sign_in(second_page, live_server, bob, online=True)
    page.get_by_role("button", name="Transfer").click()
    target = page.get_by_label("Transfer to")
    expect(target.locator(f'option[value="agent:{bob["id"]}"]')).to_have_text("Bob Builder · online · 0/2 chats")
    target.select_option(f"agent:{bob['id']}")
    page.get_by_label("Note (optional)").fill("Billing question")
    page.get_by_role("dialog").get_by_role("button", name="Transfer").click()
    expect(page.get_by_text("Transferred to Bob Builder")).to_be_visible()

    # Bob's unread count holds the visitor's new message only, not the transfer's or his joining's system lines.
    bob_chat = second_page.locator(".chat-link", has_text="Marie Curie")
    expect(bob_chat).to_be_visible()
    expect(bob_chat.locator(".badge")).to_have_count(0)
    expect(bob_chat.locator(".preview")).to_have_text("Ada Lovelace: Billing question")  # Ada's note, not "You:"
    visitor.say("Are you still there?")
    expect(bob_chat.locator(".badge")).to_have_text("1")
    second_page.reload()  # the count from the chat list API agrees
    expect(bob_chat.locator(".badge")).to_have_text("1")
    bob_chat.click()
    thread = second_page.get_by_role("log", name="Messages")
    expect(thread).to_contain_text("You're now chatting with Bob Builder")
    expect(second_page.locator(".row.note", has_text="Billing question")).to_contain_text("Internal note")
    assert not any("Billing question" in m["body"] for m in visitor.messages())
    second_page.get_by_role("button", name="End chat").click()
    second_page.get_by_role("dialog").get_by_role("button", name="End chat").click()
    expect(thread).to_contain_text("Chat ended by Bob Builder")
    second_page.get_by_role("button", name="Create ticket").click()

    ticket = second_page.get_by_role("region", name="Ticket")
    expect(ticket.get_by_role("heading", name="Chat with Marie Curie")).to_be_visible()
    expect(ticket.get_by_role("article", name="Transcript")).to_contain_text("Hello, my parcel has not arrived.")
    expect(ticket.get_by_role("article", name="Transcript")).to_contain_text(reply)
    # Agents read the chat's notes in the ticket too, marked as internal (tickets are agents' only).
    expect(ticket.locator(".note", has_text="VIP customer")).to_contain_text("Internal note")
    ticket.get_by_label("Status").select_option("pending")
    expect(second_page.get_by_text("Ticket marked pending")).to_be_visible()

    # Ada finds it among Bob's tickets, by status and assignee.
    page.get_by_role("link", name="Tickets").click()
    page.get_by_label("Show").select_option(bob["id"])
    page.get_by_label("Status").select_option("pending")
    tickets = page.get_by_role("navigation", name="Tickets")
    # A list form: it waits for the filtered list (one link), where a single pattern fails at once on the
    # unfiltered list still shown while the filtered one loads.
    expect(tickets.get_by_role("link")).to_have_text([re.compile("Chat with Marie Curie")])


def test_visitor_panel_shows_tickets_of_a_typed_email_as_not_verified(page: Page, live_server, database_url,
                                                                       make_agent):
    ada = make_agent(name="Ada Lovelace")
    broadcast = department(database_url, [ada], mode="broadcast")
    email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    left = httpx.post(f"{live_server}/api/v1/widgets/{run(new_widget(database_url))}/offline-messages",
                      json={"name": "The Owner", "email": email, "body": "Refund order 77 please"})
    assert left.status_code == 201, left.text
    sign_in(page, live_server, ada, online=True)
    Visitor(live_server, database_url, "Eve Typed", email=email).start(broadcast, "Where is my refund?")
    page.get_by_role("button", name="Accept chat with Eve Typed").click()

    panel = page.get_by_role("complementary", name="Visitor details")
    unverified = panel.get_by_role("region", name="Same email, not verified")
    expect(unverified).to_contain_text("Refund order 77 please")
    expect(unverified).to_contain_text("This visitor typed that address; it may not be theirs.")
    expect(panel.locator("section", has=page.get_by_role("heading", name="Tickets", exact=True))).to_contain_text(
        "No tickets.")


def test_a_queue_list_fetched_before_an_accept_does_not_undo_it(page: Page, live_server, database_url, make_agent):
    """The queue reloads on every queue event; a reload answered before the accept but arriving after
    it (a slow network, a loaded server) must leave the chat accepted, not queued again and lost."""
    ada = make_agent(name="Ada Lovelace")
    support = department(database_url, [ada])
    sign_in(page, live_server, ada, online=True)
    held = []  # the queue reloads' real answers, fetched at once and handed to the page later

    def hold(route):
        held.append((route, route.fetch()))

    page.route(re.compile(r"/api/v1/chats\?status=queued$"), hold)
    Visitor(live_server, database_url, "Marie Curie").start(support, "Hello?")
    deadline = time.monotonic() + 10
    while not held:  # the new chat's queue event reloads the queue: its answer, the chat queued, is held
        assert time.monotonic() < deadline, "the queue did not reload"
        page.wait_for_timeout(50)  # lets Playwright run the route handler
    page.get_by_role("article", name="Chat offered: Marie Curie").get_by_role("button", name="Accept").click()
    expect(page.get_by_role("textbox", name="Message")).to_be_visible()
    for route, answer in held:
        route.fulfill(response=answer)
    page.unroute_all(behavior="ignoreErrors")

    expect(page.locator(".chat-link", has_text="Marie Curie")).to_be_visible()
    page.get_by_role("textbox", name="Message").fill("Hi Marie")
    page.get_by_role("textbox", name="Message").press("Enter")
    expect(page.get_by_role("log", name="Messages")).to_contain_text("Hi Marie")
