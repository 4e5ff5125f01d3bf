"""A 10,000-message thread opens fast and keeps the DOM small while scrolled end to end."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from chatdesk.bench.history import fill_chat
from tests.conftest import run
from tests.workspace_helpers import Visitor, agent_api, department, sign_in

MESSAGES = 10_000
MAX_NODES = 250  # "a few hundred": the thread renders at most 180 rows


def test_ten_thousand_messages_scroll_to_the_top_and_back(page: Page, live_server, database_url, make_agent):
    ada = make_agent(name="Ada Lovelace")
    visitor = Visitor(live_server, database_url, "Long Talker")
    with agent_api(live_server, ada) as agent_http:
        visitor.start(department(database_url, [ada], mode="broadcast"))
        assert agent_http.post(f"/api/v1/chats/{visitor.chat_id}/accept").status_code == 200
    visitor_id = visitor.http.get(f"/api/v1/chats/{visitor.chat_id}").json()["chat"]["visitor"]["id"]
    run(fill_chat(database_url, visitor.chat_id, visitor_id, MESSAGES, agent=(ada["id"], ada["name"])))
    last_seq = MESSAGES + 1  # after "joined the chat"

    sign_in(page, live_server, ada)
    page.locator(".chat-link", has_text="Long Talker").click()
    thread = page.get_by_role("log", name="Messages")
    expect(thread.locator(f'[data-seq="{last_seq}"]')).to_be_visible()
    paint_ms = page.evaluate("performance.measure('thread', 'thread-open', 'thread-painted').duration")
    print(f"\nthread of {MESSAGES:,} messages: first paint {paint_ms:.0f} ms after opening")
    page.evaluate("""() => {
        const rows = document.querySelector('.thread .rows');
        window.maxRows = rows.querySelectorAll('.msg').length;
        new MutationObserver(() => { window.maxRows = Math.max(window.maxRows, rows.querySelectorAll('.msg').length); })
            .observe(rows, { childList: true });
    }""")

    # Scrolling to the top slides the window back, and what the agent scrolled to stays on screen:
    # the row that was first is still at the top of the viewport, with the older rows above it.
    seq = thread.locator(".msg").first.get_attribute("data-seq")
    thread.evaluate("el => { el.scrollTop = 0; }")
    expect(thread.locator(".msg").first).not_to_have_attribute("data-seq", seq)
    assert thread.evaluate("el => el.scrollTop") > 1000
    assert abs(thread.locator(f'[data-seq="{seq}"]').bounding_box()["y"] - thread.bounding_box()["y"]) < 80

    steps = 0
    while not thread.locator('[data-seq="1"]').count():
        first = int(thread.locator(".msg").first.get_attribute("data-seq"))
        thread.evaluate("el => { el.scrollTop = 0; }")
        page.wait_for_function("(first) => +document.querySelector('.thread .msg').dataset.seq < first || "
                               "document.querySelector('.thread [data-seq=\"1\"]')", arg=first)
        steps += 1
        assert steps < 400, "the thread stopped loading older messages"
    expect(thread).to_contain_text("This is the start of the conversation.")
    assert page.evaluate("window.maxRows") <= MAX_NODES

    page.get_by_role("button", name="Jump to latest").click()
    expect(thread.locator(f'[data-seq="{last_seq}"]')).to_be_in_viewport()
    assert thread.locator(".msg").count() <= MAX_NODES
    print(f"scrolled to the top in {steps} steps; at most {page.evaluate('window.maxRows')} message nodes in the DOM")
