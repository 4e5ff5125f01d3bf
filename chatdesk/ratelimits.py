"""Rate limits kept in Redis, shared by every process.

Sends, uploads and offline messages spend from fixed windows (`Counters`): one script call per
request on the app's shared Redis client (the `limits` library's strategies bring a client and
connection pool of their own). A fixed window lets a sender burst up to twice the limit across
a window boundary, which these limits tolerate; the moving window (a sorted-set script per hit)
cost 8 % of the server's CPU on the message path. Sign-in throttling keeps the exact moving
window of the `limits` library (chatdesk.auth.throttle).
"""

from __future__ import annotations

import math
import time
from functools import lru_cache

import redis.asyncio as aioredis
from limits import RateLimitItem, parse
from limits.aio.strategies import RateLimiter

from chatdesk.errors import ApiError, rate_limited

# Counts a hit in the key's window, which starts with the first hit; returns the count and the
# milliseconds left in the window.
_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return {count, redis.call('PTTL', KEYS[1])}
"""


async def retry_after(limiter: RateLimiter, item: RateLimitItem, key: str) -> ApiError:
    """The 429 for a limit that is spent, with the seconds until it frees up."""
    reset_at, _remaining = await limiter.get_window_stats(item, key)
    return rate_limited(int(reset_at - time.time()) + 1)


@lru_cache(maxsize=64)
def _item(rate: str) -> RateLimitItem:
    return parse(rate)


class Counters:
    """Fixed-window budgets per key, e.g. "20 per 10 seconds" of sends per visitor."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self._hit = redis.register_script(_HIT)

    async def spend(self, rate: str, key: str) -> None:
        """Take one from the `rate` budget of `key`; 429 with Retry-After when none is left."""
        item = _item(rate)
        window_ms = item.get_expiry() * 1000
        count, left_ms = await self._hit(keys=[f"chatdesk:window:{key}:{item.amount}/{window_ms}"], args=[window_ms])
        if count > item.amount:
            raise rate_limited(max(1, math.ceil(left_ms / 1000)))
