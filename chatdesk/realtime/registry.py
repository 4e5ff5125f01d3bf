"""The event streams open in this process, by recipient: capped, and ended on notice from any process.

A recipient (a visitor, an agent) holds at most `cap` streams in one process; opening one more
ends their oldest, so one token cannot hold thousands. `end()` asks every process, over the hub's
Redis pub/sub, to end a recipient's streams (all of them, or those of one session): a signed-out
or deactivated agent stops hearing customers at once, wherever their streams are.
"""

from __future__ import annotations

import asyncio

import orjson

from chatdesk.periodic import stop_tasks
from chatdesk.realtime.hub import CLOSED, Hub
from chatdesk.realtime.sse import EventStream
from chatdesk.realtime.streams import Event, Streams, encode_data

# The hub stream the end notices travel on (recipient streams are `v:...` and `a:...`).
NOTICE_STREAM = "streams"


class StreamRegistry:
    """Counts this process's open event streams per recipient and ends them when told to."""

    def __init__(self, hub: Hub, streams: Streams, cap: int) -> None:
        self.hub, self.streams, self.cap = hub, streams, cap
        self._open: dict[str, list[EventStream]] = {}  # oldest first
        self._tasks: list[asyncio.Task] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._listen())]

    async def stop(self) -> None:
        await stop_tasks(self._tasks)

    def opened(self, source: EventStream) -> None:
        """Count a stream in; past the cap, the recipient's oldest stream ends."""
        held = self._open.setdefault(source.stream, [])
        held.append(source)
        while len(held) > self.cap:
            held.pop(0).close()

    def closed(self, source: EventStream) -> None:
        held = self._open.get(source.stream, [])
        if source in held:
            held.remove(source)
        if not held:
            self._open.pop(source.stream, None)

    async def end(self, stream: str, session: object = None) -> None:
        """End the open event streams of `stream` in every process: all, or only `session`'s."""
        notice = encode_data({"stream": stream, "session": None if session is None else str(session)})
        await self.streams.publish_ephemeral([NOTICE_STREAM], "end", notice)

    def _end_here(self, stream: str, session: str | None) -> None:
        for source in list(self._open.get(stream, ())):
            if session is None or source.session == session:
                source.close()

    async def _listen(self) -> None:
        sub = await self.hub.subscribe(NOTICE_STREAM)
        try:
            while (item := await sub.queue.get()) is not CLOSED:
                if isinstance(item, Event):  # not a catch-up signal: notices are never replayed
                    notice = orjson.loads(item.data)
                    self._end_here(notice["stream"], notice["session"])
        finally:
            await self.hub.unsubscribe(sub)
