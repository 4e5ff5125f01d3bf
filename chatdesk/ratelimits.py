"""Rate limits kept in Redis (the `limits` library), shared by every process.

Sends, uploads and offline messages spend from fixed windows: one Lua INCR+EXPIRE per request.
A fixed window lets a sender burst up to twice the limit across a window boundary, which these
limits tolerate; the moving window (a sorted-set script per hit) cost 8 % of the server's CPU on
the message path. Sign-in throttling keeps the exact moving window.
"""

from __future__ import annotations

import time
from functools import lru_cache

from limits import RateLimitItem, parse
from limits.aio.strategies import RateLimiter

from chatdesk.errors import ApiError, rate_limited


async def retry_after(limiter: RateLimiter, item: RateLimitItem, key: str) -> ApiError:
    """The 429 for a limit that is spent, with the seconds until it frees up."""
    reset_at, _remaining = await limiter.get_window_stats(item, key)
    return rate_limited(int(reset_at - time.time()) + 1)


@lru_cache(maxsize=64)
def _item(rate: str) -> RateLimitItem:
    return parse(rate)


async def spend(limiter: RateLimiter, rate: str, key: str) -> None:
    """Take one from the `rate` (e.g. "20 per 10 seconds") budget of `key`; 429 when none is left."""
    item = _item(rate)
    if not await limiter.hit(item, key):
        raise await retry_after(limiter, item, key)
