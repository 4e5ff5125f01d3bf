"""The mail queue: a mail is a row written in the transaction of the change that causes it.

`enqueue_mail` writes it with a Message-ID made now (`<uuid@our-domain>`), so every attempt at
sending it carries the same id. Senders claim due rows with `FOR UPDATE SKIP LOCKED` and a lease
(`locked_until`): any number of processes may send at once and none takes a row another holds.
A sender that dies holding rows leaves them to be claimed again when the lease runs out.
"""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chatdesk.config import Settings
from chatdesk.db.tables import mail_outbox
from chatdesk.desk.mail.templates import MailContent
from chatdesk.desk.transactions import Tx
from chatdesk.errors import ApiError
from chatdesk.metrics import MAIL

# The longest pause between two tries of one mail, whatever the doubling says.
RETRY_MAX_S = 3600.0
_LINE_BREAKS = re.compile(r"[\r\n]+")


@dataclass(frozen=True)
class OutgoingMail:
    """A mail to queue: to whom, what (rendered), what kind, and what it belongs to."""

    to: str
    content: MailContent
    kind: str
    headers: dict[str, str] = field(default_factory=dict)  # In-Reply-To, References, ...
    ticket_id: uuid.UUID | None = None


def new_message_id(settings: Settings) -> str:
    """A Message-ID unique to one mail: `<uuid@domain of CHATDESK_MAIL_FROM>`."""
    return f"<{uuid.uuid4()}@{settings.mail_domain}>"


def _one_line(value: str) -> str:
    """A header value on one line: a line break in it would start a header of its own."""
    return _LINE_BREAKS.sub(" ", value).strip()


async def enqueue_mail(tx: Tx, settings: Settings, mail: OutgoingMail) -> str:
    """Queue `mail` in the transaction `tx`: it is sent only if the transaction commits. Returns its Message-ID."""
    address = parseaddr(mail.to)[1]
    if "@" not in address or address != mail.to.strip():
        raise ApiError(422, f"{mail.to!r} is not an email address.", fields={"email": "not an email address"})
    message_id = new_message_id(settings)
    await tx.conn.execute(mail_outbox.insert().values(
        message_id=message_id, kind=mail.kind, to_address=address, subject=_one_line(mail.content.subject),
        text_body=mail.content.text, html_body=mail.content.html, ticket_id=mail.ticket_id,
        headers={name: _one_line(value) for name, value in mail.headers.items()},
    ))
    tx.mail_queued()
    return message_id


def _seconds(seconds: float) -> Any:
    return sa.func.make_interval(0, 0, 0, 0, 0, 0, seconds)


@dataclass(frozen=True)
class ClaimedMail:
    """A row a sender holds until its lease runs out."""

    id: uuid.UUID
    message_id: str
    to_address: str
    subject: str
    text_body: str
    html_body: str | None
    headers: dict[str, str]
    attempts: int
    created_at: datetime


async def claim_due(engine: AsyncEngine, limit: int, lease_s: float) -> list[ClaimedMail]:
    """Take up to `limit` due mails for `lease_s` seconds (counting an attempt for each), committed at once."""
    now = sa.func.now()
    due = (sa.select(mail_outbox.c.id)
           .where(mail_outbox.c.status == "queued", mail_outbox.c.next_attempt_at <= now,
                  sa.or_(mail_outbox.c.locked_until.is_(None), mail_outbox.c.locked_until <= now))
           .order_by(mail_outbox.c.next_attempt_at).limit(limit)
           .with_for_update(skip_locked=True).cte("due"))
    claim = (mail_outbox.update().where(mail_outbox.c.id == due.c.id)
             .values(locked_until=now + _seconds(lease_s), attempts=mail_outbox.c.attempts + 1)
             .returning(*(mail_outbox.c[name] for name in ClaimedMail.__dataclass_fields__)))
    async with engine.begin() as conn:
        rows = (await conn.execute(claim)).all()
    return sorted((ClaimedMail(**row._mapping) for row in rows), key=lambda mail: mail.created_at)


def _held(mail_ids: list[uuid.UUID]) -> Any:
    return mail_outbox.update().where(mail_outbox.c.id.in_(mail_ids), mail_outbox.c.status == "queued")


async def mark_sent(engine: AsyncEngine, mail_id: uuid.UUID) -> None:
    """The server accepted the mail. The commit does not wait for the disk (`synchronous_commit = off`,
    one fsync less per mail): only a crash of PostgreSQL itself can lose the mark, and then the
    mail goes out once more with the same Message-ID."""
    async with engine.begin() as conn:
        await conn.execute(sa.text("SET LOCAL synchronous_commit = off"))
        await conn.execute(_held([mail_id]).values(status="sent", sent_at=sa.func.now(), last_attempt_at=sa.func.now(),
                                                   locked_until=None, last_error=None))
    MAIL.labels("sent").inc()


async def mark_failed(engine: AsyncEngine, mail_id: uuid.UUID, error: str) -> None:
    """A permanent refusal: the mail will not be tried again."""
    async with engine.begin() as conn:
        await conn.execute(_held([mail_id]).values(status="failed", last_attempt_at=sa.func.now(),
                                                   locked_until=None, last_error=error))
    MAIL.labels("failed").inc()


def retry_delay_s(settings: Settings, attempts: int) -> float:
    """Exponential backoff with jitter: the first retry after about `mail_retry_s`, doubling, at most an hour."""
    return min(settings.mail_retry_s * 2 ** (attempts - 1), RETRY_MAX_S) * random.uniform(0.5, 1.0)


async def mark_retry(engine: AsyncEngine, settings: Settings, mails: list[ClaimedMail], error: str) -> None:
    """A temporary failure: try again later, or mark failed once the mail has had all its attempts."""
    if not mails:
        return
    async with engine.begin() as conn:
        for mail in mails:
            if mail.attempts >= settings.mail_max_attempts:
                values: dict[str, Any] = {"status": "failed",
                                          "last_error": f"gave up after {mail.attempts} attempts: {error}"}
                MAIL.labels("failed").inc()
            else:
                MAIL.labels("retry").inc()
                values = {"next_attempt_at": sa.func.now() + _seconds(retry_delay_s(settings, mail.attempts)),
                          "last_error": error}
            await conn.execute(_held([mail.id]).values(locked_until=None, last_attempt_at=sa.func.now(), **values))


async def release(engine: AsyncEngine, mails: list[ClaimedMail]) -> None:
    """Give back mails claimed but not tried: claimable again at once, their attempt not counted."""
    if mails:
        async with engine.begin() as conn:
            await conn.execute(_held([mail.id for mail in mails]).values(
                locked_until=None, attempts=mail_outbox.c.attempts - 1))


async def seconds_until_due(engine: AsyncEngine) -> float | None:
    """How long until the next queued mail may be claimed (0: now), or None when none is queued."""
    ready_at = sa.func.greatest(mail_outbox.c.next_attempt_at, sa.func.coalesce(mail_outbox.c.locked_until,
                                                                                 mail_outbox.c.next_attempt_at))
    async with engine.connect() as conn:
        wait = (await conn.execute(
            sa.select(sa.func.extract("epoch", sa.func.min(ready_at) - sa.func.now()))
            .where(mail_outbox.c.status == "queued"))).scalar()
    return None if wait is None else max(float(wait), 0.0)


async def mail_status(conn: AsyncConnection, settings: Settings) -> dict[str, Any]:
    """What an admin needs to know: is email set up, what waits, what failed, the latest error, and
    which mailbox replies by mail are read from (None: they are not)."""
    counts: dict[str, int] = dict((await conn.execute(
        sa.select(mail_outbox.c.status, sa.func.count()).where(mail_outbox.c.status.in_(["queued", "failed"]))
        .group_by(mail_outbox.c.status))).all())
    latest = (await conn.execute(
        sa.select(mail_outbox.c.last_error, mail_outbox.c.last_attempt_at, mail_outbox.c.to_address)
        .where(mail_outbox.c.status.in_(["queued", "failed"]), mail_outbox.c.last_error.isnot(None))
        .order_by(mail_outbox.c.last_attempt_at.desc().nulls_last()).limit(1))).first()
    missing = [name for name, value in (("CHATDESK_SMTP_URL", settings.smtp_url),
                                        ("CHATDESK_MAIL_FROM", settings.mail_from)) if value is None]
    smtp = settings.smtp
    return {
        "configured": not missing, "missing": missing, "smtp": str(smtp) if smtp else None,
        "mail_from": settings.mail_from, "imap": str(settings.imap) if settings.imap else None,
        "queued": counts.get("queued", 0), "failed": counts.get("failed", 0),
        "last_error": {"message": latest.last_error, "at": latest.last_attempt_at, "to": latest.to_address}
        if latest else None,
    }
