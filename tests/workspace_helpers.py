"""Helpers for the workspace's browser tests: sign an agent in, drive a visitor over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from playwright.sync_api import Page, expect

from chatdesk.db.engine import connect
from tests.conftest import PASSWORD, run
from tests.realtime_helpers import department_with, new_widget


def sign_in(page: Page, base_url: str, agent: dict, *, online: bool = False) -> None:
    page.goto(base_url + "/workspace/")
    page.get_by_label("Email").fill(agent["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#agent-name")).to_have_text(agent["name"])
    if online:
        page.get_by_label("Presence").select_option("online")
        expect(page.locator("#presence-dot")).to_have_attribute("data-status", "online")


def department(database_url: str, agents: list[dict], *, mode: str = "auto", accept_timeout_s: int = 30) -> str:
    return run(department_with(database_url, [a["id"] for a in agents], mode=mode, accept_timeout_s=accept_timeout_s))


class Visitor:
    """A website visitor driven over the API, as the widget would."""

    def __init__(self, base_url: str, database_url: str, name: str, *, user_agent: str | None = None, **fields) -> None:
        headers = {"User-Agent": user_agent} if user_agent else None
        self.http = httpx.Client(base_url=base_url, timeout=10, headers=headers)
        widget_id = run(new_widget(database_url))
        body = self.http.post(f"/api/v1/widgets/{widget_id}/visitors", json={"name": name, **fields}).json()
        self.token = body["token"]
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        self.chat_id: str | None = None

    def start(self, department_id: str, message: str | None = None) -> dict:
        payload: dict = {"department_id": department_id}
        if message:
            payload["message"] = {"client_msg_id": str(uuid.uuid4()), "body": message}
        response = self.http.post("/api/v1/chats", json=payload)
        assert response.status_code == 201, response.text
        self.chat_id = response.json()["chat"]["id"]
        return response.json()["chat"]

    def say(self, body: str) -> dict:
        response = self.http.post(f"/api/v1/chats/{self.chat_id}/messages",
                                  json={"client_msg_id": str(uuid.uuid4()), "body": body})
        assert response.status_code == 201, response.text
        return response.json()["message"]

    def typing(self) -> None:
        assert self.http.post(f"/api/v1/chats/{self.chat_id}/typing", json={"typing": True}).status_code == 204

    def read(self, seq: int) -> None:
        assert self.http.post(f"/api/v1/chats/{self.chat_id}/read", json={"seq": seq}).status_code == 204

    def messages(self) -> list[dict]:
        return self.http.get(f"/api/v1/chats/{self.chat_id}/messages").json()["messages"]

    def end(self) -> None:
        assert self.http.post(f"/api/v1/chats/{self.chat_id}/end").status_code == 200


@contextmanager
def agent_api(base_url: str, agent: dict, *, online: bool = True) -> Iterator[httpx.Client]:
    """An agent signed in over HTTP (bearer token), online unless told otherwise."""
    with httpx.Client(base_url=base_url, timeout=10) as http:
        token = http.post("/api/v1/auth/login", json={"email": agent["email"], "password": PASSWORD}).json()["token"]
        http.headers["Authorization"] = f"Bearer {token}"
        if online:
            assert http.put("/api/v1/agents/me/status", json={"status": "online"}).status_code == 200
        yield http


def sql(database_url: str, statement: str, *args):
    """Run one statement on the test database (seeding what the API cannot: fixed times); returns its rows."""
    async def execute():
        conn = await connect(database_url)
        try:
            return await conn.fetch(statement, *args)
        finally:
            await conn.close()

    return run(execute())
