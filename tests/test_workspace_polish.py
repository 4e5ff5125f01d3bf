"""The workspace's first-hour details in a real browser: links in messages, the thread header at 1024 x 768,
the favicon, and a queue count of the chats offered to me."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.conftest import bearer
from tests.screenshots import assert_screenshot
from tests.workspace_helpers import Visitor, agent_api, department, sign_in

LONG_NAME = "Alexandra Montgomery-Whitfield"


def open_chat(page: Page, name: str) -> None:
    page.locator(".chat-link", has_text=name).click()
    expect(page.locator(".chat-header h2")).to_have_text(name)


def accepted_chat(live_server: str, database_url: str, agent: dict, name: str, first: str, **fields) -> Visitor:
    """A visitor's chat in a department of `agent`'s, accepted by them."""
    visitor = Visitor(live_server, database_url, name, **fields)
    with agent_api(live_server, agent) as http:
        visitor.start(department(database_url, [agent]), first)
        assert http.post(f"/api/v1/chats/{visitor.chat_id}/accept").status_code == 200
    return visitor


def test_links_in_messages_are_clickable_and_safe(page: Page, live_server, database_url, make_agent):
    ada = make_agent(name="Ada Lovelace")
    accepted_chat(live_server, database_url, ada, "Marie Curie",
                  "My order: https://shop.example.com/orders/42). <i>thanks</i>")
    sign_in(page, live_server, ada)
    open_chat(page, "Marie Curie")
    thread = page.get_by_role("log", name="Messages")
    link = thread.get_by_role("link", name="https://shop.example.com/orders/42")
    expect(link).to_have_attribute("href", "https://shop.example.com/orders/42")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_have_attribute("target", "_blank")
    expect(thread.get_by_text("). <i>thanks</i>", exact=False)).to_be_visible()
    expect(thread.locator("i")).to_have_count(0)

    page.get_by_label("Message", exact=True).fill("Here: www.example.org/help.")
    page.get_by_label("Message", exact=True).press("Enter")
    expect(thread.get_by_role("link", name="www.example.org/help")).to_have_attribute(
        "href", "https://www.example.org/help")


def test_thread_header_keeps_the_name_readable_at_1024(page: Page, live_server, database_url, make_agent):
    ada = make_agent(name="Ada Lovelace")
    accepted_chat(live_server, database_url, ada, LONG_NAME, "Hello", email="alexandra.whitfield@example.com")
    page.set_viewport_size({"width": 1024, "height": 768})
    sign_in(page, live_server, ada)
    open_chat(page, LONG_NAME)
    name = page.locator(".chat-header h2")
    assert name.evaluate("(h2) => h2.scrollWidth <= h2.clientWidth"), "the name is cut off"
    for button in ("Transfer", "End chat", "Create ticket"):
        expect(page.locator(".chat-header").get_by_role("button", name=button)).to_be_visible()
    assert_screenshot(page.locator(".chat-header"), "workspace/chat-header-1024")


def queue_count(page: Page):
    return page.locator("#queue header .badge")


def test_queue_count_is_of_the_chats_offered_to_me(page: Page, second_page: Page, live_server, database_url,
                                                   make_agent):
    ada, bob = make_agent(name="Ada Lovelace", max_chats=1), make_agent(name="Bob Builder", max_chats=1)
    auto = department(database_url, [ada, bob])
    broadcast = department(database_url, [ada, bob], mode="broadcast")
    sign_in(page, live_server, ada, online=True)
    sign_in(second_page, live_server, bob, online=True)
    for agent_page in (page, second_page):
        expect(queue_count(agent_page)).to_have_text("0")

    # Three visitors in the auto department: one offer each, the third waits for a free agent.
    for name in ("Ann First", "Ben Second", "Cy Third"):
        Visitor(live_server, database_url, name).start(auto, "Hello")
    for agent_page in (page, second_page):
        expect(agent_page.get_by_role("list", name="Waiting chats").get_by_role("listitem")).to_have_count(2)
        expect(agent_page.locator(".offer")).to_have_count(1)
        expect(queue_count(agent_page)).to_have_text("1")  # not the other's offer, nor the chat nobody is offered
        expect(queue_count(agent_page)).to_have_attribute("aria-label", "1 for you to take")

    # A broadcast chat is for everyone who serves its department to take.
    Visitor(live_server, database_url, "Dee Broadcast").start(broadcast, "Anyone?")
    for agent_page in (page, second_page):
        expect(queue_count(agent_page)).to_have_text("2")

    page.locator(".offer").get_by_role("button", name="Accept").click()
    expect(page.get_by_role("log", name="Messages")).to_be_visible()
    expect(queue_count(page)).to_have_text("1")
    expect(queue_count(second_page)).to_have_text("2")


def test_favicon(page: Page, live_server, client, make_agent, login):
    admin = bearer(login(make_agent(role="admin"))["token"])
    widget = client.post("/api/v1/widgets", headers=admin, json={"name": "Shop"}).json()
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.content == client.get("/static/favicon.svg").content and icon.content.startswith(b"<svg")
    for path in ("/workspace/", f"/demo?widget_id={widget['id']}"):
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in client.get(path).text

    missing = []
    page.on("response", lambda response: response.status == 404 and missing.append(response.url))
    page.goto(f"{live_server}/workspace/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert page.evaluate("fetch('/favicon.ico').then((response) => response.status)") == 200
    assert page.locator("link[rel=icon]").evaluate("(link) => link.href") == f"{live_server}/static/favicon.svg"
    assert missing == []
