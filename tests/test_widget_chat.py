"""The customer widget in a real browser on a host page of another origin, against a live server."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from chatdesk.bench.client import Client
from tests.conftest import run
from tests.files_samples import PDF, image
from tests.realtime_helpers import department_with
from tests.widget_helpers import (
    accepted_chat,
    admin_token,
    agents_fixture,
    conversation,
    create_widget,
    host_site_fixture,
    open_widget,
    start_chat,
)

host_site = pytest.fixture(host_site_fixture, name="host_site")
agents = pytest.fixture(agents_fixture, name="agents")


def test_customer_chat_flow(page: Page, live_server, make_agent, host_site, agents):
    widget = create_widget(live_server, make_agent(role="admin"), [host_site.origin])
    agent = agents(live_server)
    chat_frame = open_widget(page, host_site.page("/", live_server, widget["id"]))

    chat_frame.get_by_label("Name").fill("Ada Lovelace")
    chat_frame.get_by_label("Email").fill("not an email")
    chat_frame.get_by_label("How can we help?").fill("Where is my order?")
    chat_frame.get_by_role("button", name="Start chat").click()
    expect(chat_frame.get_by_text("Please enter a valid email address.")).to_be_visible()
    chat_frame.get_by_label("Email").fill("ada@example.com")
    chat_frame.get_by_role("button", name="Start chat").click()
    expect(chat_frame.get_by_text(re.compile(r"You're #\d+ in line"))).to_be_visible()
    thread = conversation(chat_frame)
    expect(thread.get_by_text("Where is my order?")).to_be_visible()

    chat = agent.queued_chat("Ada Lovelace")
    agent.run(agent.client.accept(chat["id"]))
    expect(chat_frame.get_by_role("heading", name="Grace Hopper")).to_be_visible()
    agent.run(agent.client.typing(chat["id"], True))
    expect(chat_frame.get_by_label("Grace Hopper is typing")).to_be_visible()
    agent.run(agent.client.send(chat["id"], "Hi Ada! Let me look."))
    expect(thread.get_by_text("Hi Ada! Let me look.")).to_be_visible()
    expect(chat_frame.locator("#announcer")).to_have_text("Grace Hopper: Hi Ada! Let me look.")  # the live region
    expect(chat_frame.get_by_label("Grace Hopper is typing")).to_have_count(0)

    chat_frame.get_by_label("Message").fill("Order 1234, thanks")
    agent.wait_for(lambda e: e.type == "typing" and e.data["who"]["type"] == "visitor" and e.data["typing"])
    chat_frame.get_by_label("Message").press("Enter")
    reply = agent.wait_for(lambda e: e.type == "message.created" and e.data["message"]["body"] == "Order 1234, thanks")
    agent.run(agent.client.read(chat["id"], reply.data["message"]["seq"]))
    expect(thread.get_by_text("Seen")).to_be_visible()

    page.keyboard.press("Escape")  # minimised, an agent message shows as unread on the launcher
    agent.run(agent.client.send(chat["id"], "Anything else?"))
    unread = page.get_by_role("button", name="Open Chat with us (1 unread)")
    expect(unread).to_have_text("1")
    unread.click()
    expect(thread.get_by_text("Anything else?")).to_be_visible()
    expect(page.locator("chatdesk-widget .n")).to_be_hidden()  # the badge, once read

    agent.run(agent.client.end(chat["id"]))
    expect(chat_frame.get_by_text("This chat has ended")).to_be_visible()
    chat_frame.get_by_role("button", name="Good").click()
    chat_frame.get_by_label("Comment (optional)").fill("Quick and kind")
    chat_frame.get_by_role("button", name="Send rating").click()
    expect(chat_frame.get_by_text("Thanks for your feedback!")).to_be_visible()
    rated = agent.wait_for(lambda e: e.type == "chat.rated")
    assert rated.data == {"chat_id": chat["id"], "score": "good", "comment": "Quick and kind"}

    with page.expect_download() as download:
        chat_frame.get_by_role("button", name="Download transcript").click()
    assert "Order 1234, thanks" in Path(download.value.path()).read_text()
    chat_frame.get_by_role("button", name="Start a new chat").click()
    expect(chat_frame.get_by_text("Welcome back, Ada Lovelace!")).to_be_visible()  # known: no name or email again
    expect(chat_frame.get_by_label("Email", exact=True)).to_have_count(0)


def test_visitor_ends_the_chat(page: Page, live_server, make_agent, host_site, agents):
    """End chat in the header asks first (Cancel keeps the chat); ending reaches the agent and offers the rating."""
    widget = create_widget(live_server, make_agent(role="admin"), [host_site.origin])
    agent = agents(live_server)
    chat_frame = open_widget(page, host_site.page("/", live_server, widget["id"]))
    start_chat(chat_frame, "Leaving Visitor")
    chat = agent.run(agent.client.accept(agent.queued_chat("Leaving Visitor")["id"]))
    expect(chat_frame.get_by_role("heading", name="Grace Hopper")).to_be_visible()

    end = chat_frame.get_by_role("button", name="End chat")
    chat_frame.get_by_role("button", name="Minimise chat").focus()
    page.keyboard.press("Shift+Tab")  # keyboard reachable, next to minimise
    expect(end).to_be_focused()
    page.keyboard.press("Enter")
    question = chat_frame.get_by_role("form", name="End this chat?")
    expect(question).to_be_visible()
    expect(question.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Enter")  # Cancel: the chat goes on
    expect(question).to_be_hidden()
    expect(end).to_be_focused()
    expect(chat_frame.get_by_label("Message")).to_be_visible()

    end.click()
    question.get_by_role("button", name="End", exact=True).click()
    ended = agent.wait_for(lambda e: e.type == "chat.ended" and e.data["chat"]["id"] == chat["id"])
    assert ended.data["chat"]["status"] == "ended"
    expect(chat_frame.get_by_text("This chat has ended")).to_be_visible()
    expect(chat_frame.get_by_role("button", name="Good")).to_be_focused()  # the rating form, keyboard ready
    expect(end).to_be_hidden()
    expect(chat_frame.get_by_label("Message")).to_be_hidden()
    assert any(m["body"] == "Chat ended by Leaving Visitor" for m in agent.messages(chat["id"]))
    chat_frame.get_by_role("button", name="Bad").click()
    chat_frame.get_by_role("button", name="Send rating").click()
    expect(chat_frame.get_by_text("Thanks for your feedback!")).to_be_visible()
    assert agent.wait_for(lambda e: e.type == "chat.rated").data["score"] == "bad"


def test_file_sharing_flow(page: Page, serve, make_agent, host_site, agents):
    base_url = serve(CHATDESK_UPLOAD_MAX_BYTES=str(1024 * 1024)).base_url
    widget = create_widget(base_url, make_agent(role="admin"), [host_site.origin])
    agent = agents(base_url)
    chat_frame = open_widget(page, host_site.page("/", base_url, widget["id"]))
    start_chat(chat_frame, "Files Visitor")
    chat = agent.run(agent.client.accept(agent.queued_chat("Files Visitor")["id"]))
    thread = conversation(chat_frame)

    page.route("**/attachments", lambda route: route.abort(), times=1)  # the first try fails
    with page.expect_file_chooser() as chooser:  # the attach button
        chat_frame.get_by_role("button", name="Attach a file").click()
    chooser.value.set_files({"name": "photo.png", "mimeType": "image/png", "buffer": image("PNG", (640, 480))})
    expect(chat_frame.get_by_role("alert")).to_have_text("Couldn't upload photo.png: You seem to be offline.")
    chat_frame.get_by_role("button", name="Retry").click()
    preview = thread.get_by_role("img", name="photo.png")
    expect(preview).to_be_visible()
    expect(preview).to_have_js_property("naturalWidth", 320)  # the server's thumbnail, loaded
    sent = agent.wait_for(lambda e: e.type == "message.created" and e.data["message"]["attachments"])
    picture = sent.data["message"]["attachments"][0]
    thumbnail = httpx.get(base_url + picture["thumbnail_url"],
                          headers={"Authorization": f"Bearer {agent.client.token}"})
    assert thumbnail.status_code == 200 and thumbnail.headers["content-type"] == "image/webp"

    hand_file(page, "report.pdf", PDF, "drop")
    pdf_card = thread.get_by_role("button", name=re.compile(r"report\.pdf"))
    expect(pdf_card).to_be_visible()
    with page.expect_download() as download:
        pdf_card.click()
    assert download.value.suggested_filename == "report.pdf"
    hand_file(page, "pasted.png", image("PNG"), "paste")
    expect(thread.get_by_role("img", name="pasted.png")).to_be_visible()

    with page.expect_file_chooser() as chooser:
        chat_frame.get_by_role("button", name="Attach a file").click()
    chooser.value.set_files({"name": "huge.zip", "mimeType": "application/zip", "buffer": b"x" * (2 * 1024 * 1024)})
    too_large = re.compile(r"huge\.zip is too large \(2 MB\)\. Files up to 1 MB")
    expect(chat_frame.get_by_role("alert")).to_have_text(too_large)
    names = [file["name"] for message in agent.messages(chat["id"]) for file in message["attachments"]]
    assert names == ["photo.png", "report.pdf", "pasted.png"]


def test_after_a_reload_a_thread_with_images_opens_on_its_newest_message(page: Page, live_server, make_agent,
                                                                        host_site, agents):
    widget = create_widget(live_server, make_agent(role="admin"), [host_site.origin])
    agent = agents(live_server)
    url = host_site.page("/", live_server, widget["id"])
    start_chat(open_widget(page, url), "Picture Visitor")
    chat_id = agent.run(agent.client.accept(agent.queued_chat("Picture Visitor")["id"]))["id"]
    for n in (1, 2):
        photo = agent.run(agent.client.upload(chat_id, f"photo{n}.png", image("PNG", (640, 480))))
        agent.run(agent.client.request("POST", f"/api/v1/chats/{chat_id}/messages", json={
            "client_msg_id": f"photo-{n}", "body": f"photo{n}.png", "attachment_ids": [photo["id"]]}))
    for n in range(1, 4):
        agent.run(agent.client.send(chat_id, f"after the pictures {n}"))
    thread = conversation(page.frame_locator("chatdesk-widget iframe"))
    expect(thread.get_by_text("after the pictures 3")).to_be_visible()

    page.reload()
    thread = conversation(page.frame_locator("chatdesk-widget iframe"))
    for n in (1, 2):
        expect(thread.get_by_role("img", name=f"photo{n}.png")).to_have_js_property("naturalWidth", 320)
    expect(thread.get_by_text("after the pictures 3")).to_be_in_viewport(ratio=1)

    # A reader who scrolled up stays where they are; back at the bottom, new messages keep them there.
    frame = next(frame for frame in page.frames if "/widget/frame/" in frame.url)
    scroll_to = """(top) => new Promise((scrolled) => {
        const scroller = document.querySelector('.scroller');
        scroller.addEventListener('scroll', scrolled, { once: true });
        scroller.scrollTop = top ?? scroller.scrollHeight;
    })"""
    frame.evaluate(scroll_to, 0)
    agent.run(agent.client.send(chat_id, "while you read"))
    expect(thread.get_by_text("while you read")).to_have_count(1)
    expect(thread.get_by_text("while you read")).not_to_be_in_viewport()
    frame.evaluate(scroll_to, None)
    agent.run(agent.client.send(chat_id, "back at the bottom"))
    expect(thread.get_by_text("back at the bottom")).to_be_in_viewport(ratio=1)


def hand_file(page: Page, name: str, data: bytes, how: str) -> None:
    """Drop a file on the widget (the end of a drag) or paste it into the message box, as a browser does."""
    frame = next(frame for frame in page.frames if "/widget/frame/" in frame.url)
    frame.evaluate("""([name, bytes, how]) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(bytes)], name));
        const event = how === 'drop' ? new DragEvent('drop', {dataTransfer: transfer, bubbles: true})
            : new ClipboardEvent('paste', {clipboardData: transfer, bubbles: true});
        document.querySelector(how === 'drop' ? '.app' : '#composer-input').dispatchEvent(event);
    }""", [name, list(data), how])


def test_reconnection_flow(page: Page, live_server, make_agent, host_site, agents):
    widget = create_widget(live_server, make_agent(role="admin"), [host_site.origin])
    agent = agents(live_server)
    url = host_site.page("/", live_server, widget["id"])
    chat_frame = open_widget(page, url)
    start_chat(chat_frame, "Offline Visitor", "Before")
    chat = agent.run(agent.client.accept(agent.queued_chat("Offline Visitor")["id"]))
    thread = conversation(chat_frame)
    expect(chat_frame.get_by_role("heading", name="Grace Hopper")).to_be_visible()

    page.context.set_offline(True)
    expect(chat_frame.get_by_text("Reconnecting\u2026")).to_be_visible()
    for n in (1, 2, 3):
        chat_frame.get_by_label("Message").fill(f"visitor {n}")
        chat_frame.get_by_label("Message").press("Enter")
    expect(thread.get_by_text("Waiting for network\u2026")).to_have_count(3)
    for n in (1, 2):
        agent.run(agent.client.send(chat["id"], f"agent {n}"))
    page.context.set_offline(False)

    expected = ["Before", "agent 1", "agent 2", "visitor 1", "visitor 2", "visitor 3"]
    bubbles = thread.locator(".msg:not(.system):not(.pending) .bubble")
    expect(bubbles).to_have_text(expected)
    expect(chat_frame.get_by_text("Reconnecting\u2026")).to_be_hidden()
    bodies = [m["body"] for m in agent.messages(chat["id"]) if m["sender"]["type"] != "system"]
    assert bodies == expected

    page.reload()  # the chat, its messages and the open widget survive a page load, and open in another tab
    for tab in (page, page.context.new_page()):
        if tab is not page:
            tab.goto(url)
        thread = conversation(tab.frame_locator("chatdesk-widget iframe"))
        expect(thread.locator(".msg:not(.system):not(.pending) .bubble")).to_have_text(expected)


def test_offline_flow(page: Page, live_server, database_url, make_agent, host_site, agents):
    """Agents are online, but the chosen department's only agent steps away before the visitor sends:
    the chat becomes an offline message."""
    agents(live_server)
    night_owl = agents(live_server, "Night Owl")
    me = night_owl.run(night_owl.client.request("GET", "/api/v1/agents/me"))[1]
    department_id = run(department_with(database_url, [me["id"]]))
    admin = make_agent(role="admin")
    widget = create_widget(live_server, admin, [host_site.origin])
    settings = httpx.get(f"{live_server}/api/v1/widgets/{widget['id']}/settings").json()
    department = next(d["name"] for d in settings["departments"] if d["id"] == department_id)
    chat_frame = open_widget(page, host_site.page("/", live_server, widget["id"]))
    chat_frame.get_by_label("Name").fill("Late Visitor")
    chat_frame.get_by_label("Email").fill("late@example.com")
    chat_frame.get_by_label("Department").select_option(department)
    chat_frame.get_by_label("How can we help?").fill("Do you ship to Iceland?")
    night_owl.run(night_owl.client.set_status("away"))
    chat_frame.get_by_role("button", name="Start chat").click()

    expect(chat_frame.get_by_text("We're away right now. Leave a message")).to_be_visible()
    expect(chat_frame.get_by_role("textbox", name="Message")).to_have_value("Do you ship to Iceland?")
    chat_frame.get_by_role("button", name="Send message").click()
    expect(chat_frame.get_by_role("heading", name="Message sent")).to_be_visible()
    tickets = httpx.get(live_server + "/api/v1/tickets",
                        headers={"Authorization": f"Bearer {admin_token(live_server, admin)}"}).json()["tickets"]
    assert any(t["requester"].get("email") == "late@example.com" and t["source"] == "offline_message" for t in tickets)


def test_queue_position_moves_live(page: Page, live_server, database_url, make_agent, host_site, agents):
    widget = create_widget(live_server, make_agent(role="admin"), [host_site.origin])
    agent = agents(live_server)
    me = agent.run(agent.client.request("GET", "/api/v1/agents/me"))[1]
    department_id = run(department_with(database_url, [me["id"]], mode="broadcast"))
    settings = httpx.get(f"{live_server}/api/v1/widgets/{widget['id']}/settings").json()
    department = next(d["name"] for d in settings["departments"] if d["id"] == department_id)

    async def earlier_visitor() -> str:  # someone already waits in that department
        async with Client(live_server) as visitor:
            await visitor.register_visitor(widget["id"], name="Earlier Visitor")
            return (await visitor.start_chat(department_id, "First in line"))["id"]

    earlier = agent.run(earlier_visitor())
    chat_frame = open_widget(page, host_site.page("/", live_server, widget["id"]))
    chat_frame.get_by_label("Name").fill("Later Visitor")
    chat_frame.get_by_label("Email").fill("later@example.com")
    offered = [d["name"] for d in settings["departments"] if d["available"]]
    if len(offered) > 1:  # the widget asks only when more than one department takes chats now
        chat_frame.get_by_label("Department").select_option(department)
    else:
        assert offered == [department]
    chat_frame.get_by_label("How can we help?").fill("Second in line")
    chat_frame.get_by_role("button", name="Start chat").click()
    expect(chat_frame.get_by_text("You're #2 in line")).to_be_visible()
    agent.run(agent.client.accept(earlier))
    expect(chat_frame.get_by_text("You're #1 in line")).to_be_visible()  # pushed by chat.queued, no reload


def test_server_restart_heals(page: Page, serve, make_agent, host_site, agents):
    """The stream drops with the server; the widget says so, reconnects by itself and misses nothing."""
    server = serve()
    agent = agents(server.base_url)
    admin = make_agent(role="admin")
    chat_frame, chat = accepted_chat(page, server.base_url, admin, host_site, agent, "Restart Visitor")

    server.kill()
    expect(chat_frame.get_by_text("Reconnecting\u2026")).to_be_visible()
    server.start()
    agent.run(agent.client.send(chat["id"], "Sorry, we were away for a second"))
    expect(conversation(chat_frame).get_by_text("Sorry, we were away for a second")).to_be_visible(timeout=30000)
    expect(chat_frame.get_by_text("Reconnecting\u2026")).to_be_hidden()
