"""The workspace heals itself when its server goes away: a banner while reconnecting, sends held in
the outbox and sent once, and the events it missed replayed after Last-Event-ID."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.workspace_helpers import Visitor, agent_api, department, sign_in


def test_server_restart_banner_outbox_and_replay(page: Page, serve, database_url, make_agent):
    server, other = serve(), serve()  # one PostgreSQL and Redis: the visitor keeps talking through the other
    ada = make_agent(name="Ada Lovelace")
    visitor = Visitor(other.base_url, database_url, "Rosa Parks")
    with agent_api(server.base_url, ada) as http:
        visitor.start(department(database_url, [ada], mode="broadcast"), "Hello?")
        assert http.post(f"/api/v1/chats/{visitor.chat_id}/accept").status_code == 200
    sign_in(page, server.base_url, ada)
    page.locator(".chat-link", has_text="Rosa Parks").click()
    thread = page.get_by_role("log", name="Messages")
    expect(thread).to_contain_text("Hello?")

    server.kill()
    banner = page.get_by_role("status").filter(has_text="Reconnecting")
    expect(banner).to_be_visible(timeout=15000)
    composer = page.get_by_role("textbox", name="Message")
    composer.fill("Sent while the server was down")
    composer.press("Enter")
    expect(page.get_by_text("1 waiting to send…")).to_be_visible()
    visitor.say("Are you still there?")

    server.start()
    expect(banner).to_be_hidden(timeout=20000)
    expect(thread).to_contain_text("Are you still there?")  # replayed after Last-Event-ID
    expect(thread).to_contain_text("Sent while the server was down")
    expect(page.get_by_text("Enter to send")).to_be_visible()
    assert [m["body"] for m in visitor.messages()].count("Sent while the server was down") == 1
