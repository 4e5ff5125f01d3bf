"""The sender: in every serving process, workers that POST due webhook deliveries to their endpoints.

A transaction that queued deliveries wakes this process's workers after commit (`changed`); they
also look at the queue every 2 s, so a delivery queued by another process, a retry that came due
or a lease a dead process left is sent without a wake-up. Each worker claims a batch
(`queue.claim_due`), POSTs each delivery at once and records each outcome as it comes: 2xx is
acknowledged; anything else (another status, a refused connection, a time-out, a refused address)
is tried again later with backoff.

A delivery id is sent until acknowledged: if the process dies (or loses PostgreSQL) between the
receiver's 2xx and the commit of the `delivered` mark, the lease runs out and the delivery goes out
again with the same id, which receivers use to drop the copy.
"""

from __future__ import annotations

import asyncio
import logging
import time

import aiohttp
import orjson
from sqlalchemy.ext.asyncio import AsyncEngine

from chatdesk.config import Settings
from chatdesk.desk.transactions import Tx
from chatdesk.desk.webhooks import guard, queue
from chatdesk.desk.webhooks.queue import Delivery, Outcome
from chatdesk.desk.webhooks.signing import sign
from chatdesk.periodic import QueueWorkers

log = logging.getLogger(__name__)

WORKERS = 4
BATCH = 20
# A claimed delivery is held for this many request time-outs.
LEASE_TIMEOUTS = 3
POLL_S = 2.0
LOCKED_PAUSE_S = 0.05
STOP_WAIT_S = 10.0
# How much of a receiver's answer is read (and kept, in the log's error) at most.
ANSWER_BYTES = 1024
USER_AGENT = "chatdesk-webhooks/1"


def body(delivery: Delivery) -> bytes:
    """What is POSTed: `{id, type, created_at, data}`, the same bytes at every attempt."""
    return orjson.dumps({"id": delivery.id, "type": delivery.event_type, "created_at": delivery.created_at,
                         "data": delivery.payload}, default=str, option=orjson.OPT_UTC_Z)


def client_session(settings: Settings) -> aiohttp.ClientSession:
    """An HTTP client that resolves through the guard (unless private targets are allowed), follows no
    redirect target of its own choosing and reads no proxy settings from the environment."""
    resolver = aiohttp.ThreadedResolver() if settings.webhooks_allow_private else guard.GuardedResolver()
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(resolver=resolver, limit=100, ttl_dns_cache=None, use_dns_cache=False),
        timeout=aiohttp.ClientTimeout(total=settings.webhooks_timeout_s), trust_env=False)


async def post(session: aiohttp.ClientSession, settings: Settings, delivery: Delivery) -> Outcome:
    """One attempt at a delivery, signed now."""
    payload = body(delivery)
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
               "X-Chatdesk-Delivery": str(delivery.id), "X-Chatdesk-Event": delivery.event_type,
               "X-Chatdesk-Timestamp": timestamp, "X-Chatdesk-Signature": sign(delivery.secret, timestamp, payload)}
    started = time.monotonic()
    status: int | None = None
    error: str | None = None
    try:
        guard.check_literal(delivery.url, settings.webhooks_allow_private)
        async with session.post(delivery.url, data=payload, headers=headers, allow_redirects=False) as response:
            status = response.status
            answer = await response.content.read(ANSWER_BYTES)
            if not 200 <= status < 300:
                error = f"HTTP {status}: {answer.decode(errors='replace').strip()[:200]}".rstrip(": ")
    except TimeoutError:
        error = f"no answer within {settings.webhooks_timeout_s:g} s"
    except guard.RefusedTarget as refused:
        error = str(refused)
    except aiohttp.ClientConnectorError as failure:
        cause = failure.os_error
        guarded = isinstance(cause, guard.RefusedTarget)
        error = str(cause) if guarded else f"could not connect: {cause.strerror or cause}"
    except aiohttp.ClientError as failure:
        error = f"{type(failure).__name__}: {failure}"
    return Outcome(status, error, round((time.monotonic() - started) * 1000))


async def send_batch(engine: AsyncEngine, settings: Settings, session: aiohttp.ClientSession) -> int:
    """Claim due deliveries and POST them all at once; returns how many were claimed."""
    deliveries = await queue.claim_due(engine, BATCH, settings.webhooks_timeout_s * LEASE_TIMEOUTS)

    async def attempt(delivery: Delivery) -> None:
        await queue.record(engine, settings, delivery, await post(session, settings, delivery))

    await asyncio.gather(*(attempt(delivery) for delivery in deliveries))
    return len(deliveries)


class WebhookSender:
    """Runs in every serving process; a background part of the runtime. Its `session` also sends
    an admin's test events."""

    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        self.settings = settings
        self.engine = engine
        self.session: aiohttp.ClientSession | None = None
        self.workers = QueueWorkers("webhooks: sending", WORKERS, POLL_S, STOP_WAIT_S, self._round)

    def changed(self, tx: Tx) -> None:
        """After-commit hook: a transaction that queued deliveries wakes the workers."""
        if tx.has_webhooks:
            self.workers.wake()

    def start(self) -> None:
        self.session = client_session(self.settings)
        self.workers.start()

    async def stop(self) -> None:
        """Let each worker record what it is sending, then stop."""
        await self.workers.stop()
        if self.session is not None:
            await self.session.close()

    async def send_now(self, delivery: Delivery) -> Outcome:
        """Send one claimed delivery at once (an admin's test) and record how it went."""
        assert self.session is not None, "the sender is not started"
        outcome = await post(self.session, self.settings, delivery)
        await queue.record(self.engine, self.settings, delivery, outcome)
        return outcome

    async def _round(self) -> float | None:
        assert self.session is not None, "the sender is not started"
        if await send_batch(self.engine, self.settings, self.session):
            return 0  # the next of each chat may be due now
        wait = await queue.seconds_until_due(self.engine)
        return LOCKED_PAUSE_S if wait == 0 else wait  # due rows another worker holds, or behind an earlier one
