"""History: every chat, found by its words or its visitor, filtered, newest first, with the best snippet.

Words match through PostgreSQL full-text search: message bodies (internal notes and system lines
too: agents read every chat whole) and the visitor's name and email, in one text search
configuration (`CHATDESK_SEARCH_LANGUAGE`). The GIN indexes of migration 0007 are for `simple`.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.db.tables import (
    MESSAGE_DOCUMENT,
    VISITOR_DOCUMENT,
    agents,
    attachments,
    chats,
    departments,
    messages,
    search_document,
    visitors,
)

# ts_headline marks a match with these; they are taken out of bodies first, so every pair is ours.
MARK_START, MARK_STOP = "\x02", "\x03"
_MARKS = f"StartSel={MARK_START}, StopSel={MARK_STOP}"
_WHOLE = f"{_MARKS}, HighlightAll=true"
_FRAGMENTS = f'{_MARKS}, MaxWords=20, MinWords=10, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "'
WHOLE_MESSAGE_CHARS = 240  # a snippet shows a message this short whole


@dataclass(frozen=True)
class HistoryFilter:
    """What to look for; None leaves a criterion out. `rating` "none" means not rated; `answered` is
    whether anyone ever took the chat, `answered_by` who took it first (kept through transfers)."""

    text: str | None = None
    created_from: datetime | None = None  # inclusive
    created_to: datetime | None = None  # exclusive
    status: str | None = None
    agent_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    rating: str | None = None
    has_attachments: bool | None = None
    answered: bool | None = None
    answered_by: uuid.UUID | None = None
    limit: int = 25
    after: tuple[datetime, uuid.UUID] | None = None  # the last chat of the page before (a cursor)


def encode_cursor(created_at: datetime, chat_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{chat_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The (created_at, id) a cursor holds; ValueError if it is not one of ours."""
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    created_at, chat_id = raw.split("|")
    stamp = datetime.fromisoformat(created_at)
    if stamp.tzinfo is None:
        raise ValueError("a cursor's time has its zone")
    return stamp, uuid.UUID(chat_id)


def _regconfig(config: str) -> sa.ColumnElement:
    return sa.literal_column(f"'{config}'::regconfig")


def _document(expression: str, config: str) -> sa.ColumnElement:
    return sa.literal_column(search_document(expression, config))


def _tsquery(config: str) -> sa.ColumnElement:
    return sa.func.websearch_to_tsquery(_regconfig(config), sa.bindparam("text", type_=sa.Text))


def _matches(config: str) -> sa.ColumnElement:
    """A chat with a message, or a visitor, that matches the words.

    PostgreSQL hashes each side's ids once (a GIN index scan) and then walks the chats newest first
    (ix_chats_created_at_id) until a page is full; a union of the two sides in one IN would be
    joined row by row instead."""
    query = _tsquery(config)
    by_message = sa.select(messages.c.chat_id).where(_document(MESSAGE_DOCUMENT, config).op("@@")(query))
    by_visitor = sa.select(visitors.c.id).where(_document(VISITOR_DOCUMENT, config).op("@@")(query))
    return sa.or_(chats.c.id.in_(by_message), chats.c.visitor_id.in_(by_visitor))


_agent = agents.alias("history_agent")
_HAS_ATTACHMENTS = sa.exists().where(attachments.c.chat_id == chats.c.id, attachments.c.message_id.isnot(None))


def _conditions(search: HistoryFilter, config: str) -> list[sa.ColumnElement]:
    where: list[sa.ColumnElement] = []
    if search.text:
        where.append(_matches(config))
    if search.created_from:
        where.append(chats.c.created_at >= search.created_from)
    if search.created_to:
        where.append(chats.c.created_at < search.created_to)
    if search.status:
        where.append(chats.c.status == search.status)
    if search.agent_id:
        where.append(chats.c.agent_id == search.agent_id)
    if search.department_id:
        where.append(chats.c.department_id == search.department_id)
    if search.rating:
        where.append(chats.c.rating.is_(None) if search.rating == "none" else chats.c.rating == search.rating)
    if search.has_attachments is not None:
        where.append(_HAS_ATTACHMENTS if search.has_attachments else ~_HAS_ATTACHMENTS)
    if search.answered is not None:
        where.append(chats.c.first_assigned_at.isnot(None) if search.answered else chats.c.first_assigned_at.is_(None))
    if search.answered_by:
        where.append(chats.c.first_agent_id == search.answered_by)
    if search.after:
        where.append(sa.tuple_(chats.c.created_at, chats.c.id) < sa.tuple_(*search.after))
    return where


def _page_query(search: HistoryFilter, config: str) -> sa.Select:
    return (
        sa.select(chats.c.id, chats.c.status, chats.c.created_at, chats.c.ended_at, chats.c.rating,
                  chats.c.rating_comment, chats.c.last_seq, chats.c.visitor_id, visitors.c.name.label("visitor_name"),
                  visitors.c.email.label("visitor_email"), chats.c.agent_id, _agent.c.name.label("agent_name"),
                  chats.c.department_id, departments.c.name.label("department_name"),
                  _HAS_ATTACHMENTS.label("has_attachments"))
        .join(visitors, visitors.c.id == chats.c.visitor_id)
        .join(departments, departments.c.id == chats.c.department_id)
        .outerjoin(_agent, _agent.c.id == chats.c.agent_id)
        .where(*_conditions(search, config))
        .order_by(chats.c.created_at.desc(), chats.c.id.desc())
        .limit(search.limit + 1)
    )


def _snippets_query(config: str) -> sa.Select:
    """Per chat of a page, its best matching message (highest rank, then earliest), headlined: a short
    message whole, a long one as the fragments around its matches."""
    document, query = _document(MESSAGE_DOCUMENT, config), _tsquery(config)
    place = sa.func.row_number().over(partition_by=messages.c.chat_id,
                                      order_by=(sa.func.ts_rank(document, query).desc(), messages.c.seq))
    ranked = (
        sa.select(messages.c.chat_id, messages.c.body, place.label("place"))
        .where(messages.c.chat_id.in_(sa.bindparam("chat_ids", expanding=True)), document.op("@@")(query))
        .subquery()
    )
    body = sa.func.translate(ranked.c.body, MARK_START + MARK_STOP, "")
    regconfig = _regconfig(config)
    headline = sa.case(
        (sa.func.length(body) <= WHOLE_MESSAGE_CHARS, sa.func.ts_headline(regconfig, body, query, _WHOLE)),
        else_=sa.func.ts_headline(regconfig, body, query, _FRAGMENTS))
    return sa.select(ranked.c.chat_id, headline).where(ranked.c.place == 1)


def snippet_parts(headline: str) -> list[dict[str, Any]]:
    """A headline as text parts, each a match or not (the browser marks matches up as text, never HTML)."""
    parts: list[dict[str, Any]] = []
    for index, chunk in enumerate(headline.split(MARK_START)):
        matched, _, rest = chunk.partition(MARK_STOP) if index else ("", "", chunk)
        parts += [{"text": matched, "match": True}] if matched else []
        parts += [{"text": rest, "match": False}] if rest else []
    return parts


def _result(row: Any, headline: str | None) -> dict[str, Any]:
    return {
        "id": row.id, "status": row.status, "created_at": row.created_at, "ended_at": row.ended_at,
        "visitor": {"id": row.visitor_id, "name": row.visitor_name, "email": row.visitor_email},
        "agent": {"id": row.agent_id, "name": row.agent_name} if row.agent_id else None,
        "department": {"id": row.department_id, "name": row.department_name},
        "rating": row.rating, "rating_comment": row.rating_comment,
        "message_count": row.last_seq, "has_attachments": row.has_attachments,
        "snippet": snippet_parts(headline) if headline else None,
    }


async def search_chats(conn: AsyncConnection, search: HistoryFilter, config: str) -> dict[str, Any]:
    """A page of chats matching `search`, newest first: `{chats, next_cursor}` (None on the last page)."""
    text = (search.text or "").strip() or None
    search = replace(search, text=text)
    # Plan each search for its own words: a generic plan cannot tell a rare word from a common one.
    await conn.execute(sa.text("SET LOCAL plan_cache_mode = force_custom_plan"))
    rows = (await conn.execute(_page_query(search, config), {"text": text})).all()
    page, more = rows[:search.limit], len(rows) > search.limit
    headlines: dict[uuid.UUID, str] = {}
    if text and page:
        found = await conn.execute(_snippets_query(config), {"text": text, "chat_ids": [row.id for row in page]})
        headlines = dict(found.all())
    return {"chats": [_result(row, headlines.get(row.id)) for row in page],
            "next_cursor": encode_cursor(page[-1].created_at, page[-1].id) if more else None}
