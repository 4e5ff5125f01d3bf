"""The Live view in a real browser: a supervisor watches two agents' load change live, follows a chat,
whispers, takes it over and answers; screenshot baselines at 1440 x 900 and 390 x 844."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import migrated_database
from tests.screenshots import assert_screenshot
from tests.test_workspace_screenshots import named_department
from tests.workspace_helpers import Visitor, agent_api, department, sign_in, sql

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)


@pytest.fixture
def database_url(new_database) -> str:
    """A database of each test's own: the Live view shows every agent and department there is."""
    return migrated_database(new_database)


def load_of(page: Page, agent: dict):
    return page.locator(f'[data-agent-id="{agent["id"]}"] .load-count')


def accept(http, chat_id: str) -> None:
    assert http.post(f"/api/v1/chats/{chat_id}/accept").status_code == 200


def test_a_supervisor_sees_load_change_live_then_takes_over_and_answers(page: Page, second_page: Page, live_server,
                                                                        database_url, make_agent):
    alice, bob = make_agent(name="Alice Agent"), make_agent(name="Bob Agent")
    sue = make_agent("supervisor", name="Sue Supervisor")
    sales = department(database_url, [alice, bob, sue], mode="broadcast")
    with agent_api(live_server, alice) as alice_http, agent_api(live_server, bob) as bob_http:
        sign_in(second_page, live_server, alice, online=True)
        expect(second_page.get_by_role("link", name="Live")).to_be_hidden()  # an agent has no Live view
        sign_in(page, live_server, sue, online=True)
        page.get_by_role("link", name="Live").click()
        expect(load_of(page, alice)).to_have_text("0 / 3")
        expect(load_of(page, bob)).to_have_text("0 / 3")

        marie = Visitor(live_server, database_url, "Marie Curie")
        marie_chat = marie.start(sales, "Hello, my parcel has not arrived.")["id"]
        queue = page.get_by_role("article", name=f"{named(database_url, sales)} queue")
        expect(queue.locator(".count")).to_have_text("1")
        accept(alice_http, marie_chat)
        second_page.get_by_role("region", name="My chats").get_by_role("link", name="Marie Curie").click()
        expect(load_of(page, alice)).to_have_text("1 / 3")
        expect(queue.locator(".count")).to_have_text("0")
        grace = Visitor(live_server, database_url, "Grace Hopper")
        accept(bob_http, grace.start(sales, "Is the conference on?")["id"])
        expect(load_of(page, bob)).to_have_text("1 / 3")
        expect(load_of(page, alice)).to_have_text("1 / 3")
        # Marie waits for an answer; her chip says how long.
        chip = page.locator(f'.live-chat[data-chat-id="{marie_chat}"]')
        expect(chip).to_have_attribute("data-waiting", "")
        assert alice_http.post(f"/api/v1/chats/{marie_chat}/messages",
                               json={"client_msg_id": str(uuid.uuid4()), "body": "Let me look."}).status_code == 201
        expect(chip).not_to_have_attribute("data-waiting", "")

        # Follow Marie's chat: read only, live, and a whisper Alice sees and Marie never does.
        chip.click()
        thread = page.get_by_role("log", name="Messages")
        expect(thread).to_contain_text("Let me look.")
        expect(page.get_by_role("textbox", name="Message")).to_have_count(0)
        marie.say("Any news?")
        expect(thread).to_contain_text("Any news?")
        page.get_by_label("Internal note").fill("Offer her express shipping")
        page.get_by_role("button", name="Add note").click()
        expect(thread.locator(".row.note")).to_contain_text("Offer her express shipping")
        assert "Offer her express shipping" in str(alice_http.get(f"/api/v1/chats/{marie_chat}/messages").json())
        assert "Offer her express shipping" not in str(marie.messages())

        # Take it over: it becomes Sue's to answer; Alice's slot is free again.
        page.get_by_role("button", name="Take over").click()
        expect(page).to_have_url(f"{live_server}/workspace/#/chats/{marie_chat}")
        composer = page.get_by_role("textbox", name="Message")
        composer.fill("Hi Marie, Sue here: it ships express today.")
        composer.press("Enter")
        expect(thread).to_contain_text("Hi Marie, Sue here")
        # Alice's workspace let go of it live: out of her chats, her composer closed.
        expect(second_page.get_by_role("region", name="My chats")).not_to_contain_text("Marie Curie")
        expect(second_page.locator(".composer-closed")).to_have_text("This chat is with Sue Supervisor.")
        bodies = [message["body"] for message in marie.messages()]
        assert "You're now chatting with Sue Supervisor" in bodies
        assert bodies[-1] == "Hi Marie, Sue here: it ships express today."
        refused = alice_http.post(f"/api/v1/chats/{marie_chat}/messages",
                                  json={"client_msg_id": str(uuid.uuid4()), "body": "still mine?"})
        assert refused.status_code == 403
        page.get_by_role("link", name="Live").click()
        expect(load_of(page, alice)).to_have_text("0 / 3")
        expect(load_of(page, sue)).to_have_text("1 / 3")


def named(database_url: str, department_id: str) -> str:
    return sql(database_url, "SELECT name FROM chatdesk.departments WHERE id = $1::uuid", department_id)[0]["name"]


@pytest.fixture
def screenshot_page(page: Page) -> Page:
    page.clock.set_fixed_time(NOW)
    return page


@pytest.mark.parametrize("size", [(1440, 900), (390, 844)], ids=["1440", "390"])
def test_live_view_screenshots(screenshot_page: Page, live_server, database_url, make_agent, size):
    page = screenshot_page
    ada, linus = make_agent(name="Ada Lovelace"), make_agent(name="Linus Pauling", max_chats=2)
    make_agent(name="Zoe Offline")
    sue = make_agent("supervisor", name="Sue Supervisor")
    billing = named_department(database_url, [ada, linus, sue], "Billing", mode="broadcast")
    with agent_api(live_server, ada) as ada_http, agent_api(live_server, linus) as linus_http:
        assert linus_http.put("/api/v1/agents/me/status", json={"status": "away"}).status_code == 200
        chats = []
        for name, http, line in (("Marie Curie", ada_http, "My parcel has not arrived."),
                                 ("Grace Hopper", ada_http, "Can I change my plan?"),
                                 ("Rosalind Franklin", None, "Hello, anyone there?"),
                                 ("Katherine Johnson", None, "I need an invoice.")):
            visitor = Visitor(live_server, database_url, name)
            chat_id = visitor.start(billing, line)["id"]
            if http:
                accept(http, chat_id)
            chats.append(chat_id)
        assert ada_http.post(f"/api/v1/chats/{chats[1]}/messages",
                             json={"client_msg_id": "r1", "body": "Sure, which one?"}).status_code == 201
        linus_chat = Visitor(live_server, database_url, "Lise Meitner").start(billing, "Hi!")["id"]
        assert linus_http.put("/api/v1/agents/me/status", json={"status": "online"}).status_code == 200
        accept(linus_http, linus_chat)
        assert linus_http.put("/api/v1/agents/me/status", json={"status": "away"}).status_code == 200
    starts = {chats[0]: 4, chats[1]: 9, chats[2]: 3, chats[3]: 1, linus_chat: 12}
    for chat_id, minutes in starts.items():
        start = NOW - timedelta(minutes=minutes, seconds=12)
        sql(database_url, "UPDATE chatdesk.chats SET created_at = $2::timestamptz, assigned_at = CASE WHEN "
                          "assigned_at IS NULL THEN NULL ELSE $2::timestamptz + interval '20 seconds' END "
                          "WHERE id = $1::uuid", chat_id, start)
        sql(database_url, "UPDATE chatdesk.messages SET created_at = $2::timestamptz + (seq - 1) * "
                          "interval '30 seconds' WHERE chat_id = $1::uuid", chat_id, start)

    page.set_viewport_size({"width": size[0], "height": size[1]})
    sign_in(page, live_server, sue, online=True)
    page.goto(f"{live_server}/workspace/#/live")
    expect(load_of(page, ada)).to_have_text("2 / 3")
    expect(page.locator(f'.live-chat[data-chat-id="{chats[0]}"] .wait')).to_have_text("4:12")
    expect(page.get_by_role("article", name="Billing queue").locator(".count")).to_have_text("2")
    assert_screenshot(page, f"workspace-live-{size[0]}")

    # A chat opened from the Live view: read only, with the whisper box.
    page.locator(f'.live-chat[data-chat-id="{chats[0]}"]').click()
    expect(page.get_by_role("log", name="Messages")).to_contain_text("My parcel has not arrived.")
    expect(page.get_by_role("button", name="Take over")).to_be_visible()
    assert_screenshot(page, f"workspace-live-chat-{size[0]}")
