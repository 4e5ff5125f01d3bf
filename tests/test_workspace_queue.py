"""The queue in a real browser: two agents of capacity 1, three visitors, then broadcast."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.workspace_helpers import Visitor, department, sign_in


def offer(page: Page, name: str):
    return page.get_by_role("article", name=f"Chat offered: {name}")


def waiting(page: Page, name: str):
    return page.get_by_role("list", name="Waiting chats").get_by_role("listitem").filter(has_text=name)


def end_chat(page: Page, name: str) -> None:
    page.locator(".chat-link", has_text=name).click()
    page.get_by_role("button", name="End chat").click()
    page.get_by_role("dialog").get_by_role("button", name="End chat").click()
    expect(page.get_by_role("log", name="Messages")).to_contain_text("Chat ended by")


def test_queue_positions_pull_next_timeout_and_broadcast(page: Page, second_page: Page, live_server, database_url,
                                                          make_agent):
    ada, bob = make_agent(name="Ada Lovelace", max_chats=1), make_agent(name="Bob Builder", max_chats=1)
    auto = department(database_url, [ada, bob], accept_timeout_s=8)
    broadcast = department(database_url, [ada, bob], mode="broadcast")
    sign_in(page, live_server, ada, online=True)
    first, second, third = (Visitor(live_server, database_url, name)
                            for name in ("Ann First", "Ben Second", "Cy Third"))
    for visitor in (first, second, third):
        visitor.start(auto, f"Hi, {visitor.http.headers['Authorization'][-4:]}")

    # Ada holds the first offer (still first in the queue); the others wait in order, their wait times ticking.
    expect(offer(page, "Ann First")).to_be_visible()
    expect(waiting(page, "Ben Second").get_by_label("Position 2")).to_be_visible()
    expect(waiting(page, "Cy Third").get_by_label("Position 3")).to_be_visible()
    wait = waiting(page, "Cy Third").get_by_label("Waiting for")
    shown = wait.inner_text()
    expect(wait).not_to_have_text(shown)  # live
    offer(page, "Ann First").get_by_role("button", name="Accept").click()
    expect(page.locator(".chat-link", has_text="Ann First")).to_be_visible()

    # Bob comes online and takes the next one; one chat is left waiting, seen by both.
    sign_in(second_page, live_server, bob, online=True)
    expect(offer(second_page, "Ben Second")).to_be_visible()
    offer(second_page, "Ben Second").get_by_role("button", name="Accept").click()
    for agent_page in (page, second_page):
        expect(waiting(agent_page, "Cy Third").get_by_label("Position 1")).to_be_visible()

    # Ending a chat pulls the next one; left unanswered, the offer times out to the other agent.
    end_chat(page, "Ann First")
    expect(offer(page, "Cy Third")).to_be_visible()
    end_chat(second_page, "Ben Second")
    expect(offer(second_page, "Cy Third")).to_be_visible(timeout=15000)
    expect(offer(page, "Cy Third")).to_be_hidden()
    offer(second_page, "Cy Third").get_by_role("button", name="Accept").click()
    expect(second_page.get_by_role("log", name="Messages")).to_contain_text("Bob Builder joined the chat")

    # Broadcast: both see the chat with an Accept button; the first to accept wins, the other's card goes.
    Visitor(live_server, database_url, "Dee Broadcast").start(broadcast, "Anyone there?")
    for agent_page in (page, second_page):
        accept = waiting(agent_page, "Dee Broadcast").get_by_role("button", name="Accept chat with Dee Broadcast")
        expect(accept).to_be_visible()
    waiting(page, "Dee Broadcast").get_by_role("button", name="Accept chat with Dee Broadcast").click()
    expect(page.get_by_role("log", name="Messages")).to_contain_text("Anyone there?")
    expect(waiting(second_page, "Dee Broadcast")).to_have_count(0)
    expect(waiting(page, "Dee Broadcast")).to_have_count(0)
