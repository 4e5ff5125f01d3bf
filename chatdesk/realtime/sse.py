"""Server-Sent Events: the byte encoding, the event stream of one client, and its response.

Order of work for one connection (Zulip's rule): subscribe to live notifications first, then
replay from the client's cursor, then pass live events on, dropping any id already sent.

Why a lean response: sse-starlette's `EventSourceResponse` runs a task group of four tasks per
stream (stream, heartbeat, exit-signal listener, disconnect listener) with a lock and cancel
scopes; at 10,000 idle streams that alone was some 20 KB of the 53 KB each stream cost. Here
the stream sends its own heartbeats when its queue stays empty for an interval, one small task
waits for the client's disconnect and wakes the stream through its queue, and the hub ends
every stream when the server starts to stop (`Hub.close_streams`, called from
`web/http_protocol.py`). The response is a plain Starlette one that answers HEAD with headers
alone; sse-starlette encodes the heartbeat comment and names the send timeout's error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable

from sse_starlette import ServerSentEvent
from sse_starlette.sse import SendTimeoutError
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from chatdesk.realtime.hub import CATCH_UP, CLOSED, OVERFLOW, Hub, Subscription
from chatdesk.realtime.streams import ZERO_ID, Cursor, Event, Streams, id_tuple

log = logging.getLogger(__name__)

# Tells EventSource to reconnect after one second instead of its default three.
RETRY_MS = 1000
# Stored events are replayed in pages of this many, so a long absence never loads all at once.
REPLAY_PAGE = 500
# A comment line: EventSource ignores it, proxies see bytes flowing.
HEARTBEAT = ServerSentEvent(comment="ping", sep="\n").encode()
# Caches must not keep the stream; nginx must not buffer it.
HEADERS = {"Cache-Control": "no-store", "Connection": "keep-alive", "X-Accel-Buffering": "no"}
_END = {"type": "http.response.body", "body": b"", "more_body": False}


def encode(event_type: str, data: bytes, event_id: str | None = None) -> bytes:
    """One SSE frame: optional `id:`, `event:`, one `data:` line per line of data, blank line."""
    lines = [b"id: " + event_id.encode()] if event_id else []
    lines.append(b"event: " + event_type.encode())
    lines.extend(b"data: " + line for line in data.split(b"\n"))
    return b"\n".join(lines) + b"\n\n"


class StreamDropped(Exception):
    """The client fell too far behind; it reconnects and replays from its cursor."""


class EventStream:
    """Every durable event after the cursor, then live ones, as SSE bytes, with a heartbeat
    after each `heartbeat_s` without an event. Iterate it; it ends only when `close()` is called
    (or the hub closes every stream). `session` tells one agent session's streams from another's."""

    __slots__ = ("_closed", "_sub", "cursor_text", "heartbeat_s", "hub", "session", "stream", "streams")

    def __init__(self, hub: Hub, streams: Streams, stream: str, cursor_text: str | None, heartbeat_s: float,
                 session: str | None = None) -> None:
        self.hub, self.streams, self.stream = hub, streams, stream
        self.cursor_text, self.heartbeat_s, self.session = cursor_text, heartbeat_s, session
        self._sub: Subscription | None = None
        self._closed = False

    def close(self) -> None:
        """End the stream (its client left); wakes it if it is waiting for an event."""
        self._closed = True
        if self._sub is not None:
            self._sub.put(CLOSED)

    def __aiter__(self) -> AsyncGenerator[bytes, None]:
        return self._frames()

    async def _frames(self) -> AsyncGenerator[bytes, None]:
        hub, streams, stream = self.hub, self.streams, self.stream
        sub = self._sub = await hub.subscribe(stream)
        try:
            if self._closed:
                return
            yield f"retry: {RETRY_MS}\n\n".encode()
            epoch = await streams.epoch()
            cursor = Cursor.parse(self.cursor_text)
            last_id: str
            if (cursor is not None and cursor.epoch == epoch
                    and not await streams.history_lost(stream, cursor.stream_id)):
                last_id = cursor.stream_id
                # `_replay` moves `last_id` on: the live part continues from the last event replayed.
                async for frame, last_id in _replay(streams, stream, last_id, epoch):  # noqa: B007, B020
                    yield frame
            else:
                # A fresh client gets `ready` with a cursor to come back with; one whose history is
                # gone gets `resync` and reloads its state over REST from here on.
                last_id = await streams.tail(stream)
                yield encode("ready" if self.cursor_text is None else "resync", b"{}", f"{epoch}:{last_id}")
            while True:
                try:
                    async with asyncio.timeout(self.heartbeat_s):
                        item = await sub.queue.get()
                except TimeoutError:
                    yield HEARTBEAT
                    continue
                if item is CLOSED:
                    return
                if item is OVERFLOW:
                    raise StreamDropped(stream)
                if item is CATCH_UP:
                    if hub.epoch != epoch:  # Redis lost its data: everything from the new epoch on is live
                        epoch, last_id = hub.epoch, ZERO_ID  # type: ignore[assignment]  # known after CATCH_UP
                        yield encode("resync", b"{}", f"{epoch}:{last_id}")
                    elif await streams.history_lost(stream, last_id):
                        last_id = await streams.tail(stream)
                        yield encode("resync", b"{}", f"{epoch}:{last_id}")
                    else:
                        async for frame, last_id in _replay(streams, stream, last_id, epoch):  # noqa: B007, B020
                            yield frame
                elif item.stream_id is None:
                    yield encode(item.type, item.data)
                elif item.epoch == epoch and id_tuple(item.stream_id) > id_tuple(last_id):
                    last_id = item.stream_id
                    yield encode(item.type, item.data, item.cursor())
        finally:
            await hub.unsubscribe(sub)


class LeanEventSourceResponse(Response):
    """An SSE response that streams from the request's own task (see the module docstring).

    `on_disconnect` must make `content` end; each send must finish within `send_timeout`
    seconds, or the client is stuck and the response fails with `SendTimeoutError`.
    HEAD gets the headers and an empty body: the stream never starts."""

    media_type = "text/event-stream"

    def __init__(self, content: AsyncGenerator[bytes, None], *, on_disconnect: Callable[[], None],
                 send_timeout: float) -> None:
        self.status_code = 200
        self.background = None
        self.init_headers(HEADERS)
        self.body_iterator = content
        self.on_disconnect = on_disconnect
        self.send_timeout = send_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] == "HEAD":
            await self._send(send, self._start())
            return await self._send(send, _END)
        watcher = asyncio.create_task(self._wait_for_disconnect(receive))
        try:
            await self._send(send, self._start())
            async for chunk in self.body_iterator:
                await self._send(send, {"type": "http.response.body", "body": chunk, "more_body": True})
            await self._send(send, _END)
        except (StreamDropped, SendTimeoutError) as dropped:
            # Part of the design, not an error: returning unfinished makes the server close the
            # connection, and the client reconnects and replays from its cursor.
            log.warning("dropped the event stream of %s: %s", scope["path"], _why_dropped(dropped, self.send_timeout))
        finally:
            watcher.cancel()
            await self.body_iterator.aclose()  # after a failed send too: unsubscribes, counts the stream closed

    def _start(self) -> Message:
        # Built when sent, not held in a local for the stream's whole life.
        return {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}

    async def _send(self, send: Send, message: Message) -> None:
        try:
            async with asyncio.timeout(self.send_timeout):
                await send(message)
        except TimeoutError:
            raise SendTimeoutError() from None

    async def _wait_for_disconnect(self, receive: Receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        self.on_disconnect()


def _why_dropped(error: Exception, send_timeout: float) -> str:
    if isinstance(error, StreamDropped):
        return "the client fell too far behind; it reconnects and replays"
    return f"the client took no bytes for {send_timeout:g} s; it is stuck or gone"


async def _replay(streams: Streams, stream: str, after_id: str, epoch: str) -> AsyncIterator[tuple[bytes, str]]:
    """Stored events after `after_id`, page by page: (frame, its id)."""
    while True:
        page: list[Event] = await streams.read_after(stream, after_id, epoch, REPLAY_PAGE)
        for event in page:
            after_id = event.stream_id  # type: ignore[assignment]  # stored events have their id
            yield encode(event.type, event.data, event.cursor()), after_id
        if len(page) < REPLAY_PAGE:
            return
