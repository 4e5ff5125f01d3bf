"""Outgoing mail through a real SMTP server (aiosmtpd on loopback): queued with the transaction,
sent after commit, retried while SMTP is down, failed on a permanent refusal, sent once by any
number of senders."""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from chatdesk.bench.smtp_sink import SmtpSink
from chatdesk.db.engine import create_engine
from chatdesk.db.tables import mail_outbox
from chatdesk.desk.mail.queue import OutgoingMail, enqueue_mail
from chatdesk.desk.mail.templates import MailContent
from chatdesk.desk.runtime import open_runtime
from chatdesk.errors import ApiError
from chatdesk.web.app import create_app
from tests.conftest import PASSWORD, bearer, create_account, migrated_database, run
from tests.mail_helpers import MAIL_FROM, enqueue_committed, mail_rows, mail_to, sending_to, two_runtimes_send_once
from tests.realtime_helpers import wait_until


@pytest.fixture(scope="module")
def database_url(new_database) -> str:
    """A database of this module's own: counts in the mail status are this module's."""
    return migrated_database(new_database)


@pytest.fixture(autouse=True)
def _no_mail_left_from_earlier_tests(settings):
    """Each test's senders drain the whole queue: mail an earlier test left queued is set aside."""
    async def set_aside() -> None:
        engine = create_engine(settings.required("database_url"), pool_size=1)
        try:
            async with engine.begin() as conn:
                await conn.execute(mail_outbox.update().where(mail_outbox.c.status == "queued").values(
                    status="failed", last_error="set aside by the tests"))
        finally:
            await engine.dispose()

    run(set_aside())


class Rollback(Exception):
    pass


async def test_mail_queued_in_a_rolled_back_transaction_is_never_sent(settings, sink):
    async with open_runtime(sending_to(settings, sink)) as runtime:
        try:
            async with runtime.transaction() as tx:
                dropped = await enqueue_mail(tx, runtime.settings, mail_to("dropped@example.com"))
                raise Rollback
        except Rollback:
            pass
        async with runtime.transaction() as tx:
            kept = await enqueue_mail(tx, runtime.settings, mail_to("kept@example.com"))
        await wait_until(sink.message_ids, lambda ids: kept in ids)
    assert dropped not in sink.message_ids() and await mail_rows(settings, [dropped]) == {}


async def test_a_committed_mail_arrives_multipart_with_its_message_id(settings, sink):
    async with open_runtime(sending_to(settings, sink)) as runtime:
        async with runtime.transaction() as tx:
            message_id = await enqueue_mail(tx, runtime.settings, mail_to("ada@example.com"))
        row = await wait_until(lambda: _row(settings, message_id), lambda row: row.status == "sent")
    [message] = [m for m in sink.messages() if m["Message-ID"] == message_id]
    assert message_id.endswith("@example.com>")  # the domain of CHATDESK_MAIL_FROM
    assert (message["From"], message["To"], message["Subject"]) == (MAIL_FROM, "ada@example.com",
                                                                    "Test message from chatdesk")
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert text.get_content_type() == "text/plain" and "chatdesk can send email" in text.get_content()
    assert html.get_content_type() == "text/html" and "<title>Test message from chatdesk</title>" in html.get_content()
    assert (row.attempts, row.last_error) == (1, None) and row.sent_at is not None


async def test_mail_waits_while_smtp_is_down_and_goes_out_when_it_is_back(settings, sink):
    sink.stop()
    async with open_runtime(sending_to(settings, sink)) as runtime:
        async with runtime.transaction() as tx:
            message_id = await enqueue_mail(tx, runtime.settings, mail_to("patient@example.com"))
        row = await wait_until(lambda: _row(settings, message_id), lambda row: row.attempts >= 2)
        assert row.status == "queued" and "could not connect" in row.last_error
        sink.start()
        await wait_until(sink.message_ids, lambda ids: message_id in ids, timeout_s=30)
    assert sink.message_ids().count(message_id) == 1
    assert (await _row(settings, message_id)).status == "sent"


async def test_a_permanent_refusal_fails_the_mail_and_a_temporary_one_retries(settings, sink):
    sink.refuse["nobody@example.com"] = "550 5.1.1 No such user here"
    sink.refuse["busy@example.com"] = "451 4.3.0 Try again later"
    async with open_runtime(sending_to(settings, sink)) as runtime:
        async with runtime.transaction() as tx:
            refused = await enqueue_mail(tx, runtime.settings, mail_to("nobody@example.com"))
            busy = await enqueue_mail(tx, runtime.settings, mail_to("busy@example.com"))
        failed = await wait_until(lambda: _row(settings, refused), lambda row: row.status == "failed")
        assert failed.attempts == 1 and "refused the recipient nobody@example.com: 550" in failed.last_error
        retried = await wait_until(lambda: _row(settings, busy), lambda row: row.attempts >= 2)
        assert retried.status == "queued" and "451" in retried.last_error
        del sink.refuse["busy@example.com"]
        await wait_until(sink.message_ids, lambda ids: busy in ids, timeout_s=30)
    assert refused not in sink.message_ids()


async def test_a_temporary_failure_gives_up_after_the_last_attempt(settings, sink):
    sink.refuse["full@example.com"] = "452 4.2.2 Mailbox full"
    async with open_runtime(sending_to(settings, sink, mail_retry_s=0.05, mail_max_attempts=3)) as runtime:
        async with runtime.transaction() as tx:
            message_id = await enqueue_mail(tx, runtime.settings, mail_to("full@example.com"))
        row = await wait_until(lambda: _row(settings, message_id), lambda row: row.status == "failed")
    assert row.attempts == 3 and row.last_error.startswith("gave up after 3 attempts") and "452" in row.last_error


async def test_two_runtimes_send_200_mails_each_exactly_once(settings, sink):
    await two_runtimes_send_once(settings, sink, 200)


async def test_without_smtp_mail_waits_and_the_status_says_email_is_not_set_up(settings, client, make_agent, login):
    message_ids = await enqueue_committed(settings, [mail_to("later@example.com")])
    admin = bearer(login(make_agent(role="admin"))["token"])
    status = client.get("/api/v1/mail/status", headers=admin).json()
    assert status["configured"] is False and status["missing"] == ["CHATDESK_SMTP_URL", "CHATDESK_MAIL_FROM"]
    assert status["queued"] >= 1 and status["smtp"] is None and status["imap"] is None
    assert (await mail_rows(settings, message_ids))[message_ids[0]].attempts == 0


async def _row(settings, message_id: str):
    return (await mail_rows(settings, [message_id]))[message_id]



def test_a_server_killed_in_the_middle_of_sending_sends_the_mail_once_after_restart(settings, serve, sink):
    """The mail is committed and claimed, the server has sent DATA and waits for the answer: SIGKILL.
    The claim's lease (12 command time-outs of 2 s) runs out, and the restarted server sends it once."""
    sink.stall = True  # hold the answer to DATA: the sender is mid-send, the mail not yet accepted
    server = serve(CHATDESK_SMTP_URL=sink.url + "&timeout=2", CHATDESK_MAIL_FROM=MAIL_FROM)
    [message_id] = run(enqueue_committed(settings, [mail_to("crash@example.com")]))
    assert sink.stalled.wait(30), "the server never started sending"
    server.kill()
    held = run(mail_rows(settings, [message_id]))[message_id]
    assert held.status == "queued" and held.locked_until is not None and message_id not in sink.message_ids()
    sink.stall = False
    server.start()
    run(wait_until(lambda: _row(settings, message_id), lambda row: row.status == "sent", timeout_s=60))
    assert sink.message_ids().count(message_id) == 1


def test_admins_see_the_latest_smtp_error_and_metrics_count_the_retries(settings):
    relay = SmtpSink(credentials=("relay", "right")).start()
    try:
        wrong = sending_to(settings, relay, smtp_url=SecretStr(relay.url.replace("right", "wrong") + "&timeout=2"))
        with TestClient(create_app(wrong)) as client:
            run(enqueue_committed(wrong, [mail_to("someone@example.com")]))
            admin = create_account(settings.required("database_url"), "admin")
            token = client.post("/api/v1/auth/login", json={"email": admin["email"], "password": PASSWORD}).json()
            # Mail of earlier tests in this module may have failed before: wait for this one's error.
            status = run(wait_until(
                lambda: client.get("/api/v1/mail/status", headers=bearer(token["token"])).json(),
                lambda status: (status["last_error"] or {}).get("to") == "someone@example.com", timeout_s=20))
            metrics = client.get("/metrics").text
    finally:
        relay.stop()
    assert status["configured"] is True and status["smtp"] == f"relay@127.0.0.1:{relay.port} (TLS: off)"
    assert status["queued"] == 1 and status["last_error"]["to"] == "someone@example.com"
    assert "refused the user name or password: 535" in status["last_error"]["message"]
    assert 'chatdesk_mail_total{outcome="retry"}' in metrics


async def test_a_mail_to_no_address_is_refused_and_header_values_stay_on_one_line(settings, sink):
    async with open_runtime(sending_to(settings, sink)) as runtime:
        with pytest.raises(ApiError, match="is not an email address"):
            async with runtime.transaction() as tx:
                await enqueue_mail(tx, runtime.settings, mail_to("Ada <ada@example.com>\nBcc: x@example.com"))
        mail = OutgoingMail(to="ada@example.com", kind="test", headers={"In-Reply-To": "<a@x>\r\nBcc: x@example.com"},
                            content=MailContent("Hello\r\nBcc: x@example.com", "text", "<p>html</p>"))
        async with runtime.transaction() as tx:
            message_id = await enqueue_mail(tx, runtime.settings, mail)
        await wait_until(lambda: _row(settings, message_id), lambda row: row.status == "sent")
    [message] = [m for m in sink.messages() if m["Message-ID"] == message_id]
    assert message["Subject"] == "Hello Bcc: x@example.com" and message["Bcc"] is None
    assert message["In-Reply-To"] == "<a@x> Bcc: x@example.com"
