"""History in the browser: an agent finds a colleague's ended chat by a word and reads it whole, read-only;
screenshot baselines of the view at 1440 x 900 and 390 x 844."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from tests.files_samples import image
from tests.screenshots import assert_screenshot
from tests.test_workspace_screenshots import BROWSER, NOW, named_department, note, pin_times, say
from tests.workspace_helpers import Visitor, agent_api, department, sign_in


def ended_chat(live_server: str, database_url: str, agent: dict, department_id: str, lines: list[tuple[str, str]], *,
               visitor: Visitor, rating: tuple[str, str] | None = None) -> str:
    """`agent` takes `visitor`'s chat; `lines` are (who, body): "visitor", "agent", "note" or "file" (its name);
    then it ends."""
    with agent_api(live_server, agent) as http:
        chat_id = visitor.start(department_id)["id"]
        assert http.post(f"/api/v1/chats/{chat_id}/accept").status_code == 200
        for who, body in lines:
            if who == "visitor":
                visitor.say(body)
            elif who == "file":  # the visitor sends a file named `body`
                upload = visitor.http.post(f"/api/v1/chats/{chat_id}/attachments",
                                           files={"file": (body, image("PNG"), "image/png")})
                assert upload.status_code == 201, upload.text
                sent = visitor.http.post(f"/api/v1/chats/{chat_id}/messages", json={
                    "client_msg_id": body, "body": "Here it is", "attachment_ids": [upload.json()["attachment"]["id"]]})
                assert sent.status_code == 201, sent.text
            else:
                (note if who == "note" else say)(http, chat_id, body)
        assert http.post(f"/api/v1/chats/{chat_id}/end").status_code == 200
    if rating:
        rated = visitor.http.post(f"/api/v1/chats/{chat_id}/rating", json={"score": rating[0], "comment": rating[1]})
        assert rated.status_code == 200, rated.text
    return chat_id


def test_an_agent_finds_a_colleagues_ended_chat_and_reads_it_whole(page: Page, live_server, database_url, make_agent):
    word = f"zeppelin{secrets.token_hex(3)}"
    alice, bob = make_agent(name="Alice Archer"), make_agent(name="Bob Brown")
    support = department(database_url, [alice], mode="broadcast")
    guest = Visitor(live_server, database_url, "Nora Quinn", email="nora@example.com")
    ended_chat(live_server, database_url, alice, support, [
        ("visitor", f"My {word} kit arrived without the propeller."),
        ("agent", "Sorry about that! I'll send one today."),
        ("note", "Warehouse keeps missing propellers: told the team lead."),
        ("file", "unboxing.png"),
    ], visitor=guest, rating=("good", "Quick and kind"))

    sign_in(page, live_server, bob)
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="History").click()
    expect(page).to_have_url(f"{live_server}/workspace/#/history")
    page.get_by_role("searchbox", name="Search all chats").fill(word)
    results = page.get_by_role("list", name="Chats found")
    result = results.get_by_role("link").filter(has_text="Nora Quinn")
    expect(result).to_have_count(1)
    expect(result.locator("mark")).to_have_text(word)
    expect(result).to_contain_text("Alice Archer")
    expect(result).to_contain_text("Rated good")  # the chip the conversation shows too

    result.click()
    thread = page.get_by_role("log", name="Messages")
    expect(thread).to_contain_text(f"My {word} kit arrived without the propeller.")
    expect(thread.locator(".row.note")).to_contain_text("Warehouse keeps missing propellers")
    expect(thread.locator(".row.note")).to_contain_text("Internal note")
    expect(thread.locator(".row.system")).to_contain_text(["Alice Archer joined the chat",
                                                           "Chat ended by Alice Archer"])
    chat = page.get_by_role("region", name="Chat with Nora Quinn")
    expect(chat).to_contain_text("Rated good")
    expect(chat).to_contain_text("Quick and kind")
    expect(chat).to_contain_text("Read-only")
    expect(thread.get_by_role("link").filter(has=page.get_by_role("img", name="unboxing.png"))).to_have_attribute(
        "href", re.compile(r"^/api/v1/attachments/"))
    expect(chat.get_by_role("textbox")).to_have_count(0)  # no composer
    expect(result).to_have_attribute("aria-current", "true")  # the list stayed as it was


def test_history_is_keyboard_operable_and_filters_narrow(page: Page, live_server, database_url, make_agent):
    word = f"lantern{secrets.token_hex(3)}"
    alice, carol = make_agent(name="Alice Archer"), make_agent(name="Carol Chen")
    support = department(database_url, [alice, carol], mode="broadcast")
    for agent, name in ((alice, "Ivy Green"), (carol, "Jon Black")):
        ended_chat(live_server, database_url, agent, support, [("visitor", f"The {word} flickers")],
                   visitor=Visitor(live_server, database_url, name))
    sign_in(page, live_server, alice)
    page.evaluate("location.hash = '#/history'")
    search = page.get_by_role("searchbox", name="Search all chats")
    expect(search).to_be_focused()
    page.keyboard.type(word)
    page.keyboard.press("Enter")
    results = page.get_by_role("list", name="Chats found").get_by_role("link")
    expect(results).to_have_count(2)
    page.get_by_label("Agent").select_option(carol["id"])
    expect(results).to_have_count(1)
    expect(results).to_contain_text("Jon Black")
    results.first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("log", name="Messages")).to_contain_text(f"The {word} flickers")
    page.get_by_label("Status").select_option("active")
    expect(page.get_by_role("list", name="Chats found")).to_have_count(0)
    expect(page.get_by_text("No chat matches these words and filters.")).to_be_visible()


SIZES = {"1440": (1440, 900), "390": (390, 844)}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "timezone_id": "UTC", "locale": "en-US", "viewport": {"width": 1440, "height": 900}}


def test_screenshot_history(page: Page, live_server, database_url, make_agent):
    page.clock.set_fixed_time(NOW)
    ada, grace = make_agent(name="Ada Lovelace"), make_agent(name="Grace Hopper")
    billing = named_department(database_url, [ada, grace], "Billing", mode="broadcast")
    chats = [
        ("Marie Curie", "marie.curie@example.com", datetime(2026, 3, 9, 15, 12, tzinfo=UTC), [
            ("visitor", "Hi! I was charged twice for order A-1042, can you refund one of the payments?"),
            ("agent", "Hi Marie, I can see both charges. I've refunded the second one just now."),
            ("note", "Payment provider retried after a timeout: third double charge this week."),
            ("visitor", "Thank you, that was quick!"),
        ], ("good", "Sorted in two minutes, thanks Ada!")),
        ("Tom Baker", "tom@example.org", datetime(2026, 3, 4, 9, 40, tzinfo=UTC), [
            ("visitor", "When will my refund for the returned mug arrive?"),
            ("agent", "Refunds reach your card 3-5 working days after the return is scanned."),
        ], ("bad", "Still waiting after a week.")),
        ("Lena Fischer", None, datetime(2026, 2, 26, 17, 5, tzinfo=UTC), [
            ("visitor", "Can I get a refund if the size doesn't fit?"),
            ("agent", "Yes: within 30 days, unworn. The returns label is in your order email."),
        ], None),
    ]
    for name, email, start, lines, rating in chats:
        visitor = Visitor(live_server, database_url, name, user_agent=BROWSER, **({"email": email} if email else {}))
        chat_id = ended_chat(live_server, database_url, ada, billing, lines, visitor=visitor, rating=rating)
        pin_times(database_url, chat_id, start, ended=True)
    sign_in(page, live_server, grace)
    page.evaluate("location.hash = '#/history'")
    page.get_by_role("searchbox", name="Search all chats").fill("refund")
    page.get_by_label("Agent").select_option(ada["id"])
    results = page.get_by_role("list", name="Chats found").get_by_role("link")
    expect(results).to_have_count(3)
    results.first.click()
    expect(page.get_by_role("log", name="Messages")).to_contain_text("Thank you, that was quick!")
    page.mouse.move(1, 1)
    assert_screenshot(page, "workspace/history-1440")

    page.set_viewport_size({"width": 390, "height": 844})
    page.mouse.move(1, 1)
    assert_screenshot(page, "workspace/history-chat-390")
    page.get_by_role("button", name="← Results").click()
    expect(results).to_have_count(3)
    page.mouse.move(1, 1)
    assert_screenshot(page, "workspace/history-390")


def test_history_fits_a_360_px_phone(browser, live_server, make_agent):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    sign_in(page, live_server, make_agent("admin", name="Penelope Phonewright"))  # the admin has every nav entry
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("searchbox", name="Search all chats")).to_be_visible()
    page.get_by_role("button", name="Filters").click()
    expect(page.get_by_label("Department")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def test_under_1024_px_the_chats_search_is_an_icon_and_ctrl_k_opens_it(browser, live_server, make_agent):
    """History's nav entry took the room of the chats search field: it collapses to its icon."""
    context = browser.new_context(viewport={"width": 800, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, make_agent(name="Tess Tablet"))
    search = page.get_by_role("searchbox", name="Search chats")
    expect(search).to_be_hidden()
    page.keyboard.press("Control+k")
    expect(search).to_be_focused()
    expect(page.get_by_role("complementary", name="Queue and chats")).to_be_in_viewport()
    page.keyboard.press("Escape")
    expect(search).to_be_hidden()
    page.get_by_role("button", name="Search chats").click()
    expect(search).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    context.close()
