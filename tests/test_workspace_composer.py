"""The composer's extras and the keyboard in a real browser: files, emoji, drafts per chat, shortcuts,
the title badge."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.files_samples import image
from tests.realtime_helpers import ThreadedLog, connected_visitor
from tests.workspace_helpers import Visitor, agent_api, department, sign_in


def test_files_emoji_drafts_keyboard_and_title_badge(page: Page, live_server, database_url, make_agent):
    ada = make_agent(name="Ada Lovelace")
    support = department(database_url, [ada], mode="broadcast")
    alan, joan = (Visitor(live_server, database_url, "Alan Turing"),
                  Visitor(live_server, database_url, "Joan Clarke", page_url="javascript:alert(document.cookie)"))
    with agent_api(live_server, ada) as http:
        for visitor in (alan, joan):
            visitor.start(support, "Hi!")
            assert http.post(f"/api/v1/chats/{visitor.chat_id}/accept").status_code == 200
    sign_in(page, live_server, ada)
    page.locator(".chat-link", has_text="Alan Turing").click()
    composer = page.get_by_role("textbox", name="Message")

    # Typing tells the visitor; leaving the field tells them it stopped.
    alans_stream = ThreadedLog(lambda: connected_visitor(live_server, alan.token))
    try:
        composer.press_sequentially("Let me see")
        typing = alans_stream.wait_for(lambda e: e.type == "typing" and e.data["typing"])
        assert typing.data["who"]["name"] == "Ada Lovelace"
        composer.fill("")
        composer.blur()
        alans_stream.wait_for(lambda e: e.type == "typing" and not e.data["typing"])
    finally:
        alans_stream.close()

    # A file goes up with progress and is sent with the message.
    receipt = {"name": "receipt.png", "mimeType": "image/png", "buffer": image("PNG")}
    page.locator(".composer input[type=file]").set_input_files(receipt)
    expect(page.locator(".upload")).to_have_attribute("data-state", "done")
    composer.fill("Here is the receipt")
    composer.press("Enter")
    expect(page.get_by_role("log", name="Messages").get_by_role("img", name="receipt.png")).to_be_visible()
    assert alan.messages()[-1]["attachments"][0]["name"] == "receipt.png"

    # Emoji are inserted where the caret is; "/" opens the palette and Esc closes it.
    composer.fill("Thanks ")
    page.get_by_role("button", name="Emoji").click()
    page.get_by_role("dialog", name="Emoji").get_by_role("button", name="👍").click()
    expect(composer).to_have_value("Thanks 👍")
    composer.fill("/")
    expect(page.get_by_role("listbox", name="Quick responses")).to_be_visible()
    composer.press("Escape")
    expect(page.get_by_role("listbox", name="Quick responses")).to_be_hidden()

    # Drafts stay with their chat; Alt+Down and Alt+Up move between chats; Ctrl+K finds one.
    composer.fill("A draft for Alan")
    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator(".chat-header h2")).to_have_text("Joan Clarke")
    expect(composer).to_have_value("")
    panel = page.get_by_role("complementary", name="Visitor details")
    expect(panel).to_contain_text("javascript:alert(document.cookie)")  # shown as text, never a link
    expect(panel.get_by_role("link", name="javascript:alert(document.cookie)")).to_have_count(0)
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator(".chat-header h2")).to_have_text("Alan Turing")
    expect(composer).to_have_value("A draft for Alan")
    page.keyboard.press("Control+k")
    expect(page.get_by_role("searchbox", name="Search chats")).to_be_focused()
    page.keyboard.type("joan")
    expect(page.locator(".chat-link")).to_have_count(1)

    # With the tab hidden, a visitor's message puts a count in the title.
    page.evaluate("""() => { Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
                             document.dispatchEvent(new Event('visibilitychange')); }""")
    joan.say("Hello again")
    expect(page).to_have_title("(1) chatdesk")
    page.evaluate("""() => { Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
                             document.dispatchEvent(new Event('visibilitychange')); }""")
    expect(page).to_have_title("chatdesk")


def test_escape_in_the_chat_search_clears_the_filter(page: Page, live_server, database_url, make_agent):
    ada = make_agent(name="Ada Lovelace", max_chats=3)
    support = department(database_url, [ada], mode="broadcast")
    alan, joan = Visitor(live_server, database_url, "Alan Turing"), Visitor(live_server, database_url, "Joan Clarke")
    with agent_api(live_server, ada) as http:
        alan.start(support, "Hi!")
        assert http.post(f"/api/v1/chats/{alan.chat_id}/accept").status_code == 200
        sign_in(page, live_server, ada)
        expect(page.locator(".chat-link", has_text="Alan Turing")).to_be_visible()
        page.keyboard.press("Control+k")
        page.keyboard.type("nobody")
        expect(page.get_by_text("No chat matches your search.")).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.get_by_role("searchbox", name="Search chats")).to_have_value("")
        expect(page.locator(".chat-link", has_text="Alan Turing")).to_be_visible()
        joan.start(support, "Hello")
        assert http.post(f"/api/v1/chats/{joan.chat_id}/accept").status_code == 200
        expect(page.locator(".chat-link", has_text="Joan Clarke")).to_be_visible()
