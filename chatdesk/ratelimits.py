"""Rate limits kept in Redis (the `limits` library), shared by every process."""

from __future__ import annotations

import time

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter

from chatdesk.errors import ApiError, rate_limited


async def retry_after(limiter: MovingWindowRateLimiter, item: RateLimitItem, key: str) -> ApiError:
    """The 429 for a limit that is spent, with the seconds until it frees up."""
    reset_at, _remaining = await limiter.get_window_stats(item, key)
    return rate_limited(int(reset_at - time.time()) + 1)


async def spend(limiter: MovingWindowRateLimiter, rate: str, key: str) -> None:
    """Take one from the `rate` (e.g. "20 per 10 seconds") budget of `key`; 429 when none is left."""
    item = parse(rate)
    if not await limiter.hit(item, key):
        raise await retry_after(limiter, item, key)
