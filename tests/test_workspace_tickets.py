"""Ratings and tickets in a real browser: a rating arrives live, the nav counts new tickets live,
assignment and status changes show in the ticket's timeline, the transcript is the formatted chat."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.conftest import run
from tests.realtime_helpers import new_widget
from tests.test_workspace_admin import _stream_followed as stream_followed
from tests.workspace_helpers import Visitor, agent_api, department, sign_in


def signed_in(page: Page, live_server: str, redis_url: str, agent: dict, **options) -> None:
    """Signed in, with the page's event stream followed by the server (nothing sent after this is missed)."""
    sign_in(page, live_server, agent, **options)
    run(stream_followed(redis_url, agent["id"]))


def offline_message(live_server: str, database_url: str, body: str, name: str = "Priya Patel") -> str:
    widget_id = run(new_widget(database_url))
    response = httpx.post(f"{live_server}/api/v1/widgets/{widget_id}/offline-messages",
                          json={"name": name, "email": "priya@example.com", "body": body})
    assert response.status_code == 201, response.text
    return response.json()["ticket_id"]


def test_the_agent_sees_a_rating_arrive_live_on_the_ended_chat(page: Page, live_server, database_url, redis_url,
                                                               make_agent):
    ada = make_agent(name="Ada Lovelace")
    support = department(database_url, [ada], mode="broadcast")
    signed_in(page, live_server, redis_url, ada, online=True)
    visitor = Visitor(live_server, database_url, "Marie Curie")
    chat = visitor.start(support, "Where is my parcel?")
    with agent_api(live_server, ada) as http:
        assert http.post(f"/api/v1/chats/{chat['id']}/accept").status_code == 200
    expect(page.locator(".chat-link", has_text="Marie Curie")).to_be_visible()
    page.evaluate(f"location.hash = '#/chats/{chat['id']}'")
    header = page.locator(".chat-header")
    panel = page.get_by_role("complementary", name="Visitor details")
    expect(panel).to_contain_text("Past chats")
    visitor.end()
    expect(header.locator(".pill")).to_have_text("ended")
    expect(header).not_to_contain_text("Rated")

    rated = visitor.http.post(f"/api/v1/chats/{chat['id']}/rating",
                              json={"score": "bad", "comment": "Took a while, but sorted in the end"})
    assert rated.status_code == 200 and rated.json()["chat"]["rating"] == "bad"
    expect(header.locator(".rating")).to_have_text("Rated bad")
    expect(header).to_contain_text("Took a while, but sorted in the end")
    expect(panel.get_by_role("region", name="Rating")).to_contain_text("Rated bad")
    expect(panel.get_by_role("region", name="Rating")).to_contain_text("Took a while, but sorted in the end")
    page.reload()  # the chat's JSON carries it as well
    expect(page.locator(".chat-header .rating")).to_have_text("Rated bad")


def test_the_nav_counts_new_tickets_live_and_the_list_follows(page: Page, live_server, database_url, redis_url,
                                                              make_agent):
    ada = make_agent(name="Ada Lovelace")
    signed_in(page, live_server, redis_url, ada)
    count = page.locator("#nav-tickets-count")
    before = page.request.get(live_server + "/api/v1/tickets/counts").json()["unassigned_open"]
    if before == 0:
        expect(count).to_be_hidden()
    offline_message(live_server, database_url, "My invoice for February is missing")
    expect(count).to_have_text(f"{before + 1} new")
    expect(page.get_by_role("link", name=re.compile(rf"^Tickets {before + 1} new$"))).to_be_visible()

    page.get_by_role("link", name="Tickets").click()
    tickets = page.get_by_role("navigation", name="Tickets")
    expect(tickets).to_contain_text("My invoice for February is missing")  # unassigned: in the default view
    offline_message(live_server, database_url, "Can I change my delivery address?", name="Tom Baker")
    expect(tickets).to_contain_text("Can I change my delivery address?")
    expect(count).to_have_text(f"{before + 2} new")
    tickets.get_by_role("link", name=re.compile("delivery address")).click()
    page.get_by_role("button", name="Assign to me").click()
    expect(count).to_have_text(f"{before + 1} new")  # taken: not new any more


def test_assigning_and_a_colleagues_change_show_in_the_timeline(page: Page, live_server, database_url, redis_url,
                                                                make_agent):
    ada, bob = make_agent(name="Ada Lovelace"), make_agent(name="Bob Builder")
    ticket_id = offline_message(live_server, database_url, "The mug arrived broken")
    signed_in(page, live_server, redis_url, ada)
    page.evaluate(f"location.hash = '#/tickets/{ticket_id}'")
    ticket = page.get_by_role("region", name="Ticket")
    timeline = ticket.get_by_role("list", name="Activity")
    expect(timeline).to_contain_text("The mug arrived broken")
    expect(ticket.get_by_label("Assignee")).to_have_value("")

    ticket.get_by_label("Assignee").select_option(bob["id"])  # names repeat across the session's agents
    expect(timeline).to_contain_text("Ada Lovelace assigned this to Bob Builder")
    expect(ticket.get_by_label("Assignee")).to_have_value(bob["id"])
    with agent_api(live_server, bob, online=False) as http:  # Bob, elsewhere: Ada's page follows live
        assert http.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "solved"}).status_code == 200
    expect(timeline).to_contain_text("Bob Builder marked it solved")
    expect(ticket.get_by_label("Status")).to_have_value("solved")

    ticket.get_by_role("button", name="Assign to me").click()
    expect(timeline).to_contain_text("Ada Lovelace took this from Bob Builder")
    expect(ticket.get_by_label("Assignee")).to_be_focused()  # the button is gone; the keyboard keeps its place
    ticket.get_by_label("Assignee").select_option("")
    expect(timeline.locator(".event").last).to_contain_text("Ada Lovelace unassigned this")
    page.get_by_role("textbox", name="Reply to the customer").fill("Sent a replacement mug.")
    page.get_by_role("button", name="Send reply").click()
    expect(timeline.get_by_role("article", name="Comment by Ada Lovelace")).to_contain_text("Sent a replacement mug.")
    expect(page.get_by_role("textbox", name="Reply to the customer")).to_have_value("")
