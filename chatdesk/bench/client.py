"""A small async client for chatdesk's API (docs/api.md), on aiohttp.

Tests, load tests, benchmarks and the CLI use it; it is also the reference for the browser
code's reconnect rules: resume the event stream with `Last-Event-ID`, keep the last `seq` of each
chat, fill a gap with `GET .../messages?after_seq=`, reload on `resync`, retry a send with the
same `client_msg_id` so it is stored once.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson

# Errors worth retrying: the request may or may not have reached the server.
RETRYABLE = (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, asyncio.TimeoutError)


class ApiError(Exception):
    """A 4xx/5xx answer: status, error code and message from the body."""

    def __init__(self, status: int, body: Any) -> None:
        error = body.get("error", {}) if isinstance(body, dict) else {}
        super().__init__(f"{status} {error.get('code')}: {error.get('message')}")
        self.status = status
        self.code = error.get("code")
        self.body = body


@dataclass(frozen=True)
class ServerEvent:
    """One event from the stream; `id` is None for ephemeral ones."""

    type: str
    data: dict
    id: str | None


class Client:
    """One caller (an agent or a visitor) against one or more chatdesk servers.

    With several base URLs each request goes to one at random and fails over to the others on
    connection errors, as it would behind a load balancer.
    """

    def __init__(self, base_urls: str | list[str], token: str | None = None, *,
                 session: aiohttp.ClientSession | None = None, retry_for_s: float = 30.0) -> None:
        self.base_urls = [base_urls] if isinstance(base_urls, str) else list(base_urls)
        self.token = token
        self.retry_for_s = retry_for_s
        self._session = session
        self._own_session = session is None

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=5),
                connector=aiohttp.TCPConnector(limit=0))
        return self._session

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def request(self, method: str, path: str, *, json: Any = None, params: dict | None = None,
                      retry: bool = True, form: tuple[str, bytes] | None = None) -> tuple[int, Any]:
        """Send a request; retry connection errors, 5xx and 429 until `retry_for_s` passes."""
        deadline = asyncio.get_running_loop().time() + self.retry_for_s
        delay = 0.05
        while True:
            base = random.choice(self.base_urls)
            data = None
            if form is not None:  # a fresh body for every attempt: an aborted one can't be replayed
                data = aiohttp.FormData()
                data.add_field("file", form[1], filename=form[0], content_type="application/octet-stream")
            try:
                async with self.session.request(
                    method, base + path, json=json, params=params, data=data, headers=self._headers(),
                    timeout=aiohttp.ClientTimeout(total=15),
                ) as response:
                    raw = await response.read()
                    # A proxy in front answers a dead upstream with a page of its own (nginx's 502).
                    body = orjson.loads(raw) if raw and response.content_type == "application/json" else None
                    if response.status == 429 and retry:
                        wait = float(response.headers.get("Retry-After", "1"))
                        if asyncio.get_running_loop().time() + wait < deadline:
                            await asyncio.sleep(wait)
                            continue
                    if response.status >= 500 and retry and asyncio.get_running_loop().time() < deadline:
                        raise aiohttp.ClientConnectionError(f"server error {response.status}")
                    if response.status >= 400:
                        raise ApiError(response.status, body)
                    return response.status, body
            except RETRYABLE:
                if not retry or asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 1.0)

    # -- agents and visitors -------------------------------------------------

    async def sign_in(self, email: str, password: str) -> dict:
        _, body = await self.request("POST", "/api/v1/auth/login", json={"email": email, "password": password})
        self.token = body["token"]
        return body["agent"]

    async def set_status(self, status: str) -> dict:
        return (await self.request("PUT", "/api/v1/agents/me/status", json={"status": status}))[1]

    async def register_visitor(self, widget_id: str, **fields: Any) -> str:
        _, body = await self.request("POST", f"/api/v1/widgets/{widget_id}/visitors", json=fields)
        self.token = body["token"]
        return body["visitor_id"]

    # -- chats ----------------------------------------------------------------

    async def start_chat(self, department_id: str | None = None, first_message: str | None = None) -> dict:
        payload: dict[str, Any] = {"department_id": department_id}
        if first_message is not None:
            payload["message"] = {"client_msg_id": str(uuid.uuid4()), "body": first_message}
        return (await self.request("POST", "/api/v1/chats", json=payload))[1]["chat"]

    async def accept(self, chat_id: str) -> dict:
        return (await self.request("POST", f"/api/v1/chats/{chat_id}/accept"))[1]["chat"]

    async def end(self, chat_id: str) -> dict:
        return (await self.request("POST", f"/api/v1/chats/{chat_id}/end"))[1]["chat"]

    async def send(self, chat_id: str, body: str, client_msg_id: str | None = None) -> dict:
        """Send a message; retries reuse one `client_msg_id`, so it is stored exactly once."""
        client_msg_id = client_msg_id or str(uuid.uuid4())
        _, response = await self.request("POST", f"/api/v1/chats/{chat_id}/messages",
                                         json={"client_msg_id": client_msg_id, "body": body})
        return response["message"]

    async def upload(self, chat_id: str, name: str, data: bytes) -> dict:
        """Upload a file to a chat; a cut-off attempt leaves nothing behind and is simply retried."""
        _, body = await self.request("POST", f"/api/v1/chats/{chat_id}/attachments", form=(name, data))
        return body["attachment"]

    async def messages_after(self, chat_id: str, after_seq: int = 0) -> list[dict]:
        """Every message with `seq > after_seq`, all pages."""
        collected: list[dict] = []
        while True:
            _, page = await self.request("GET", f"/api/v1/chats/{chat_id}/messages",
                                         params={"after_seq": after_seq, "limit": 500})
            collected.extend(page["messages"])
            if len(page["messages"]) < 500:
                return collected
            after_seq = page["messages"][-1]["seq"]

    async def typing(self, chat_id: str, typing: bool = True) -> None:
        await self.request("POST", f"/api/v1/chats/{chat_id}/typing", json={"typing": typing})

    async def read(self, chat_id: str, seq: int) -> None:
        await self.request("POST", f"/api/v1/chats/{chat_id}/read", json={"seq": seq})

    # -- events ---------------------------------------------------------------

    async def events(self, last_event_id: str | None = None) -> AsyncIterator[ServerEvent]:
        """Every event for this caller, forever: reconnects with `Last-Event-ID` after any drop."""
        delay = 0.05
        while True:
            base = random.choice(self.base_urls)
            headers = {**self._headers(), "Accept": "text/event-stream"}
            if last_event_id:
                headers["Last-Event-ID"] = last_event_id
            try:
                async with self.session.get(base + "/api/v1/events", headers=headers,
                                            timeout=aiohttp.ClientTimeout(total=None, sock_read=30)) as response:
                    if response.status >= 400:
                        body = orjson.loads(await response.read() or b"{}")
                        if response.status < 500:
                            raise ApiError(response.status, body)
                        raise aiohttp.ClientConnectionError(f"server error {response.status}")
                    delay = 0.05
                    async for event in _parse_sse(response.content):
                        if event.id:
                            last_event_id = event.id
                        yield event
            except RETRYABLE:
                pass
            await asyncio.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 2.0)


class SseParser:
    """The Server-Sent Events framing: lines in, an event out at each blank line that ends one."""

    def __init__(self) -> None:
        self._type = "message"
        self._data: list[str] = []
        self._id: str | None = None

    def feed(self, line: str) -> ServerEvent | None:
        if not line:
            event = ServerEvent(self._type, orjson.loads("\n".join(self._data)), self._id) if self._data else None
            self._type, self._data, self._id = "message", [], None
            return event
        if not line.startswith(":"):
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "event":
                self._type = value
            elif name == "data":
                self._data.append(value)
            elif name == "id":
                self._id = value
        return None


async def _parse_sse(content: aiohttp.StreamReader) -> AsyncIterator[ServerEvent]:
    parser = SseParser()
    async for raw in content:
        event = parser.feed(raw.decode().rstrip("\r\n"))
        if event is not None:
            yield event
