"""What an agent sees about a visitor: who they are, where they came from, their chats and tickets."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.db.tables import agents, chats, tickets, visitors
from chatdesk.errors import not_found

# The visitor panel shows recent history; older chats and tickets are in the ticket list.
HISTORY_LIMIT = 20


async def visitor_profile(conn: AsyncConnection, visitor_id: uuid.UUID) -> dict[str, Any]:
    """The visitor with their pre-chat fields, their recent chats and the tickets of those chats; apart, the
    tickets that only share the email the visitor typed (unverified: it may be someone else's)."""
    visitor = (await conn.execute(sa.select(visitors).where(visitors.c.id == visitor_id))).first()
    if visitor is None:
        raise not_found("visitor")
    chat_rows = (await conn.execute(
        sa.select(chats.c.id, chats.c.status, chats.c.created_at, chats.c.ended_at, chats.c.last_seq,
                  agents.c.name.label("agent_name"))
        .outerjoin(agents, agents.c.id == chats.c.agent_id)
        .where(chats.c.visitor_id == visitor_id).order_by(chats.c.created_at.desc()).limit(HISTORY_LIMIT)
    )).all()
    mine = tickets.c.chat_id.in_(sa.select(chats.c.id).where(chats.c.visitor_id == visitor_id))
    # Anyone may type any email in the pre-chat form: tickets found through it alone are kept apart.
    same_email = []
    if visitor.email:
        not_mine = sa.or_(tickets.c.chat_id.is_(None), ~mine)
        same_email = await _tickets(conn, sa.and_(sa.func.lower(tickets.c.requester_email) == visitor.email.lower(),
                                                  not_mine))
    return {
        "visitor": {
            "id": visitor.id, "name": visitor.name, "email": visitor.email, "page_url": visitor.page_url,
            "user_agent": visitor.user_agent, "fields": visitor.fields, "widget_id": visitor.widget_id,
            "created_at": visitor.created_at, "last_seen_at": visitor.last_seen_at,
            "verified": visitor.user_id is not None, "user_id": visitor.user_id, "language": visitor.language,
            "consented_at": visitor.consented_at,
        },
        "chats": [{"id": row.id, "status": row.status, "created_at": row.created_at, "ended_at": row.ended_at,
                   "messages": row.last_seq, "agent": row.agent_name} for row in chat_rows],
        "tickets": await _tickets(conn, mine),
        "same_email_tickets": same_email,
    }


async def _tickets(conn: AsyncConnection, where: sa.ColumnElement[bool]) -> list[dict[str, Any]]:
    rows = (await conn.execute(
        sa.select(tickets.c.id, tickets.c.subject, tickets.c.status, tickets.c.created_at, tickets.c.chat_id)
        .where(where).order_by(tickets.c.created_at.desc()).limit(HISTORY_LIMIT)
    )).all()
    return [dict(row._mapping) for row in rows]
