"""Login throttling in Redis: growing waits per (account, address), and a cap per address.

Failures count against the account *from one address*, so a guesser elsewhere never locks the
account's owner out. After FREE_FAILURES wrong passwords, that address waits before its next try
on that account: 1 s, then 2, 4, 8 ... up to 15 minutes. One address trying many accounts is
stopped after PER_ADDRESS failures in 15 minutes; that too stops only the failing address.
"""

from __future__ import annotations

import math

import redis.asyncio as aioredis
from limits import RateLimitItemPerMinute
from limits.aio.strategies import MovingWindowRateLimiter

from chatdesk.desk.ratelimits import retry_after
from chatdesk.errors import rate_limited

# A person mistyping a password gets a few tries free; each failure after them doubles the wait.
FREE_FAILURES = 3
FIRST_WAIT_S = 1
MAX_WAIT_S = 15 * 60
# Failures are forgotten this long after the last one (longer than the longest wait).
FORGET_AFTER_S = 60 * 60
PER_ADDRESS = RateLimitItemPerMinute(30, 15)
TOO_MANY = "Too many failed sign-ins; try again later."

# Counts a failure of the pair (KEYS[1]) and, past the free ones, sets the wait (KEYS[2]).
_FAIL = """
local failures = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
local over = failures - tonumber(ARGV[2])
if over > 0 then
  local wait_s = math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ (over - 1))
  redis.call('SET', KEYS[2], failures, 'PX', math.floor(wait_s * 1000))
end
return failures
"""


def _pair_keys(email: str, ip: str) -> list[str]:
    pair = f"{email.strip().lower()}|{ip}"
    return [f"chatdesk:login:failures:{pair}", f"chatdesk:login:wait:{pair}"]


def _address_key(ip: str) -> str:
    return f"login:ip:{ip}"


async def check_login_allowed(
    redis: aioredis.Redis, limiter: MovingWindowRateLimiter, email: str, ip: str
) -> None:
    """Raise 429 (with Retry-After) while this address must wait before trying this account again,
    or when it failed on too many accounts lately."""
    wait_ms = await redis.pttl(_pair_keys(email, ip)[1])
    if wait_ms > 0:
        raise rate_limited(math.ceil(wait_ms / 1000), TOO_MANY)
    if not await limiter.test(PER_ADDRESS, _address_key(ip)):
        error = await retry_after(limiter, PER_ADDRESS, _address_key(ip))
        error.message = TOO_MANY
        raise error


async def record_login_failure(
    redis: aioredis.Redis, limiter: MovingWindowRateLimiter, email: str, ip: str
) -> None:
    """Count one failed sign-in against the (account, address) pair and against the address."""
    await redis.eval(_FAIL, 2, *_pair_keys(email, ip),
                     FORGET_AFTER_S, FREE_FAILURES, FIRST_WAIT_S, MAX_WAIT_S)
    await limiter.hit(PER_ADDRESS, _address_key(ip))


async def record_login_success(redis: aioredis.Redis, email: str, ip: str) -> None:
    """A right password from this address starts its count on this account afresh."""
    await redis.delete(*_pair_keys(email, ip))
