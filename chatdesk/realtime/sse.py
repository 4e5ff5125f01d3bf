"""Server-Sent Events: the byte encoding, and the event stream of one client.

Order of work for one connection (Zulip's rule): subscribe to live notifications first, then
replay from the client's cursor, then pass live events on, dropping any id already sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from chatdesk.realtime.hub import CATCH_UP, EPOCH_CHANGED, OVERFLOW, Hub
from chatdesk.realtime.streams import ZERO_ID, Cursor, Event, Streams, id_tuple

# Tells EventSource to reconnect after one second instead of its default three.
RETRY_MS = 1000
# Stored events are replayed in pages of this many, so a long absence never loads all at once.
REPLAY_PAGE = 500


def encode(event_type: str, data: bytes, event_id: str | None = None) -> bytes:
    """One SSE frame: optional `id:`, `event:`, one `data:` line per line of data, blank line."""
    lines = [b"id: " + event_id.encode()] if event_id else []
    lines.append(b"event: " + event_type.encode())
    lines.extend(b"data: " + line for line in data.split(b"\n"))
    return b"\n".join(lines) + b"\n\n"


class StreamDropped(Exception):
    """The client fell too far behind; it reconnects and replays from its cursor."""


async def event_stream(hub: Hub, streams: Streams, stream: str, cursor_text: str | None) -> AsyncIterator[bytes]:
    """Every durable event after the cursor, then live ones, as SSE bytes. Never ends by itself."""
    sub = await hub.subscribe(stream)
    try:
        yield f"retry: {RETRY_MS}\n\n".encode()
        epoch = await streams.epoch()
        cursor = Cursor.parse(cursor_text)
        last_id: str
        if cursor is not None and cursor.epoch == epoch and not await streams.history_lost(stream, cursor.stream_id):
            last_id = cursor.stream_id
            async for frame, last_id in _replay(streams, stream, last_id, epoch):
                yield frame
        else:
            # A fresh client gets `ready` with a cursor to come back with; one whose history is
            # gone gets `resync` and reloads its state over REST from here on.
            last_id = await streams.tail(stream)
            yield encode("ready" if cursor_text is None else "resync", b"{}", f"{epoch}:{last_id}")
        while True:
            item = await sub.queue.get()
            if item is OVERFLOW:
                raise StreamDropped(stream)
            if item is EPOCH_CHANGED:
                epoch, last_id = hub.epoch, ZERO_ID
                yield encode("resync", b"{}", f"{epoch}:{last_id}")
            elif item is CATCH_UP:
                if await streams.history_lost(stream, last_id):
                    last_id = await streams.tail(stream)
                    yield encode("resync", b"{}", f"{epoch}:{last_id}")
                else:
                    async for frame, last_id in _replay(streams, stream, last_id, epoch):
                        yield frame
            elif item.stream_id is None:
                yield encode(item.type, item.data)
            elif item.epoch == epoch and id_tuple(item.stream_id) > id_tuple(last_id):
                last_id = item.stream_id
                yield encode(item.type, item.data, item.cursor())
    finally:
        await hub.unsubscribe(sub)


async def _replay(streams: Streams, stream: str, after_id: str, epoch: str) -> AsyncIterator[tuple[bytes, str]]:
    """Stored events after `after_id`, page by page: (frame, its id)."""
    while True:
        page: list[Event] = await streams.read_after(stream, after_id, epoch, REPLAY_PAGE)
        for event in page:
            after_id = event.stream_id
            yield encode(event.type, event.data, event.cursor()), after_id
        if len(page) < REPLAY_PAGE:
            return
