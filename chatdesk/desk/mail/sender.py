"""The sender: in every serving process, workers that drain the mail queue to the SMTP server.

A transaction that queued mail wakes this process's workers after commit (`changed`, an
after-commit hook); they also look at the queue every few seconds, so mail queued by another
process, a retry that came due, or a lease a dead process left behind is sent without a wake-up.

Each worker claims a batch (`queue.claim_due`), sends it over one SMTP session and records each
outcome at once: `sent`; a 5xx refusal: `failed`; anything else (4xx, refused connection, time-out,
a dropped session): tried again later with backoff, `failed` after the last attempt.

Sent once: a claimed row is nobody else's until its lease ends, and it is marked sent right after
the server's 250. If the process dies (or loses PostgreSQL) after the server accepted a mail and
before that mark commits, the lease runs out and the mail goes out a second time, with the same
Message-ID, which lets the receiving side recognise the copy. That window is one database round trip wide
(and a crash of PostgreSQL itself before the mark reaches its disk: see `queue.mark_sent`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from chatdesk.config import Settings, SmtpServer
from chatdesk.desk.mail import queue, smtp
from chatdesk.desk.mail.templates import MailContent
from chatdesk.desk.transactions import Tx
from chatdesk.periodic import QueueWorkers

log = logging.getLogger(__name__)

# Concurrent SMTP sessions per process: enough to hide round trips, few enough for any relay.
WORKERS = 4
BATCH = 20
# A batch holds its mails for this many command time-outs and starts no new mail after half of
# them; one mail takes at most four (MAIL, RCPT, DATA, the message), so a lease never ends while
# its sender may still be sending.
LEASE_TIMEOUTS = 12
# Without a wake-up, the queue is looked at this often (mail queued elsewhere, leases run out).
POLL_S = 2.0
# Due mails that no claim could take (rows another transaction holds for a moment) are looked at
# again after this pause.
LOCKED_PAUSE_S = 0.05
# On stop, a worker finishes the mail it is sending (and records it) for at most this long.
STOP_WAIT_S = 10.0


def lease_s(server: SmtpServer) -> float:
    return server.timeout_s * LEASE_TIMEOUTS


async def send_batch(engine: AsyncEngine, settings: Settings, server: SmtpServer, sender: str,
                     stopping: Callable[[], bool] = lambda: False) -> int:
    """Claim due mails and send them over one SMTP session; returns how many were claimed. Once
    `stopping()`, the mails not yet begun are given back."""
    lease = lease_s(server)
    mails = await queue.claim_due(engine, BATCH, lease)
    if not mails:
        return 0
    started = time.monotonic()
    tried = 0  # mails whose outcome is recorded
    try:
        async with smtp.connected(server) as client:
            for mail in mails:
                if stopping() or time.monotonic() - started > lease / 2:
                    await queue.release(engine, mails[tried:])
                    tried = len(mails)
                    break
                message = smtp.build_message(
                    sender=sender, to=mail.to_address, subject=mail.subject, text=mail.text_body,
                    html=mail.html_body, message_id=mail.message_id, date=mail.created_at, headers=mail.headers)
                try:
                    await smtp.send(client, message)
                except Exception as error:
                    if smtp.breaks_connection(error):
                        raise
                    if smtp.is_permanent(error):
                        await queue.mark_failed(engine, mail.id, smtp.explain(error, server))
                    else:
                        await queue.mark_retry(engine, settings, [mail], smtp.explain(error, server))
                else:
                    await queue.mark_sent(engine, mail.id)
                tried += 1
    except Exception as error:  # noqa: BLE001 - no session (any more): the rest of the batch waits for a retry
        reason = smtp.explain(error, server)
        log.warning("mail: %s", reason)
        await queue.mark_retry(engine, settings, mails[tried:], reason)
    return len(mails)


class MailSender:
    """Runs in every serving process where email is set up; a background part of the runtime."""

    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        self.settings = settings
        self.engine = engine
        self.workers = QueueWorkers("mail: sending", WORKERS, POLL_S, STOP_WAIT_S, self._round)

    def changed(self, tx: Tx) -> None:
        """After-commit hook: a transaction that queued mail wakes the workers."""
        if tx.has_mail:
            self.workers.wake()

    def start(self) -> None:
        if self.settings.smtp is None or self.settings.mail_from is None:
            log.info("mail: email is not set up (CHATDESK_SMTP_URL, CHATDESK_MAIL_FROM): mail waits in the queue")
            return
        self.workers.start()

    async def stop(self) -> None:
        """Let each worker record the mail it is sending (a cancel between the server's 250 and the
        `sent` mark would send it again later), give back the rest, then stop."""
        await self.workers.stop()

    async def _round(self) -> float | None:
        server, sender = self.settings.smtp, self.settings.mail_from
        assert server is not None and sender is not None, "started only with email set up"
        claimed = await send_batch(self.engine, self.settings, server, sender, lambda: self.workers.stopping)
        if claimed == BATCH:
            return 0  # more may be waiting
        wait = await queue.seconds_until_due(self.engine)
        if claimed == 0 and wait == 0:
            return LOCKED_PAUSE_S  # due rows another transaction holds: not a reason to spin
        return wait


async def send_now(settings: Settings, server: SmtpServer, sender: str, to: str, content: MailContent) -> str:
    """Send one mail at once, outside the queue (`chatdesk mail test`); returns its Message-ID.
    An SMTP error is raised as it is (`smtp.explain` words it)."""
    message_id = queue.new_message_id(settings)
    message = smtp.build_message(sender=sender, to=to, subject=content.subject, text=content.text, html=content.html,
                                 message_id=message_id, date=datetime.now(UTC), headers={})
    async with smtp.connected(server) as client:
        await smtp.send(client, message)
    return message_id
