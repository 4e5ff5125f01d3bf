"""Helpers for the widget's browser tests: a host site on another origin, widgets, an agent on the API."""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
from playwright.sync_api import FrameLocator, Page, expect

from tests.conftest import PASSWORD
from tests.realtime_helpers import ThreadedLog, connected_agent


class HostSite:
    """A customer's website: a stdlib HTTP server whose origin (http://localhost:PORT) is not chatdesk's."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # http.server's naming
                body = pages.get(self.path.split("?")[0])
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write((body or "not found").encode())

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://localhost:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def page(self, path: str, chatdesk_url: str, widget_id: str, head: str = "", body: str = "") -> str:
        """A shop page embedding the widget with the real snippet; returns its URL."""
        self.pages[path] = (
            f"<!doctype html><html><head><meta name=viewport content='width=device-width'><title>Shop</title>"
            f"<link rel=icon href='data:,'>{head}"
            f"</head><body><h1>A shop</h1><p>Products.</p>{body}"
            f'<script src="{chatdesk_url}/widget.js" data-widget-id="{widget_id}" async></script></body></html>'
        )
        return self.origin + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def host_site_fixture():
    """Fixture (tests bind it with `pytest.fixture(..., name="host_site")`): a host site for one test."""
    site = HostSite()
    yield site
    site.close()


def agents_fixture(make_agent):
    """Fixture `agents`: a factory of online agents with an open event stream on a server, driven through the
    API client."""
    started: list[Agent] = []

    def start(base_url: str, name: str = "Grace Hopper") -> Agent:
        agent = Agent(base_url, make_agent(name=name))
        started.append(agent)
        return agent

    yield start
    for agent in started:
        agent.close()


def open_widget(page: Page, url: str, title: str = "Chat with us") -> FrameLocator:
    """Load a host page, click the launcher; the widget's frame."""
    page.goto(url)
    page.get_by_role("button", name=f"Open {title}").click()
    return page.frame_locator("chatdesk-widget iframe")


def start_chat(chat_frame: FrameLocator, name: str, first_message: str = "Hello") -> None:
    """Fill the pre-chat form and start; returns once the chat shows."""
    chat_frame.get_by_label("Name").fill(name)
    chat_frame.get_by_label("Email").fill("visitor@example.com")
    chat_frame.get_by_label("How can we help?").fill(first_message)
    chat_frame.get_by_role("button", name="Start chat").click()
    expect(conversation(chat_frame).get_by_text(first_message)).to_be_visible()


def accepted_chat(page: Page, base_url: str, admin: dict, host_site: HostSite, agent: Agent,
                  visitor_name: str) -> tuple[FrameLocator, dict]:
    """A visitor on a host page starts a chat that `agent` accepts: the widget's frame and the chat."""
    widget = create_widget(base_url, admin, [host_site.origin])
    chat_frame = open_widget(page, host_site.page("/", base_url, widget["id"]))
    start_chat(chat_frame, visitor_name)
    chat = agent.run(agent.client.accept(agent.queued_chat(visitor_name)["id"]))
    expect(chat_frame.get_by_role("heading", name=agent.name)).to_be_visible()
    return chat_frame, chat


def conversation(chat_frame: FrameLocator):
    return chat_frame.get_by_role("list", name="Conversation")


def admin_token(base_url: str, admin: dict) -> str:
    response = httpx.post(base_url + "/api/v1/auth/login", json={"email": admin["email"], "password": PASSWORD})
    response.raise_for_status()
    return response.json()["token"]


def create_widget(base_url: str, admin: dict, origins: list[str], **settings) -> dict:
    """A widget made the way an admin makes one: through the API, with its allowed origins."""
    response = httpx.post(base_url + "/api/v1/widgets",
                          headers={"Authorization": f"Bearer {admin_token(base_url, admin)}"},
                          json={"name": "Shop", "allowed_origins": origins, "settings": settings})
    assert response.status_code == 201, response.text
    return response.json()


class Agent(ThreadedLog):
    """An agent on chatdesk's API client, running on an event loop of its own beside the sync browser test."""

    def __init__(self, base_url: str, agent: dict) -> None:
        self.name = agent["name"]
        super().__init__(lambda: connected_agent(base_url, agent))

    def queued_chat(self, visitor_name: str, timeout: float = 20) -> dict:
        """The queued chat of this visitor, once it is there."""
        async def find() -> dict:
            while True:
                _, body = await self.client.request("GET", "/api/v1/chats", params={"status": "queued"})
                for chat in body["chats"]:
                    if chat["visitor"]["name"] == visitor_name:
                        return chat
                await asyncio.sleep(0.2)  # polling interval while the browser submits the form

        return self.run(asyncio.wait_for(find(), timeout), timeout + 5)

    def messages(self, chat_id: str) -> list[dict]:
        return self.run(self.client.messages_after(chat_id))
