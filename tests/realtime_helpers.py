"""Helpers for tests that drive real servers through `chatdesk.client`."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable

from chatdesk.client import Client, ServerEvent
from chatdesk.widgets import create_widget
from chatdesk.db.engine import create_engine
from tests.conftest import PASSWORD


async def new_widget(database_url: str) -> str:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            return str((await create_widget(conn, f"w-{secrets.token_hex(3)}"))["id"])
    finally:
        await engine.dispose()


async def online_agent(base_urls, agent: dict) -> Client:
    client = Client(base_urls)
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
