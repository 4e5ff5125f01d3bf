"""Customers' replies by mail, read over IMAP from a real server (Dovecot, the `mailbox` fixture):
matched to their ticket by the reply headers, the subject's reference or a plus address, quoted
history stripped, files kept; an unmatched mail opens a ticket; any number of readers take a mail once."""

from __future__ import annotations

import ssl
import uuid
from pathlib import Path

import aiohttp
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from pydantic import SecretStr

from chatdesk.config import ImapServer
from chatdesk.db.engine import create_engine
from chatdesk.db.tables import inbound_mail, ticket_comments, tickets
from chatdesk.desk.mail.imap import fetch, selected, unread_uids
from chatdesk.desk.mail.queue import OutgoingMail
from chatdesk.desk.mail.templates import MailContent
from chatdesk.desk.runtime import open_runtime
from chatdesk.desk.ticket_mail import ticket_ref
from tests.conftest import migrated_database
from tests.files_samples import image
from tests.imap_helpers import PASSWORD, USER, Dovecot, customer_mail
from tests.mail_helpers import enqueue_committed
from tests.realtime_helpers import connected_agent, new_widget, wait_until
from tests.test_workspace_tickets import offline_message, signed_in

QUOTED = """\
It arrived broken, photo attached.

Ada

On Sun, 29 Nov 2026 at 10:00, Support <support@example.com> wrote:
> Your parcel left our warehouse today.
> Kind regards
"""


@pytest.fixture(scope="module")
def database_url(new_database) -> str:
    """A database of this module's own: the tickets it counts are this module's."""
    return migrated_database(new_database)


def reading(settings, mailbox):
    """`settings` that read `mailbox`, looking at it every second when IDLE says nothing."""
    return settings.model_copy(update={"imap_url": SecretStr(mailbox.url), "imap_poll_s": 1.0})


async def _fetch(settings, query) -> list:
    """Run `query` in a committed transaction of a connection of our own; its rows."""
    engine = create_engine(settings.required("database_url"), pool_size=1)
    try:
        async with engine.begin() as conn:
            return list((await conn.execute(query)).all())
    finally:
        await engine.dispose()


async def _new_ticket(settings, subject: str = "Where is my parcel?", status: str = "open") -> uuid.UUID:
    rows = await _fetch(settings, tickets.insert().values(
        subject=subject, requester_name="Ada Lovelace", requester_email="ada@example.com", status=status,
        source="offline_message").returning(tickets.c.id))
    return rows[0].id


def _visitor_comments(settings, ticket_id):
    return _fetch(settings, sa.select(ticket_comments).where(
        ticket_comments.c.ticket_id == ticket_id, ticket_comments.c.author_type == "visitor")
        .order_by(ticket_comments.c.created_at))


async def test_a_customer_s_reply_by_mail_lands_in_its_ticket_live_with_its_file(
        settings, serve, mailbox, make_agent, database_url):
    """Acceptance: the reply to a mail chatdesk sent comes back into the same ticket,
    quoted text stripped, its attachment downloadable, agents told live."""
    agent = make_agent(name="Grace")
    await new_widget(database_url)
    ticket_id = await _new_ticket(settings, status="pending")
    [sent_id] = await enqueue_committed(settings, [OutgoingMail(
        to="ada@example.com", content=MailContent("Re: Where is my parcel?", "Your parcel left today.", None),
        kind="ticket_reply", ticket_id=ticket_id)])
    server = serve(CHATDESK_IMAP_URL=mailbox.url, CHATDESK_IMAP_POLL_S="1")
    client, log = await connected_agent(server.base_url, agent)
    photo = image("PNG")
    mailbox.append(customer_mail(
        subject="Re: Where is my parcel?", body=QUOTED, headers={"In-Reply-To": sent_id, "References": sent_id},
        files=[("broken.png", "image/png", photo)]))
    event = await log.wait_for(lambda e: e.type == "ticket.updated" and e.data["ticket"]["id"] == str(ticket_id),
                               timeout=30)
    assert event.data["ticket"]["status"] == "open"  # the reply reopened it
    _, ticket = await client.request("GET", f"/api/v1/tickets/{ticket_id}")
    [reply] = [c for c in ticket["comments"] if c["author"]["type"] == "visitor"]
    assert reply["body"] == "It arrived broken, photo attached.\n\nAda"
    assert reply["author"]["name"] == "Ada Lovelace"
    [file] = reply["attachments"]
    assert (file["name"], file["size"], file["content_type"]) == ("broken.png", len(photo), "image/png")
    async with aiohttp.ClientSession() as session, session.get(
            server.base_url + file["url"], headers={"Authorization": f"Bearer {client.token}"}) as response:
        assert response.status == 200 and await response.read() == photo
    await wait_until(mailbox.unread, lambda unread: unread == 0)  # flagged \Seen once committed
    await log.close()
    await client.close()


async def test_the_subject_s_reference_or_a_plus_address_matches_and_an_unknown_sender_opens_a_ticket(
        settings, mailbox):
    by_subject, by_address = await _new_ticket(settings), await _new_ticket(settings)
    mailbox.append(customer_mail(subject=f"Re: Your parcel [#{ticket_ref(by_subject)}]", body="Thanks!",
                                 sender="Someone Else <else@example.org>"))
    mailbox.append(customer_mail(subject="About my order", body="Any news?",
                                 to=f"Support <support+t-{ticket_ref(by_address)}@example.com>"))
    mailbox.append(customer_mail(subject="Hello there", sender="Lin <lin@example.net>", body=None,
                                 html="<div>Do you ship to <b>Norway</b>?</div><blockquote>Old news</blockquote>"))
    async with open_runtime(reading(settings, mailbox)):
        await wait_until(mailbox.unread, lambda unread: unread == 0, timeout_s=30)
    assert [c.body for c in await _visitor_comments(settings, by_subject)] == ["Thanks!"]
    assert [c.body for c in await _visitor_comments(settings, by_address)] == ["Any news?"]
    [opened] = await _fetch(settings, sa.select(tickets).where(tickets.c.requester_email == "lin@example.net"))
    assert (opened.source, opened.subject, opened.requester_name, opened.status) == (
        "email", "Hello there", "Lin", "open")
    assert [c.body for c in await _visitor_comments(settings, opened.id)] == ["Do you ship to Norway?"]


async def test_a_reply_to_a_customer_s_own_mail_joins_the_ticket_it_opened(settings, mailbox):
    first = customer_mail(subject="Broken lamp", body="The lamp flickers.", sender="bo@example.com")
    mailbox.append(first)
    mailbox.append(customer_mail(subject="Re: Broken lamp", body="And now it is dark.", sender="bo@example.com",
                                 headers={"In-Reply-To": first["Message-ID"]}))
    async with open_runtime(reading(settings, mailbox)):
        await wait_until(mailbox.unread, lambda unread: unread == 0, timeout_s=30)
    [ticket] = await _fetch(settings, sa.select(tickets).where(tickets.c.requester_email == "bo@example.com"))
    assert [c.body for c in await _visitor_comments(settings, ticket.id)] == [
        "The lamp flickers.", "And now it is dark."]


async def test_two_readers_of_one_mailbox_take_each_mail_once(settings, mailbox):
    ticket_id = await _new_ticket(settings)
    mails = [customer_mail(subject=f"Race {n} [#{ticket_ref(ticket_id)}]", body=f"Reply {n}") for n in range(12)]
    async with open_runtime(reading(settings, mailbox)), open_runtime(reading(settings, mailbox)):
        for mail in mails:  # both readers wait in IDLE and wake at each one
            mailbox.append(mail)
        await wait_until(mailbox.unread, lambda unread: unread == 0, timeout_s=30)
    bodies = [c.body for c in await _visitor_comments(settings, ticket_id)]
    assert sorted(bodies) == sorted(f"Reply {n}" for n in range(12))
    taken = await _fetch(settings, sa.select(inbound_mail).where(
        inbound_mail.c.message_id.in_([m["Message-ID"] for m in mails])))
    assert len(taken) == 12 and {row.ticket_id for row in taken} == {ticket_id}


async def test_a_mail_read_again_after_a_crash_before_its_flag_is_not_added_twice(settings, mailbox):
    """The comment committed, the process died before flagging the mail \\Seen: the next reader
    finds the mail taken, flags it, and adds nothing."""
    ticket_id = await _new_ticket(settings)
    mail = customer_mail(subject=f"Again [#{ticket_ref(ticket_id)}]", body="Only once, please")
    mailbox.append(mail)
    async with open_runtime(settings) as runtime:  # no reader: take it the way the reader does, no flag
        from chatdesk.desk.mail.inbound import take_mail
        from chatdesk.desk.mail.incoming import parse_mail
        async with runtime.transaction() as tx:
            await take_mail(tx, runtime.settings, runtime.storage, parse_mail(bytes(mail)), [])
    assert mailbox.unread() == 1
    async with open_runtime(reading(settings, mailbox)):
        await wait_until(mailbox.unread, lambda unread: unread == 0, timeout_s=30)
    assert [c.body for c in await _visitor_comments(settings, ticket_id)] == ["Only once, please"]


async def test_files_over_the_limit_or_of_refused_kinds_are_named_in_the_timeline(settings, mailbox):
    ticket_id = await _new_ticket(settings)
    mailbox.append(customer_mail(
        subject=f"Files [#{ticket_ref(ticket_id)}]", body="Three files",
        files=[("notes.txt", "text/plain", b"fine"), ("big.txt", "text/plain", b"x" * 2000),
               ("run.exe", "application/octet-stream", b"MZ\x90\x00" + b"\x00" * 60)]))
    async with open_runtime(reading(settings, mailbox).model_copy(update={"upload_max_bytes": 1000})):
        await wait_until(mailbox.unread, lambda unread: unread == 0, timeout_s=30)
    system = [c.body for c in await _fetch(settings, sa.select(ticket_comments).where(
        ticket_comments.c.ticket_id == ticket_id, ticket_comments.c.author_type == "system"))]
    assert "big.txt was not kept: files are at most 1000 bytes" in system
    assert any(line.startswith("run.exe was not kept") for line in system), system


def test_the_agent_watching_the_ticket_sees_the_reply_arrive_and_downloads_its_file(
        page: Page, serve, mailbox, settings, database_url, redis_url, make_agent):
    grace = make_agent(name="Grace Hopper")
    server = serve(CHATDESK_IMAP_URL=mailbox.url, CHATDESK_IMAP_POLL_S="1")
    ticket_id = offline_message(server.base_url, database_url, "My invoice is wrong")
    signed_in(page, server.base_url, redis_url, grace)
    page.evaluate(f"location.hash = '#/tickets/{ticket_id}'")
    timeline = page.get_by_role("list", name="Activity")
    expect(timeline.locator(".comment")).to_have_count(1)
    mailbox.append(customer_mail(
        subject=f"Re: My invoice is wrong [#{ticket_ref(uuid.UUID(ticket_id))}]", body=QUOTED,
        sender="Priya Patel <priya@example.com>", files=[("invoice.csv", "text/csv", b"item,price\nlamp,12\n")]))
    reply = page.get_by_role("article", name="Comment by Priya Patel (customer)").nth(1)
    expect(reply).to_contain_text("It arrived broken, photo attached.")
    expect(reply).not_to_contain_text("Your parcel left our warehouse")
    link = reply.get_by_role("link", name="invoice.csv")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "invoice.csv"
    assert Path(download.value.path()).read_bytes() == b"item,price\nlamp,12\n"


@pytest.mark.server
@pytest.mark.parametrize("scheme", ["imap", "imaps"])
async def test_the_reader_signs_in_over_starttls_or_tls_from_the_first_byte(monkeypatch, scheme):
    mailbox = Dovecot(tls=True).start()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(mailbox.certificate))  # trust the test server's own certificate
        port = mailbox.port if scheme == "imap" else mailbox.tls_port
        server = ImapServer.parse(f"{scheme}://{USER}:{PASSWORD}@127.0.0.1:{port}/INBOX?timeout=5")
        assert server.tls == ("starttls" if scheme == "imap" else "implicit")
        mailbox.append(customer_mail(subject="Over TLS", body="Secret"))
        async with selected(server) as client:
            assert isinstance(client.protocol.transport.get_extra_info("ssl_object"), ssl.SSLObject)
            [uid] = await unread_uids(client)
            assert b"Subject: Over TLS" in (await fetch(client, uid) or b"")
    finally:
        mailbox.stop()
