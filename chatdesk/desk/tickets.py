"""Tickets: offline messages and chats that need follow-up, with comments and a status."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.db.tables import agents, departments, ticket_comments, tickets, widgets
from chatdesk.desk.auth.principal import Principal
from chatdesk.desk.chats import load_chat
from chatdesk.desk.transcripts import as_text, thread_of
from chatdesk.errors import ApiError, not_found

_assignee = agents.alias("assignee")
_TICKET = sa.select(tickets, _assignee.c.name.label("assignee_name")).outerjoin(
    _assignee, _assignee.c.id == tickets.c.assignee_id)


def ticket_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id, "subject": row.subject, "status": row.status, "source": row.source,
        "requester": {"name": row.requester_name, "email": row.requester_email},
        "assignee": {"id": row.assignee_id, "name": row.assignee_name} if row.assignee_id else None,
        "chat_id": row.chat_id, "department_id": row.department_id, "widget_id": row.widget_id,
        "created_at": row.created_at, "updated_at": row.updated_at,
    }


def comment_json(row: Any) -> dict[str, Any]:
    return {"id": row.id, "author": {"type": row.author_type, "id": row.author_id, "name": row.author_name},
            "body": row.body, "created_at": row.created_at}


def _subject(text: str) -> str:
    first_line = text.strip().splitlines()[0] if text.strip() else "Message"
    return first_line if len(first_line) <= 80 else first_line[:79] + "…"


async def _open_ticket(conn: AsyncConnection, *, comment_author: tuple[str, Any, str | None], comment: str,
                       **values: Any) -> uuid.UUID:
    ticket_id = (await conn.execute(tickets.insert().values(**values).returning(tickets.c.id))).scalar_one()
    author_type, author_id, author_name = comment_author
    await conn.execute(ticket_comments.insert().values(ticket_id=ticket_id, author_type=author_type,
                                                       author_id=author_id, author_name=author_name, body=comment))
    return ticket_id


async def ticket_from_offline_message(conn: AsyncConnection, widget_id: uuid.UUID, name: str, email: str,
                                      body: str) -> uuid.UUID:
    """A visitor's message left while nobody was online becomes an open ticket."""
    if (await conn.execute(sa.select(widgets.c.id).where(widgets.c.id == widget_id))).first() is None:
        raise not_found("widget")
    department = (await conn.execute(sa.select(departments.c.id).where(departments.c.is_default))).scalar()
    return await _open_ticket(conn, subject=_subject(body), requester_name=name, requester_email=email,
                              source="offline_message", widget_id=widget_id, department_id=department,
                              comment_author=("visitor", None, name), comment=body)


async def ticket_from_chat(conn: AsyncConnection, agent: Principal, chat_id: uuid.UUID) -> tuple[uuid.UUID, bool]:
    """A chat turned into a ticket carrying its transcript; the same ticket again on a repeat: (id, created)."""
    chat = await load_chat(conn, agent, chat_id, lock=True)
    existing = (await conn.execute(sa.select(tickets.c.id).where(tickets.c.chat_id == chat_id))).scalar()
    if existing is not None:
        return existing, False
    transcript = as_text(chat, await thread_of(conn, chat_id))
    ticket_id = await _open_ticket(
        conn, subject=f"Chat with {chat.visitor_name or 'a visitor'}", requester_name=chat.visitor_name,
        requester_email=chat.visitor_email, source="chat", chat_id=chat_id, widget_id=chat.widget_id,
        department_id=chat.department_id, assignee_id=agent.id,
        comment_author=("system", None, "chatdesk"), comment=transcript)
    return ticket_id, True


async def list_tickets(conn: AsyncConnection, status: str | None, assignee_id: uuid.UUID | None) -> list[dict]:
    query = _TICKET.order_by(tickets.c.created_at.desc()).limit(200)
    if status:
        query = query.where(tickets.c.status == status)
    if assignee_id:
        query = query.where(tickets.c.assignee_id == assignee_id)
    return [ticket_json(row) for row in (await conn.execute(query)).all()]


async def get_ticket(conn: AsyncConnection, ticket_id: uuid.UUID) -> dict[str, Any]:
    """A ticket with its comments, oldest first."""
    row = (await conn.execute(_TICKET.where(tickets.c.id == ticket_id))).first()
    if row is None:
        raise not_found("ticket")
    comments = (await conn.execute(
        sa.select(ticket_comments).where(ticket_comments.c.ticket_id == ticket_id)
        .order_by(ticket_comments.c.created_at)
    )).all()
    return {**ticket_json(row), "comments": [comment_json(c) for c in comments]}


async def add_comment(conn: AsyncConnection, agent: Principal, ticket_id: uuid.UUID, body: str) -> dict[str, Any]:
    await get_ticket(conn, ticket_id)
    row = (await conn.execute(ticket_comments.insert().values(
        ticket_id=ticket_id, author_type="agent", author_id=agent.id, author_name=agent.name, body=body,
    ).returning(ticket_comments))).one()
    await conn.execute(tickets.update().where(tickets.c.id == ticket_id).values(updated_at=sa.func.now()))
    return comment_json(row)


async def update_ticket(conn: AsyncConnection, ticket_id: uuid.UUID, changes: dict[str, Any]) -> dict[str, Any]:
    if "assignee_id" in changes and changes["assignee_id"] is not None:
        known = (await conn.execute(sa.select(agents.c.id).where(agents.c.id == changes["assignee_id"]))).first()
        if known is None:
            raise ApiError(422, "Unknown assignee.", fields={"assignee_id": "No such agent."})
    if changes:
        await conn.execute(tickets.update().where(tickets.c.id == ticket_id).values(**changes))
    return await get_ticket(conn, ticket_id)
