"""What the webhook tests share: a real HTTP receiver on loopback (aiohttp, in a thread of its
own) that checks each request's signature with the README's Python example and fails on purpose
(503) while told to; the README's examples; and a flow through the API that causes every event."""

from __future__ import annotations

import asyncio
import re
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import orjson
from aiohttp import web

from chatdesk.bench.server import free_port

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_example(language: str) -> str:
    """The code block of `language` in the README's Webhooks section."""
    section = README.read_text().split("## Webhooks\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(rf"```{language}\n(.*?)```", section, re.DOTALL)
    assert match, f"no {language} example in the README's Webhooks section"
    return match.group(1)


def readme_verifier():
    """`verify_chatdesk_webhook` as the README gives it."""
    namespace: dict = {}
    exec(compile(readme_example("python"), "README.md", "exec"), namespace)
    return namespace["verify_chatdesk_webhook"]


@dataclass(frozen=True)
class Received:
    id: str
    type: str
    data: dict
    verified: bool
    answered: int


class Receiver:
    """An endpoint on loopback keeping every request it got; answers 503 while `failing`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.secret = ""
        self.failing = False
        self.requests: list[Received] = []
        self._verify = readme_verifier()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        event = orjson.loads(body)
        verified = self._verify(self.secret, request.headers, body)
        answered = 503 if self.failing else 204 if verified else 401
        with self._lock:
            self.requests.append(Received(request.headers["X-Chatdesk-Delivery"], event["type"], event["data"],
                                          verified, answered))
        if answered == 503:
            return web.Response(status=503, text="down for maintenance")
        return web.Response(status=answered)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    def start(self) -> Receiver:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def acknowledged(self) -> list[Received]:
        """The requests answered 2xx, in the order they came."""
        with self._lock:
            return [r for r in self.requests if r.answered < 300]

    def ack_counts(self) -> Counter:
        return Counter(r.id for r in self.acknowledged())


def chat_key(received: Received) -> str | None:
    """The chat an event is about (None: not a chat's)."""
    data = received.data
    if received.type == "message.created":
        return data["message"]["chat_id"]
    if received.type == "chat.rated":
        return data["chat_id"]
    if received.type.startswith("chat."):
        return data["chat"]["id"]
    return None


def every_event(http, admin: dict, agent: dict, other_agent: dict, widget_id: str, department_id: str) -> str:
    """Cause each event type once or more through the API; returns the chat's id. `agent` and
    `other_agent` are online; `http` is an httpx client of the server."""
    visitor = http.post(f"/api/v1/widgets/{widget_id}/visitors", json={"name": "Ada"}).json()["token"]
    visitor = {"Authorization": f"Bearer {visitor}"}
    chat = http.post("/api/v1/chats", json={"message": {"client_msg_id": "c1", "body": "Hello"}}, headers=visitor)
    assert chat.status_code == 201, chat.text
    chat_id = chat.json()["chat"]["id"]
    steps = [
        ("POST", f"/api/v1/chats/{chat_id}/accept", agent, None),
        ("POST", f"/api/v1/chats/{chat_id}/messages", agent, {"client_msg_id": "a1", "body": "Hi, how can I help?"}),
        ("POST", f"/api/v1/chats/{chat_id}/messages", visitor, {"client_msg_id": "v2", "body": "My order"}),
        ("POST", f"/api/v1/chats/{chat_id}/transfer", agent, {"department_id": department_id}),
        ("POST", f"/api/v1/chats/{chat_id}/accept", other_agent, None),
        ("POST", f"/api/v1/chats/{chat_id}/messages", other_agent, {"client_msg_id": "b1", "body": "On it"}),
        ("POST", f"/api/v1/chats/{chat_id}/end", visitor, None),
        ("POST", f"/api/v1/chats/{chat_id}/rating", visitor, {"score": "good", "comment": "Quick"}),
    ]
    for method, path, headers, body in steps:
        response = http.request(method, path, headers=headers, json=body)
        assert response.status_code < 300, (path, response.text)
    ticket = http.post(f"/api/v1/chats/{chat_id}/ticket", headers=other_agent)
    assert ticket.status_code == 201, ticket.text
    updated = http.patch(f"/api/v1/tickets/{ticket.json()['ticket_id']}", json={"status": "pending"},
                         headers=other_agent)
    assert updated.status_code == 200, updated.text
    offline = http.post(f"/api/v1/widgets/{widget_id}/offline-messages",
                        json={"name": "Grace", "email": "grace@example.com", "body": "Call me back"})
    assert offline.status_code == 201, offline.text
    return chat_id
