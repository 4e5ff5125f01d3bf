"""Login throttling: failed sign-ins counted per account and per client address, in Redis."""

from __future__ import annotations

from limits import RateLimitItemPerMinute
from limits.aio.strategies import MovingWindowRateLimiter

from chatdesk.ratelimits import retry_after

# A person mistyping a password gets several tries; a guesser gets five per quarter hour per
# account, and a single address spraying many accounts is stopped after thirty.
PER_ACCOUNT = RateLimitItemPerMinute(5, 15)
PER_ADDRESS = RateLimitItemPerMinute(30, 15)


def _keys(email: str, ip: str) -> list[tuple[object, str]]:
    return [(PER_ACCOUNT, f"login:account:{email.strip().lower()}"), (PER_ADDRESS, f"login:ip:{ip}")]


async def check_login_allowed(limiter: MovingWindowRateLimiter, email: str, ip: str) -> None:
    """Raise 429 (with Retry-After) when this account or address failed too often lately."""
    for limit, key in _keys(email, ip):
        if not await limiter.test(limit, key):
            error = await retry_after(limiter, limit, key)
            error.message = "Too many failed sign-ins; try again later."
            raise error


async def record_login_failure(limiter: MovingWindowRateLimiter, email: str, ip: str) -> None:
    """Count one failed sign-in against the account and the address."""
    for limit, key in _keys(email, ip):
        await limiter.hit(limit, key)
