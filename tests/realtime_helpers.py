"""Helpers for tests that drive real servers through `chatdesk.bench.client`."""

from __future__ import annotations

import asyncio
import inspect
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp

from chatdesk.bench.client import Client, ServerEvent
from chatdesk.db.engine import create_engine
from chatdesk.desk.departments import add_member, create_department
from chatdesk.desk.widgets import create_widget
from tests.conftest import PASSWORD


async def wait_until(read, holds, timeout_s: float = 10):
    """Read a value (over the network, or state another task changes: no event to await) until
    `holds(value)`; returns it. `read` may be a coroutine function or a plain one."""
    deadline = time.monotonic() + timeout_s
    while not holds(value := await _value(read())):
        assert time.monotonic() < deadline, f"condition not met in time (last read {value!r})"
        await asyncio.sleep(0.05)
    return value


async def _value(read: object) -> object:
    return await read if inspect.isawaitable(read) else read


async def open_stream_count(base_url: str) -> float:
    """The server's count of open event streams, from /metrics."""
    async with aiohttp.ClientSession() as session, session.get(base_url + "/metrics") as response:
        text = await response.text()
    return float(next(line.split()[1] for line in text.splitlines() if line.startswith("chatdesk_sse_open_streams ")))


async def new_widget(database_url: str) -> str:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            return str((await create_widget(conn, f"w-{secrets.token_hex(3)}"))["id"])
    finally:
        await engine.dispose()


async def online_agent(base_urls, agent: dict, session: aiohttp.ClientSession | None = None) -> Client:
    client = Client(base_urls, session=session)
    await client.sign_in(agent["email"], PASSWORD)
    await client.set_status("online")
    return client


class EventLog:
    """Collects a client's events in the background; `wait_for` awaits one that matches."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.events: list[ServerEvent] = []
        self._changed = asyncio.Condition()
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for event in self.client.events():
            async with self._changed:
                self.events.append(event)
                self._changed.notify_all()

    async def wait_for(self, match: Callable[[ServerEvent], bool], timeout: float = 10) -> ServerEvent:
        async def find() -> ServerEvent:
            async with self._changed:
                while True:
                    for event in self.events:
                        if match(event):
                            return event
                    await self._changed.wait()

        return await asyncio.wait_for(find(), timeout)

    async def close(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


async def department_with(database_url: str, agent_ids: list[str], *, mode: str = "auto",
                          accept_timeout_s: int = 5) -> str:
    """A department of its own for a routing test, with these agents as its only members."""
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            department = await create_department(conn, name=f"dept-{secrets.token_hex(4)}", routing_mode=mode,
                                                 accept_timeout_s=accept_timeout_s)
            for agent_id in agent_ids:
                await add_member(conn, department["id"], agent_id)
        return str(department["id"])
    finally:
        await engine.dispose()


async def connected_agent(base_urls, agent: dict) -> tuple[Client, EventLog]:
    """An agent signed in, online, with its event stream open (so routing counts it present)."""
    client = await online_agent(base_urls, agent)
    log = EventLog(client)
    await log.wait_for(lambda e: e.type == "ready")
    return client, log


class ThreadedLog:
    """A client with its EventLog on an event loop of its own, for sync (browser) tests beside it."""

    def __init__(self, connect: Callable[[], Awaitable[tuple[Client, EventLog]]]) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.client: Client
        self.log: EventLog
        self.client, self.log = self.run(connect())

    def run(self, coro, timeout: float = 30):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def wait_for(self, match: Callable[[ServerEvent], bool], timeout: float = 20) -> ServerEvent:
        return self.run(self.log.wait_for(match, timeout), timeout + 5)

    def close(self) -> None:
        self.run(self.log.close())
        self.run(self.client.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


async def connected_visitor(base_url: str, token: str) -> tuple[Client, EventLog]:
    """A visitor's client with its event stream open."""
    client = Client(base_url, token)
    log = EventLog(client)
    await log.wait_for(lambda e: e.type == "ready")
    return client, log


class StreamCutter:
    """One aiohttp session for many `Client`s, whose open event streams a test cuts as a flaky
    network would; `Client.events()` reconnects with its cursor. Close it after the clients."""

    def __init__(self) -> None:
        self._streams: dict[str, aiohttp.ClientResponse] = {}  # Authorization header -> open stream
        trace = aiohttp.TraceConfig()
        trace.on_request_end.append(self._track)
        # No cookie jar: one client's cookies must not ride along with another's requests.
        self.session = aiohttp.ClientSession(trace_configs=[trace], cookie_jar=aiohttp.DummyCookieJar(),
                                             timeout=aiohttp.ClientTimeout(total=None, sock_connect=5),
                                             connector=aiohttp.TCPConnector(limit=0))

    async def _track(self, session, context, params: aiohttp.TraceRequestEndParams) -> None:
        if params.url.path == "/api/v1/events":
            self._streams[params.headers["Authorization"]] = params.response

    def cut(self, client: Client) -> bool:
        """Cut `client`'s open event stream; False if it had none open."""
        response = self._streams.pop(f"Bearer {client.token}", None)
        if response is None or response.closed:
            return False
        response.close()
        return True

    async def close(self) -> None:
        await self.session.close()


@dataclass
class ChatMirror:
    """What one client has seen of its chats, healed from REST whenever events leave a gap."""

    client: Client
    messages: dict[str, dict[int, dict]] = field(default_factory=dict)
    duplicates_dropped: int = 0
    gaps_filled: int = 0
    resyncs: int = 0

    def last_seq(self, chat_id: str) -> int:
        chat = self.messages.get(chat_id)
        return max(chat) if chat else 0

    def _add(self, message: dict) -> None:
        chat = self.messages.setdefault(message["chat_id"], {})
        if message["seq"] in chat:
            self.duplicates_dropped += 1
        else:
            chat[message["seq"]] = message

    async def fill(self, chat_id: str) -> None:
        """Fetch everything after the last `seq` held."""
        for message in await self.client.messages_after(chat_id, self.last_seq(chat_id)):
            self._add(message)

    async def apply(self, event: ServerEvent) -> None:
        """Apply one event: drop repeats, fill gaps, reload on `resync`."""
        if event.type == "message.created":
            message = event.data["message"]
            chat_id = message["chat_id"]
            if message["seq"] > self.last_seq(chat_id) + 1:
                self.gaps_filled += 1
                await self.fill(chat_id)
            self._add(message)
        elif event.type == "resync":
            self.resyncs += 1
            for chat_id in list(self.messages):
                await self.fill(chat_id)
