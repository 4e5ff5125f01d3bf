"""Erasure: what a person told us, and what was written about them, replaced or removed.

Everything of the database goes in one transaction; the files after commit (`files.drop_files`),
and the entries of Redis's event streams that name their chats, tickets or visitor records after
that (they would expire within `streams.RETENTION_S` anyway). Rows stay where reports count them
(chats, messages, tickets and their timeline), with their text replaced by `ERASED`; what only
holds personal data is deleted (files, the Message-IDs of their mails, undelivered events).
An audit line says who erased which visitor ids, and when, with counts but no personal data.

Where personal data lives is listed in tests/test_privacy.py (`PERSONAL`, `NOT_PERSONAL`); a column
added to the schema must be placed in one or the other, and erased here if it is personal."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import sqlalchemy as sa

from chatdesk.db.tables import (
    attachments,
    audit_log,
    chats,
    inbound_mail,
    mail_outbox,
    messages,
    outbox,
    ticket_attachments,
    ticket_comments,
    tickets,
    visitors,
    webhook_deliveries,
)
from chatdesk.desk.audit import record_admin_action
from chatdesk.desk.auth.principal import Principal
from chatdesk.desk.privacy.files import drop_files
from chatdesk.desk.privacy.subject import Subject, find_subject, mails_of
from chatdesk.desk.transactions import Transactions, Tx
from chatdesk.realtime.streams import visitor_stream

log = logging.getLogger(__name__)

ERASED = "[erased]"
_EMPTY_JSON = sa.text("'{}'::jsonb")
# A visitor erased: what they told us, and what their browser and the host site said of them, gone.
VISITOR_ERASED = {"name": None, "email": None, "page_url": None, "user_agent": None, "fields": _EMPTY_JSON,
                  "user_id": None, "language": None, "consented_at": None, "erased_at": sa.func.now()}


def _mentions(column: Any, ids: list[str]) -> sa.ColumnElement[bool]:
    """The JSON column's text names one of `ids`."""
    return sa.cast(column, sa.Text).like(sa.any_(sa.cast([f"%{value}%" for value in ids], sa.ARRAY(sa.Text))))


async def _forget_events(tx: Tx, keys: list[uuid.UUID]) -> None:
    """Webhook deliveries about these chats or tickets keep their type and status, not their payload
    (or the receiver's answers, which may echo it); one not delivered yet never will be. Events not
    yet pushed to Redis are dropped."""
    if not keys:
        return
    d = webhook_deliveries
    await tx.conn.execute(d.update().where(d.c.ordering_key.in_(keys)).values(
        payload=sa.text("""'{"erased": true}'::jsonb"""), responses=sa.text("'[]'::jsonb"),
        last_error=sa.case((d.c.status == "pending", "erased before it was delivered"), else_=None),
        status=sa.case((d.c.status == "pending", "failed"), else_=d.c.status)))
    await tx.conn.execute(outbox.delete().where(_mentions(outbox.c.payload, [str(key) for key in keys])))


async def erase_chats(tx: Tx, chat_ids: list[uuid.UUID]) -> dict[str, int]:
    """Erase ended chats: every message's text (internal notes and system lines' words too), the
    visitor's name on their messages, the rating's comment, the files; the rows stay for reports.
    What the retention job does to each old chat, and an erasure to each of the person's chats."""
    if not chat_ids:
        return {"chats": 0, "files": 0}
    await tx.conn.execute(messages.update().where(messages.c.chat_id.in_(chat_ids)).values(
        body=ERASED, sender_name=sa.case((messages.c.sender_type == "visitor", None), else_=messages.c.sender_name),
        system_line=None))
    keys = (await tx.conn.execute(attachments.delete().where(attachments.c.chat_id.in_(chat_ids))
                                  .returning(attachments.c.storage_key, attachments.c.thumbnail_key))).all()
    await tx.conn.execute(chats.update().where(chats.c.id.in_(chat_ids))
                          .values(rating_comment=None, erased_at=sa.func.now()))
    await _forget_events(tx, chat_ids)
    return {"chats": len(chat_ids), "files": await drop_files(tx, [key for row in keys for key in row])}


async def _erase_tickets(tx: Tx, ticket_ids: list[uuid.UUID]) -> int:
    """Subjects and the whole timeline's text, the requester, the files, the mails' Message-IDs; the
    customer's links stop working. How many files were dropped."""
    if not ticket_ids:
        return 0
    await tx.conn.execute(tickets.update().where(tickets.c.id.in_(ticket_ids)).values(
        subject=ERASED, requester_name=None, requester_email=None, link_version=tickets.c.link_version + 1))
    c = ticket_comments
    await tx.conn.execute(c.update().where(c.c.ticket_id.in_(ticket_ids)).values(
        body=ERASED, author_name=sa.case((c.c.author_type == "visitor", None), else_=c.c.author_name)))
    keys = (await tx.conn.execute(ticket_attachments.delete().where(ticket_attachments.c.ticket_id.in_(ticket_ids))
                                  .returning(ticket_attachments.c.storage_key))).scalars().all()
    await tx.conn.execute(inbound_mail.delete().where(inbound_mail.c.ticket_id.in_(ticket_ids)))
    await _forget_events(tx, ticket_ids)
    return await drop_files(tx, list(keys))


async def _erase_mails(tx: Tx, subject: Subject) -> int:
    """Mails to them or about their tickets keep their kind and dates; one not sent yet never will be."""
    m = mail_outbox
    result = await tx.conn.execute(m.update().where(mails_of(subject)).values(
        to_address=ERASED, subject=ERASED, text_body=ERASED, html_body=None, headers=_EMPTY_JSON,
        last_error=sa.case((m.c.status == "queued", "erased before it was sent"), else_=None),
        status=sa.case((m.c.status == "queued", "failed"), else_=m.c.status)))
    return result.rowcount


async def erase_subject(tx: Tx, subject: Subject, actor: Principal | None) -> dict[str, int]:
    """Erase everything of the subject in `tx` (found with `find_subject(lock=True)`), and write the audit line."""
    counts = await erase_chats(tx, subject.chat_ids)
    counts["files"] += await _erase_tickets(tx, subject.ticket_ids)
    counts["tickets"] = len(subject.ticket_ids)
    counts["mails"] = await _erase_mails(tx, subject)
    await tx.conn.execute(visitors.update().where(visitors.c.id.in_(subject.visitor_ids)).values(VISITOR_ERASED))
    counts["visitors"] = len(subject.visitor_ids)
    if subject.emails:  # an admin's earlier line that named them
        await tx.conn.execute(audit_log.update().where(_mentions(audit_log.c.details, subject.emails))
                              .values(details=_EMPTY_JSON))
    await record_admin_action(tx.conn, actor, "privacy.erase", "visitor",
                              ",".join(str(v) for v in subject.visitor_ids),
                              {**counts, "ticket_ids": [str(t) for t in subject.ticket_ids]})
    return counts


async def erase(transaction: Transactions, who: str, actor: Principal | None) -> dict[str, int]:
    """Erase the person named by a visitor's id or an email address (`find_subject`): the counts of
    what was erased. After commit, their event streams go from Redis."""
    async with transaction() as tx:
        subject = await find_subject(tx.conn, who, lock=True)
        counts = await erase_subject(tx, subject, actor)
    await forget_streams(transaction, subject)
    return counts


async def forget_streams(transaction: Transactions, subject: Subject) -> None:
    """Their visitors' event streams deleted, and other streams' events that name their records; a
    failure is logged (the events expire within a day regardless)."""
    try:
        await transaction.outbox.streams.forget([visitor_stream(v) for v in subject.visitor_ids], subject.ids())
    except Exception:  # Redis away: the events expire by themselves
        log.warning("could not remove erased events from Redis; they expire within a day", exc_info=True)
