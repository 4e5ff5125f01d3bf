"""Whose data a request is about: a visitor (by id) or everyone who gave an email address, and the
chats, tickets and mails that are theirs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.db.tables import chats, mail_outbox, tickets, visitors
from chatdesk.errors import ApiError, not_found


@dataclass
class Subject:
    """The person a privacy request is about.

    By a visitor's id: that visitor, their chats, the tickets made from those chats, and the tickets
    and mails of the email address the visitor gave. By an email address: every visitor who gave it,
    and the same. The address is unverified (anyone may type any): whoever acts on it should know
    the request comes from its owner."""

    visitor_ids: list[uuid.UUID] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)  # lower case
    chat_ids: list[uuid.UUID] = field(default_factory=list)
    ticket_ids: list[uuid.UUID] = field(default_factory=list)

    def ids(self) -> list[str]:
        """Every id of the subject's records, as text: what events and deliveries about them carry."""
        return [str(value) for value in (*self.visitor_ids, *self.chat_ids, *self.ticket_ids)]


def _visitor_id(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


async def find_subject(conn: AsyncConnection, who: str, *, lock: bool = False) -> Subject:
    """The subject named by a visitor's id or an email address; 404 when nothing is kept about it.
    `lock`: the visitors' and chats' rows are locked (an erasure) and none of the chats may be open."""
    who = who.strip()
    visitor_id = _visitor_id(who)
    if visitor_id is not None:
        found = sa.select(visitors.c.id, visitors.c.email).where(visitors.c.id == visitor_id)
    elif "@" in who:
        found = sa.select(visitors.c.id, visitors.c.email).where(sa.func.lower(visitors.c.email) == who.lower())
    else:
        raise ApiError(422, "Give a visitor's id or an email address.", code="validation_failed")
    rows = (await conn.execute(found.with_for_update() if lock else found)).all()
    if visitor_id is not None and not rows:
        raise not_found("visitor")
    emails = {row.email.lower() for row in rows if row.email} | ({who.lower()} if visitor_id is None else set())
    subject = Subject(visitor_ids=[row.id for row in rows], emails=sorted(emails))
    query = sa.select(chats.c.id, chats.c.status).where(chats.c.visitor_id.in_(subject.visitor_ids))
    chat_rows = (await conn.execute((query.with_for_update() if lock else query).order_by(chats.c.created_at))).all()
    if lock and any(row.status != "ended" for row in chat_rows):
        raise ApiError(409, "This visitor has a chat that has not ended yet: end it first.", code="conflict")
    subject.chat_ids = [row.id for row in chat_rows]
    subject.ticket_ids = list((await conn.execute(
        sa.select(tickets.c.id).where(sa.or_(tickets.c.chat_id.in_(subject.chat_ids),
                                             sa.func.lower(tickets.c.requester_email).in_(subject.emails)))
        .order_by(tickets.c.created_at))).scalars())
    if not subject.visitor_ids and not subject.ticket_ids and not await _mailed(conn, subject.emails):
        raise not_found("visitor or ticket with this email address")
    return subject


async def _mailed(conn: AsyncConnection, emails: list[str]) -> bool:
    return (await conn.execute(sa.select(mail_outbox.c.id).where(
        sa.func.lower(mail_outbox.c.to_address).in_(emails)).limit(1))).first() is not None


def mails_of(subject: Subject) -> sa.ColumnElement[bool]:
    """The mails of the subject: about their tickets, to their address, or naming a ticket of theirs
    (agents' notices of a new or assigned ticket carry its link)."""
    return sa.or_(mail_outbox.c.ticket_id.in_(subject.ticket_ids),
                  sa.func.lower(mail_outbox.c.to_address).in_(subject.emails),
                  *[mail_outbox.c.text_body.contains(str(ticket_id)) for ticket_id in subject.ticket_ids])


async def search_visitors(conn: AsyncConnection, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Visitors whose id is `query`, or whose name or email contains it (the Privacy page's search);
    the newest when `query` is empty."""
    visitor_id = _visitor_id(query.strip())
    where: sa.ColumnElement[bool] = sa.true()
    if visitor_id is not None:
        where = visitors.c.id == visitor_id
    elif query.strip():
        pattern = "%" + query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where = sa.or_(visitors.c.name.ilike(pattern), visitors.c.email.ilike(pattern))
    chat_count = sa.select(sa.func.count()).where(chats.c.visitor_id == visitors.c.id).scalar_subquery()
    rows = (await conn.execute(
        sa.select(visitors.c.id, visitors.c.name, visitors.c.email, visitors.c.created_at, visitors.c.last_seen_at,
                  visitors.c.erased_at, chat_count.label("chats"))
        .where(where).order_by(visitors.c.created_at.desc()).limit(limit))).all()
    return [dict(row._mapping) for row in rows]
