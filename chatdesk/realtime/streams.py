"""Redis Streams of durable events, one per recipient, and the cursors that point into them.

A cursor is `<epoch>:<stream id>`. The epoch is a random id kept in Redis; when Redis loses its
data (flush, restart without persistence, failover) the epoch is created anew, so an old cursor
no longer matches and the client is told to `resync` instead of silently missing events.
"""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass

import orjson
import redis.asyncio as aioredis

EPOCH_KEY = "chatdesk:epoch"

# How long durable events stay replayable. A client away longer than this gets `resync`.
RETENTION_S = 24 * 3600

# Appends events to their streams, trimmed by age, and publishes each on its stream's live
# channel in the same atomic step, so a live notification always carries its entry's real id.
# KEYS: the epoch key, then one stream key per event. ARGV: min id, ttl, a candidate epoch, then
# (channel, type, data) per event. One call for a whole batch: one round trip, and none spent
# on SCRIPT EXISTS, which redis-py sends before every pipeline that runs a script.
_PUSH = """
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  epoch = ARGV[3]
  redis.call('SET', KEYS[1], epoch)
end
for i = 2, #KEYS do
  local at = 3 * (i - 1)
  local id = redis.call('XADD', KEYS[i], 'MINID', '~', ARGV[1], '*', 't', ARGV[at + 2], 'd', ARGV[at + 3])
  redis.call('EXPIRE', KEYS[i], ARGV[2])
  redis.call('PUBLISH', ARGV[at + 1], epoch .. ' ' .. id .. ' ' .. ARGV[at + 2] .. ' ' .. ARGV[at + 3])
end
return epoch
"""
# Events per script call: a big batch (a queue refresh) is split so Redis never runs long.
PUSH_BATCH = 200

ZERO_ID = "0-0"


def visitor_stream(visitor_id: uuid.UUID | str) -> str:
    return f"v:{visitor_id}"


def agent_stream(agent_id: uuid.UUID | str) -> str:
    return f"a:{agent_id}"


def stream_key(stream: str) -> str:
    return f"chatdesk:stream:{stream}"


def live_channel(stream: str) -> str:
    return f"chatdesk:live:{stream}"


def stream_of_channel(channel: str) -> str:
    return channel.removeprefix("chatdesk:live:")


def id_tuple(stream_id: str) -> tuple[int, int]:
    """Stream ids compare as (milliseconds, sequence)."""
    ms, _, seq = stream_id.partition("-")
    return int(ms), int(seq or 0)


@dataclass(frozen=True)
class Cursor:
    epoch: str
    stream_id: str

    def __str__(self) -> str:
        return f"{self.epoch}:{self.stream_id}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        """A cursor from `Last-Event-ID`, or None when absent or malformed."""
        if not text or ":" not in text:
            return None
        epoch, _, stream_id = text.partition(":")
        try:
            id_tuple(stream_id)
        except ValueError:
            return None
        return cls(epoch, stream_id)


@dataclass(frozen=True)
class Event:
    """One event for a stream; `stream_id` is None for ephemeral ones (typing, presence)."""

    type: str
    data: bytes  # JSON
    stream_id: str | None = None
    epoch: str | None = None

    def cursor(self) -> str | None:
        return f"{self.epoch}:{self.stream_id}" if self.stream_id else None


def encode_data(data: object) -> bytes:
    return orjson.dumps(data, default=str, option=orjson.OPT_UTC_Z)


class Streams:
    """Append, publish and read the per-recipient streams."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        self._push = redis.register_script(_PUSH)

    async def epoch(self) -> str:
        """The current epoch, created if Redis has none (fresh or flushed)."""
        await self.redis.set(EPOCH_KEY, secrets.token_hex(6), nx=True)
        return (await self.redis.get(EPOCH_KEY)).decode()

    async def push(self, items: list[tuple[str, str, bytes]]) -> None:
        """Append (stream, type, data) events: one round trip per `PUSH_BATCH` of them."""
        min_id = f"{int((time.time() - RETENTION_S) * 1000)}-0"
        candidate = secrets.token_hex(6)
        for start in range(0, len(items), PUSH_BATCH):
            batch = items[start:start + PUSH_BATCH]
            args: list[str | bytes | int] = [min_id, RETENTION_S + 3600, candidate]
            for stream, event_type, data in batch:
                args += [live_channel(stream), event_type, data]
            await self._push(keys=[EPOCH_KEY, *(stream_key(stream) for stream, _, _ in batch)], args=args)

    async def publish_ephemeral(self, streams: list[str], event_type: str, data: bytes) -> None:
        """Send an event that is not stored (typing, presence) to whoever is connected now."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for stream in streams:
                pipe.publish(live_channel(stream), b"- - " + event_type.encode() + b" " + data)
            await pipe.execute()

    async def tail(self, stream: str) -> str:
        """The id of the newest entry, or 0-0 for an empty or missing stream."""
        newest = await self.redis.xrevrange(stream_key(stream), count=1)
        return newest[0][0].decode() if newest else ZERO_ID

    async def history_lost(self, stream: str, after_id: str) -> bool:
        """True when entries after `after_id` may have been trimmed or expired away."""
        if after_id == ZERO_ID:
            return False
        try:
            info = await self.redis.xinfo_stream(stream_key(stream))
        except aioredis.ResponseError:  # no such key: it expired, or Redis lost it
            return True
        deleted = info.get("max-deleted-entry-id", b"0-0")
        deleted = deleted.decode() if isinstance(deleted, bytes) else str(deleted)
        return id_tuple(deleted) > id_tuple(after_id)

    async def read_after(self, stream: str, after_id: str, epoch: str, count: int = 500) -> list[Event]:
        """Up to `count` entries strictly after `after_id`, oldest first."""
        entries = await self.redis.xrange(stream_key(stream), min=f"({after_id}", count=count)
        return [
            Event(fields[b"t"].decode(), fields[b"d"], entry_id.decode(), epoch)
            for entry_id, fields in entries
        ]

    async def forget(self, streams: list[str], needles: list[str], page: int = 1000) -> int:
        """Delete `streams`, and the entries of every other stream whose data holds one of `needles`
        (an erasure). A client whose cursor is before a deleted entry gets `resync` (`history_lost`).
        How many entries of other streams were deleted."""
        if streams:
            await self.redis.delete(*(stream_key(stream) for stream in streams))
        wanted = [needle.encode() for needle in needles]
        deleted = 0
        async for key in self.redis.scan_iter(match=stream_key("*"), count=500, _type="stream"):
            after = "-"
            while entries := await self.redis.xrange(key, min=after, count=page):
                doomed = [entry_id for entry_id, fields in entries if any(n in fields[b"d"] for n in wanted)]
                if doomed:
                    deleted += await self.redis.xdel(key, *doomed)
                after = f"({entries[-1][0].decode()}"
        return deleted


def parse_live(payload: bytes) -> Event:
    """A live notification published by `_PUSH` or `publish_ephemeral`."""
    epoch, stream_id, event_type, data = payload.split(b" ", 3)
    if stream_id == b"-":
        return Event(event_type.decode(), data)
    return Event(event_type.decode(), data, stream_id.decode(), epoch.decode())
