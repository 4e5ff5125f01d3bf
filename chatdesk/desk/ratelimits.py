"""Rate limits kept in Redis, shared by every process.

Sends, uploads, offline messages and what one address or widget creates spend from fixed windows
(`Counters`): one script call per request on the app's shared Redis client (the `limits`
library's strategies bring a client and connection pool of their own). A fixed window lets a
sender burst up to twice the limit across a window boundary, which these limits tolerate; the moving
window (a sorted-set script per hit) cost 8 % of the server's CPU on the message path. Sign-in
throttling keeps the exact moving window of the `limits` library (chatdesk.auth.throttle).
"""

from __future__ import annotations

import math
import time
from functools import lru_cache

import redis.asyncio as aioredis
from limits import RateLimitItem, parse
from limits.aio.strategies import RateLimiter

from chatdesk.errors import ApiError, rate_limited
from chatdesk.periodic import Batches

# Counts a hit of ARGV[2i] (one request, or a number of bytes) in the window of KEYS[i], which
# starts with the first hit (ARGV[2i - 1] ms long); returns each key's count and the milliseconds
# left in its window. Spends that come together go in one call (`Batches`).
_HIT = """
local out = {}
for i = 1, #KEYS do
  local count = redis.call('INCRBY', KEYS[i], ARGV[2 * i])
  local left = redis.call('PTTL', KEYS[i])
  if left < 0 then
    redis.call('PEXPIRE', KEYS[i], ARGV[2 * i - 1])
    left = tonumber(ARGV[2 * i - 1])
  end
  out[2 * i - 1] = count
  out[2 * i] = left
end
return out
"""

# Adds member ARGV[3] (scored with the time ARGV[2]) to the set KEYS[1] unless it already holds
# ARGV[1] members; 1 when added.
_HOLD = """
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
"""


async def retry_after(limiter: RateLimiter, item: RateLimitItem, key: str) -> ApiError:
    """The 429 for a limit that is spent, with the seconds until it frees up."""
    reset_at, _remaining = await limiter.get_window_stats(item, key)
    return rate_limited(int(reset_at - time.time()) + 1)


@lru_cache(maxsize=64)
def _item(rate: str) -> RateLimitItem:
    return parse(rate)


class Counters:
    """Fixed-window budgets per key, e.g. "20 per 10 seconds" of sends per visitor, and caps on
    what a key holds at once, e.g. 10 queued chats per address."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._hit = redis.register_script(_HIT)
        self._hits: Batches[tuple[str, int, int], tuple[int, int]] = Batches(self._spend_together)
        self._hold = redis.register_script(_HOLD)

    async def spend(self, rate: str, key: str, cost: int = 1) -> None:
        """Take `cost` from the `rate` budget of `key`; 429 with Retry-After when that is more than is left."""
        item = _item(rate)
        window_ms = item.get_expiry() * 1000
        count, left_ms = await self._hits.call((f"chatdesk:window:{key}:{item.amount}/{window_ms}", window_ms, cost))
        if count > item.amount:
            raise rate_limited(max(1, math.ceil(left_ms / 1000)))

    async def _spend_together(self, spends: list[tuple[str, int, int]]) -> list[tuple[int, int]]:
        """(count, ms left) for each (key, window ms, cost), in one round trip."""
        counts = await self._hit(keys=[key for key, _, _ in spends],
                                 args=[value for _, window_ms, cost in spends for value in (window_ms, cost)])
        return list(zip(counts[::2], counts[1::2], strict=True))

    async def hold(self, key: str, member: str, cap: int, keep_s: float) -> bool:
        """Count `member` among what `key` holds unless it holds `cap` already (then False)."""
        held = await self._hold(keys=[f"chatdesk:held:{key}"], args=[cap, time.time(), member, int(keep_s * 1000)])
        return bool(held)

    async def held_since(self, key: str, older_than_s: float) -> list[str]:
        """The members `key` has held for longer than `older_than_s`."""
        members = await self._redis.zrangebyscore(f"chatdesk:held:{key}", "-inf", time.time() - older_than_s)
        return [member.decode() for member in members]

    async def let_go(self, key: str, members: list[str]) -> None:
        """Stop counting `members` for `key`."""
        if members:
            await self._redis.zrem(f"chatdesk:held:{key}", *members)
