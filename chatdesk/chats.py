"""Chats: start, read, accept, end, and who may see which chat."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.auth.principal import Principal
from chatdesk.db.tables import agent_departments, agents, chats, departments, visitors
from chatdesk.errors import ApiError, forbidden, not_found
from chatdesk.realtime.outbox import Tx
from chatdesk.realtime.streams import agent_stream, visitor_stream
from chatdesk.thread import append_system_message, participant_streams

_agent = agents.alias("assigned_agent")

_CHAT = (
    sa.select(
        chats,
        visitors.c.name.label("visitor_name"),
        visitors.c.email.label("visitor_email"),
        _agent.c.name.label("agent_name"),
    )
    .join(visitors, visitors.c.id == chats.c.visitor_id)
    .outerjoin(_agent, _agent.c.id == chats.c.agent_id)
)


def chat_json(row: Any, queue_position: int | None = None) -> dict[str, Any]:
    """A chat as API.md shows it."""
    return {
        "id": row.id,
        "status": row.status,
        "department_id": row.department_id,
        "visitor": {"id": row.visitor_id, "name": row.visitor_name, "email": row.visitor_email},
        "agent": {"id": row.agent_id, "name": row.agent_name} if row.agent_id else None,
        "priority": row.priority,
        "queue_position": queue_position,
        "estimated_wait_s": None,
        "created_at": row.created_at,
        "assigned_at": row.assigned_at,
        "ended_at": row.ended_at,
        "last_seq": row.last_seq,
    }


async def load_chat(conn: AsyncConnection, principal: Principal, chat_id: uuid.UUID, *, lock: bool = False) -> Any:
    """The chat if the caller may see it: its own visitor, or any agent. 404 otherwise."""
    query = _CHAT.where(chats.c.id == chat_id)
    if principal.kind == "visitor":
        query = query.where(chats.c.visitor_id == principal.id)
    if lock:
        query = query.with_for_update(of=chats)
    row = (await conn.execute(query)).first()
    if row is None:
        raise not_found("chat")
    return row


def require_participant(principal: Principal, row: Any) -> None:
    """Writing to a chat takes its visitor or its assigned agent."""
    if principal.kind == "agent" and row.agent_id != principal.id:
        raise forbidden("Only the agent this chat is assigned to can do this.")


async def queue_position(conn: AsyncConnection, row: Any) -> int | None:
    """1 for the next chat to be served in its department; None unless queued."""
    if row.status != "queued":
        return None
    ahead = await conn.execute(
        sa.select(sa.func.count()).select_from(chats).where(
            chats.c.department_id == row.department_id,
            chats.c.status == "queued",
            sa.or_(chats.c.priority > row.priority,
                   sa.and_(chats.c.priority == row.priority, chats.c.created_at < row.created_at)),
        )
    )
    return ahead.scalar_one() + 1


async def chat_view(conn: AsyncConnection, row: Any) -> dict[str, Any]:
    return chat_json(row, await queue_position(conn, row))


async def list_chats(conn: AsyncConnection, principal: Principal, status: str | None) -> list[dict[str, Any]]:
    """A visitor's own chats; for an agent, the queue and their own chats."""
    query = _CHAT.order_by(chats.c.created_at.desc()).limit(200)
    if principal.kind == "visitor":
        query = query.where(chats.c.visitor_id == principal.id)
    else:
        query = query.where(sa.or_(chats.c.status == "queued", chats.c.agent_id == principal.id))
    if status:
        query = query.where(chats.c.status == status)
    return [await chat_view(conn, row) for row in (await conn.execute(query)).all()]


async def _default_department(conn: AsyncConnection) -> uuid.UUID:
    department = (await conn.execute(
        sa.select(departments.c.id).order_by(departments.c.is_default.desc(), departments.c.created_at).limit(1)
    )).scalar()
    if department is None:
        raise ApiError(409, "No department is set up to take chats.", code="conflict")
    return department


def eligible_agents(department_id: Any) -> sa.Select:
    """Active agents who serve the department: its members, and agents in no department at all."""
    member = sa.exists().where(agent_departments.c.agent_id == agents.c.id,
                               agent_departments.c.department_id == department_id)
    in_none = ~sa.exists().where(agent_departments.c.agent_id == agents.c.id)
    return sa.select(agents.c.id).where(agents.c.is_active, sa.or_(member, in_none))


async def all_agent_streams(conn: AsyncConnection) -> list[str]:
    ids = (await conn.execute(sa.select(agents.c.id).where(agents.c.is_active))).scalars().all()
    return [agent_stream(agent_id) for agent_id in ids]


async def queue_updated(tx: Tx, department_id: Any) -> None:
    """Tell agents how many chats now wait in a department."""
    waiting = (await tx.conn.execute(
        sa.select(sa.func.count()).select_from(chats)
        .where(chats.c.department_id == department_id, chats.c.status == "queued")
    )).scalar_one()
    await tx.emit(await all_agent_streams(tx.conn), "queue.updated",
                  {"department_id": department_id, "waiting": waiting})


async def create_chat(tx: Tx, visitor: Principal, department_id: uuid.UUID | None) -> Any:
    """Open a queued chat for a visitor; 409 `no_agents_online` when nobody could take it."""
    conn = tx.conn
    if department_id is None:
        department_id = await _default_department(conn)
    elif (await conn.execute(sa.select(departments.c.id).where(departments.c.id == department_id))).first() is None:
        raise ApiError(422, "Unknown department.", fields={"department_id": "No such department."})
    online = eligible_agents(department_id).where(agents.c.status == "online")
    if (await conn.execute(sa.select(sa.exists(online)))).scalar_one() is False:
        raise ApiError(409, "No agent is online right now; leave a message instead.", code="no_agents_online")
    try:
        async with conn.begin_nested():
            chat_id = (await conn.execute(
                chats.insert().values(widget_id=visitor.widget_id, visitor_id=visitor.id, department_id=department_id)
                .returning(chats.c.id)
            )).scalar_one()
    except IntegrityError:
        raise ApiError(409, "You already have an open chat; end it before starting another.", code="conflict") from None
    row = await reload(conn, chat_id)
    await tx.emit([visitor_stream(visitor.id)], "chat.queued", {"chat": await chat_view(conn, row)})
    await queue_updated(tx, department_id)
    return row


async def accept_chat(tx: Tx, agent: Principal, chat_id: uuid.UUID) -> Any:
    """Take a queued chat: one transaction, so it never has two owners and no agent goes over capacity."""
    conn = tx.conn
    row = await load_chat(conn, agent, chat_id, lock=True)
    if row.status != "queued":
        raise ApiError(409, "This chat is not waiting any more.", code="conflict")
    taken = (await conn.execute(
        agents.update()
        .where(agents.c.id == agent.id, agents.c.active_chats < agents.c.max_chats, agents.c.status == "online",
               agents.c.is_active)
        .values(active_chats=agents.c.active_chats + 1, last_assigned_at=sa.func.now())
        .returning(agents.c.name)
    )).first()
    if taken is None:
        raise ApiError(409, "You are at capacity or not online.", code="conflict")
    await conn.execute(chats.update().where(chats.c.id == chat_id).values(
        status="active", agent_id=agent.id, assigned_at=sa.func.now(), offered_to_id=None, offered_at=None))
    row = await reload(conn, chat_id)
    await append_system_message(tx, row, f"{taken.name} joined the chat")
    row = await reload(conn, chat_id)
    await tx.emit(participant_streams(row), "chat.assigned", {"chat": chat_json(row)})
    await queue_updated(tx, row.department_id)
    return row


async def end_chat(tx: Tx, principal: Principal, chat_id: uuid.UUID) -> Any:
    """End a chat (its visitor or its agent); ending an ended chat changes nothing."""
    conn = tx.conn
    row = await load_chat(conn, principal, chat_id, lock=True)
    if row.status == "ended":
        return row
    require_participant(principal, row)
    was_queued = row.status == "queued"
    await conn.execute(chats.update().where(chats.c.id == chat_id).values(
        status="ended", ended_at=sa.func.now(), ended_by=principal.kind))
    if row.agent_id:
        await conn.execute(agents.update().where(agents.c.id == row.agent_id)
                           .values(active_chats=sa.func.greatest(agents.c.active_chats - 1, 0)))
    row = await reload(conn, chat_id)
    who = row.visitor_name or "the visitor" if principal.kind == "visitor" else principal.name
    await append_system_message(tx, row, f"Chat ended by {who}")
    row = await reload(conn, chat_id)
    await tx.emit(participant_streams(row), "chat.ended", {"chat": chat_json(row)})
    if was_queued:
        await queue_updated(tx, row.department_id)
    return row


async def reload(conn: AsyncConnection, chat_id: uuid.UUID) -> Any:
    """The chat row with its visitor's and agent's names."""
    return (await conn.execute(_CHAT.where(chats.c.id == chat_id))).one()
