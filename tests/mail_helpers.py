"""What the mail tests share: settings that send to the test's SMTP server (the `sink` fixture),
queueing mails in a transaction, and reading a mail's row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from email.message import EmailMessage

import redis as sync_redis
import sqlalchemy as sa
from pydantic import SecretStr
from starlette.testclient import TestClient

from chatdesk.bench.smtp_sink import SmtpSink
from chatdesk.config import Settings
from chatdesk.db.engine import create_engine
from chatdesk.db.tables import mail_outbox
from chatdesk.desk.mail.queue import OutgoingMail, enqueue_mail
from chatdesk.desk.mail.templates import trial_message
from chatdesk.desk.runtime import open_runtime
from chatdesk.desk.transactions import Tx
from chatdesk.web.app import create_app
from tests.conftest import run
from tests.realtime_helpers import wait_until

MAIL_FROM = "Support <support@example.com>"


def sending_to(settings: Settings, sink: SmtpSink, **values: object) -> Settings:
    """`settings` that send mail to `sink`, retrying after 0.2 s at first (not 30)."""
    return settings.model_copy(update={"smtp_url": SecretStr(sink.url + "&timeout=2"), "mail_from": MAIL_FROM,
                                       "mail_retry_s": 0.2, **values})


def mail_to(address: str, kind: str = "test") -> OutgoingMail:
    return OutgoingMail(to=address, content=trial_message("http://chatdesk.test"), kind=kind)


async def enqueue_committed(settings: Settings, mails: list[OutgoingMail]) -> list[str]:
    """Queue `mails` in one committed transaction of a connection of our own (no process is woken)."""
    engine = create_engine(settings.required("database_url"), pool_size=1)
    try:
        async with engine.begin() as conn:
            tx = Tx(conn)
            return [await enqueue_mail(tx, settings, mail) for mail in mails]
    finally:
        await engine.dispose()


async def mail_rows(settings: Settings, message_ids: list[str]) -> dict[str, sa.Row]:
    """The queue's rows of these mails, by Message-ID."""
    engine = create_engine(settings.required("database_url"), pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.select(mail_outbox).where(mail_outbox.c.message_id.in_(message_ids)))).all()
    finally:
        await engine.dispose()
    return {row.message_id: row for row in rows}


def mailing_fixture(settings, sink, redis_url) -> Iterator[TestClient]:
    """The app sending mail to the test's SMTP server (`sink`); Redis (rate limits) starts empty.
    A module makes it its fixture: `mailing = pytest.fixture(mailing_fixture, name="mailing")`."""
    sync_redis.Redis.from_url(redis_url).flushdb()
    with TestClient(create_app(sending_to(settings, sink)), raise_server_exceptions=False) as client:
        yield client


def received(sink: SmtpSink, address: str, count: int = 1, timeout_s: float = 15) -> EmailMessage:
    """The `count`-th mail the SMTP server received for `address` (waiting for it)."""
    found = run(wait_until(lambda: [m for m in sink.messages() if m["To"] == address],
                           lambda found: len(found) >= count, timeout_s=timeout_s))
    return found[count - 1]


async def two_runtimes_send_once(settings: Settings, sink: SmtpSink, mails: int) -> None:
    """Two serving processes' senders drain `mails` queued mails: each arrives once and is marked sent."""
    own = sending_to(settings, sink)
    async with open_runtime(own), open_runtime(own):
        message_ids = await enqueue_committed(own, [mail_to(f"many{i}@example.com") for i in range(mails)])
        await wait_until(sink.message_ids, lambda ids: set(message_ids) <= set(ids), timeout_s=60)
        rows = await mail_rows(own, message_ids)
    counts = Counter(sink.message_ids())
    assert [message_id for message_id in message_ids if counts[message_id] != 1] == []
    assert {row.status for row in rows.values()} == {"sent"}
