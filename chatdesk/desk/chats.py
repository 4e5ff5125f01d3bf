"""Chats: start, read, accept, end, and who may see which chat."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.db.tables import agents, chats, departments, messages, visitors
from chatdesk.desk.auth.principal import Principal
from chatdesk.desk.availability import department_schedule, release_slot, take_slot, takes_chats
from chatdesk.desk.consent import take_consent
from chatdesk.desk.hours import after_open_time
from chatdesk.desk.public_names import public_name
from chatdesk.desk.system_lines import SystemLine
from chatdesk.desk.thread import (
    append_message,
    append_system_message,
    last_messages,
    participant_streams,
    unread_counts,
)
from chatdesk.desk.transactions import Tx
from chatdesk.desk.triggers import mark_engaged
from chatdesk.errors import ApiError, forbidden, not_found
from chatdesk.metrics import QUEUE_WAIT
from chatdesk.realtime.streams import agent_stream, visitor_stream

_agent = agents.alias("assigned_agent")

# A chat row with its visitor's and agent's names (the agent's account name, and the public one
# their visitor sees), as chat_json wants it, and `now`: the
# transaction's timestamp (what a `created_at` default gives), so a message's wire shape can be
# built before its row is written (chatdesk.thread).
CHAT_QUERY = (
    sa.select(
        chats,
        visitors.c.name.label("visitor_name"),
        visitors.c.email.label("visitor_email"),
        visitors.c.language.label("visitor_language"),
        _agent.c.name.label("agent_name"),
        public_name(_agent).label("agent_public_name"),
        sa.func.now().label("now"),
    )
    .join(visitors, visitors.c.id == chats.c.visitor_id)
    .outerjoin(_agent, _agent.c.id == chats.c.agent_id)
)


def chat_json(row: Any, queue_position: int | None = None, estimated_wait_s: int | None = None, *,
              for_visitor: bool = False) -> dict[str, Any]:
    """A chat as docs/api.md shows it; for the visitor, the agent goes by their public name and
    `last_seq` is the last message they can see."""
    agent_name = row.agent_public_name if for_visitor else row.agent_name
    return {
        "id": row.id,
        "status": row.status,
        "department_id": row.department_id,
        "visitor": {"id": row.visitor_id, "name": row.visitor_name, "email": row.visitor_email,
                    "language": row.visitor_language},
        "agent": {"id": row.agent_id, "name": agent_name} if row.agent_id else None,
        "offered_to": row.offered_to_id,
        "offered_at": row.offered_at,
        "priority": row.priority,
        "queue_position": queue_position,
        "estimated_wait_s": estimated_wait_s,
        "created_at": row.created_at,
        "assigned_at": row.assigned_at,
        "ended_at": row.ended_at,
        "last_seq": row.visitor_last_seq if for_visitor else row.last_seq,
        "visitor_read_seq": row.visitor_read_seq,
        # An agent's read mark on an internal note would give the note away.
        "agent_read_seq": min(row.agent_read_seq, row.visitor_last_seq) if for_visitor else row.agent_read_seq,
        "rating": row.rating,
        "rating_comment": row.rating_comment,
    }


async def emit_chat_event(tx: Tx, streams: list[str], event_type: str, row: Any) -> None:
    """`event_type` `{chat}` to `streams`; the visitor's copy, if it differs, counts only what they see
    and names the agent by their public name."""
    visitor, chat = visitor_stream(row.visitor_id), chat_json(row)
    visitors_chat = chat_json(row, for_visitor=True)
    if visitor not in streams or visitors_chat == chat:
        await tx.emit(streams, event_type, {"chat": chat})
        return
    await tx.emit([s for s in streams if s != visitor], event_type, {"chat": chat})
    await tx.emit([visitor], event_type, {"chat": visitors_chat}, copy=True)


# The message a `client_msg_id` already stored in the chat, if any (a retried send).
_STORED_MESSAGE_ID = (
    sa.select(messages.c.id)
    .where(messages.c.chat_id == chats.c.id, messages.c.client_msg_id == sa.bindparam("client_msg_id"))
    .scalar_subquery().label("stored_message_id")
)


@cache
def _chat_by_id(for_visitor: bool, lock: bool, with_stored_message: bool) -> sa.Select:
    """Built once per shape: SQLAlchemy keeps a statement object's cache key, while building one
    for a fresh statement walks the whole query (about 50 µs for this one, on every message)."""
    query = CHAT_QUERY.where(chats.c.id == sa.bindparam("chat_id"))
    if for_visitor:
        query = query.where(chats.c.visitor_id == sa.bindparam("visitor_id"))
    if with_stored_message:
        query = query.add_columns(_STORED_MESSAGE_ID)
    return query.with_for_update(of=chats) if lock else query


async def load_chat(conn: AsyncConnection, principal: Principal, chat_id: uuid.UUID, *, lock: bool = False,
                    client_msg_id: str | None = None) -> Any:
    """The chat if the caller may see it: its own visitor, or any agent. 404 otherwise.

    With `client_msg_id` the row also carries `stored_message_id`: the message that id already
    stored in this chat, or None (one round trip for the send path's lock and retry check)."""
    visitor = principal.kind == "visitor"
    params: dict[str, Any] = {"chat_id": chat_id, "visitor_id": principal.id} if visitor else {"chat_id": chat_id}
    if client_msg_id is not None:
        params["client_msg_id"] = client_msg_id
    row = (await conn.execute(_chat_by_id(visitor, lock, client_msg_id is not None), params)).first()
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


async def chat_view(conn: AsyncConnection, row: Any, *, for_visitor: bool = False) -> dict[str, Any]:
    """The chat with its live queue position and wait estimate."""
    position = await queue_position(conn, row)
    estimate = (await wait_estimate(conn, row.department_id))(position) if position else None
    return chat_json(row, position, estimate, for_visitor=for_visitor)


async def list_chats(conn: AsyncConnection, principal: Principal, status: str | None) -> list[dict[str, Any]]:
    """A visitor's own chats; for an agent, the queue and their own chats, each with its `last_message` and
    `unread_count` (visitor messages past the agent's read mark)."""
    query = CHAT_QUERY.order_by(chats.c.created_at.desc()).limit(200)
    if principal.kind == "visitor":
        query = query.where(chats.c.visitor_id == principal.id)
    else:
        query = query.where(sa.or_(chats.c.status == "queued", chats.c.agent_id == principal.id))
    if status:
        query = query.where(chats.c.status == status)
    rows = (await conn.execute(query)).all()
    visitor = principal.kind == "visitor"
    listed = [await chat_view(conn, row, for_visitor=visitor) for row in rows]
    if not visitor:
        last = await last_messages(conn, [(row.id, row.last_seq) for row in rows])
        unread = await unread_counts(conn, [(row.id, row.agent_read_seq) for row in rows])
        for chat in listed:
            chat["last_message"] = last.get(chat["id"])
            chat["unread_count"] = unread.get(chat["id"], 0)
    return listed


async def _default_department(conn: AsyncConnection) -> uuid.UUID:
    department = (await conn.execute(
        sa.select(departments.c.id).order_by(departments.c.is_default.desc(), departments.c.created_at).limit(1)
    )).scalar()
    if department is None:
        raise ApiError(409, "No department is set up to take chats.", code="conflict")
    return department


async def all_agent_streams(conn: AsyncConnection) -> list[str]:
    ids = (await conn.execute(sa.select(agents.c.id).where(agents.c.is_active))).scalars().all()
    return [agent_stream(agent_id) for agent_id in ids]


async def recent_wait_s(conn: AsyncConnection, department_id: Any) -> float | None:
    """Median seconds from start to assignment over the department's last 20 chats (24 h); None without data."""
    recent = (
        sa.select((sa.func.extract("epoch", chats.c.assigned_at - chats.c.created_at)).label("wait"))
        .where(chats.c.department_id == department_id, chats.c.assigned_at.isnot(None),
               chats.c.assigned_at > sa.func.now() - sa.text("interval '24 hours'"))
        .order_by(chats.c.assigned_at.desc()).limit(20).subquery()
    )
    median = (await conn.execute(
        sa.select(sa.func.percentile_cont(0.5).within_group(recent.c.wait))
    )).scalar()
    return float(median) if median is not None else None


async def wait_estimate(conn: AsyncConnection, department_id: Any) -> Callable[[int], int | None]:
    """The department's wait estimate in seconds by queue position: the recent wait per chat times the
    position, in open time, with the closed hours of its business hours skipped (None without data)."""
    per_chat = await recent_wait_s(conn, department_id)
    schedule = await department_schedule(conn, department_id) if per_chat is not None else None
    now = datetime.now(UTC)

    def estimate(position: int) -> int | None:
        wall_s = None if per_chat is None else after_open_time(schedule, now, per_chat * position)
        return None if wall_s is None else round(wall_s)
    return estimate


# Held until the transaction ends; one lock per department (hashed into PostgreSQL's bigint keys).
_JOIN_QUEUE_IN_TURN = sa.select(sa.func.pg_advisory_xact_lock(
    sa.func.hashtextextended(sa.literal("chatdesk:queue:") + sa.bindparam("department_id", type_=sa.Text), 0)))


async def create_chat(tx: Tx, visitor: Principal, department_id: uuid.UUID | None, consent: bool = False) -> Any:
    """Open a queued chat for a visitor; 409 `no_agents_online` when nobody could take it, 422 when the
    widget requires consent the visitor has not given (desk/consent.py)."""
    conn = tx.conn
    await take_consent(conn, visitor.id, consent)
    if department_id is None:
        department_id = await _default_department(conn)
    elif (await conn.execute(sa.select(departments.c.id).where(departments.c.id == department_id))).first() is None:
        raise ApiError(422, "Unknown department.", fields={"department_id": "No such department."})
    if not await takes_chats(conn, department_id):
        raise ApiError(409, "No agent is online right now; leave a message instead.", code="no_agents_online")
    # Chats join a department's queue one at a time and are stamped once it is their turn, so
    # queue order (created_at) is commit order: a waiting visitor's place never goes up because
    # a chat that started a moment earlier committed a moment later.
    await conn.execute(_JOIN_QUEUE_IN_TURN, {"department_id": str(department_id)})
    try:
        async with conn.begin_nested():
            chat_id = (await conn.execute(
                chats.insert().values(widget_id=visitor.widget_id, visitor_id=visitor.id, department_id=department_id,
                                      created_at=sa.func.clock_timestamp())
                .returning(chats.c.id)
            )).scalar_one()
    except IntegrityError:
        raise ApiError(409, "You already have an open chat; end it before starting another.", code="conflict") from None
    tx.queue_changed(department_id)
    row = await reload(conn, chat_id)
    greeting = await mark_engaged(conn, visitor.id, chat_id)
    if greeting is not None:  # the proactive greeting the visitor answered opens the thread
        await append_system_message(tx, row, greeting)
        row = await reload(conn, chat_id)
    tx.notify("chat.started", {"chat": chat_json(row)})
    return row


async def accept_chat(tx: Tx, agent: Principal, chat_id: uuid.UUID) -> Any:
    """Take a queued chat: offered to you, or picked from the queue (broadcast). 409 if you can't."""
    conn = tx.conn
    row = await load_chat(conn, agent, chat_id, lock=True)
    if row.status != "queued":
        raise ApiError(409, "This chat is not waiting any more.", code="conflict")
    if row.offered_to_id is not None and row.offered_to_id != agent.id:
        raise ApiError(409, "This chat is offered to another agent.", code="conflict")
    if row.offered_to_id is None and await take_slot(tx, agent.id) is None:
        raise ApiError(409, "You are at capacity or not online.", code="conflict")
    await conn.execute(chats.update().where(chats.c.id == chat_id).values(
        status="active", agent_id=agent.id, assigned_at=sa.func.now(), offered_to_id=None, offered_at=None,
        passed_over=[]))
    row = await reload(conn, chat_id)
    QUEUE_WAIT.observe((row.assigned_at - row.created_at).total_seconds())
    await append_system_message(tx, row, SystemLine("agent_joined", {"name": row.agent_public_name}))
    row = await reload(conn, chat_id)
    await emit_chat_event(tx, participant_streams(row), "chat.assigned", row)
    tx.queue_changed(row.department_id)
    return row


async def finish_chat(tx: Tx, chat_id: uuid.UUID, *, ended_by: str, line: SystemLine) -> Any:
    """End a chat (locked by the caller or not): free its agent's slot, say why, tell both sides."""
    conn = tx.conn
    row = (await conn.execute(CHAT_QUERY.where(chats.c.id == chat_id).with_for_update(of=chats))).one()
    if row.status == "ended":
        return row
    holder = row.agent_id or row.offered_to_id
    if holder:
        await release_slot(tx, holder)
    await conn.execute(chats.update().where(chats.c.id == chat_id).values(
        status="ended", ended_at=sa.func.now(), ended_by=ended_by, offered_to_id=None, offered_at=None))
    if row.offered_to_id:
        await tx.emit([agent_stream(row.offered_to_id)], "chat.offer_withdrawn",
                      {"chat_id": chat_id, "reason": "ended"})
    row = await reload(conn, chat_id)
    await append_system_message(tx, row, line)
    row = await reload(conn, chat_id)
    await emit_chat_event(tx, participant_streams(row), "chat.ended", row)
    tx.queue_changed(row.department_id)
    return row


async def end_chat(tx: Tx, principal: Principal, chat_id: uuid.UUID) -> Any:
    """End a chat (its visitor or its agent); ending an ended chat changes nothing."""
    row = await load_chat(tx.conn, principal, chat_id, lock=True)
    if row.status == "ended":
        return row
    require_participant(principal, row)
    who = row.visitor_name if principal.kind == "visitor" else principal.public_name
    line = SystemLine("chat_ended_by", {"name": who}) if who else SystemLine("chat_ended_by_visitor")
    return await finish_chat(tx, chat_id, ended_by=principal.kind, line=line)


async def _append_transfer_note(tx: Tx, principal: Principal, row: Any, note: str) -> None:
    """The transferring agent's note to whoever takes the chat next: an internal note, never the visitor's."""
    await append_message(tx, row, sender_type="agent", sender_id=principal.id, sender_name=principal.name,
                         body=note, client_msg_id=f"transfer-note:{uuid.uuid4()}", internal=True)


async def transfer_chat(tx: Tx, principal: Principal, chat_id: uuid.UUID, *, agent_id: uuid.UUID | None,
                        department_id: uuid.UUID | None, note: str | None, supervising: bool = False) -> Any:
    """Hand an active chat to another agent (who must have capacity) or back to a department's queue.

    The visitor reads a neutral line; the `note` reaches agents only, as an internal note. The
    chat's agent transfers it; a supervisor (`supervising`, checked by the caller) may move any
    chat, to themselves too (a takeover), on the same terms: a free slot, never two owners."""
    conn = tx.conn
    row = await load_chat(conn, principal, chat_id, lock=True)
    if row.status != "active":
        raise ApiError(409, "Only an active chat can be transferred.", code="conflict")
    if not supervising:
        require_participant(principal, row)
    old_streams = participant_streams(row)
    if agent_id is not None:
        yourself = agent_id == principal.id
        if agent_id == row.agent_id:
            raise ApiError(409, "The chat is yours already." if yourself else "The chat is already theirs.",
                           code="conflict")
        target = await take_slot(tx, agent_id)
        if target is None:
            raise ApiError(409, "You need to be online with a free slot (raise your capacity in Preferences)."
                           if yourself else "That agent is at capacity, not online, or does not exist.",
                           code="conflict")
        await release_slot(tx, row.agent_id)
        await conn.execute(chats.update().where(chats.c.id == chat_id).values(
            agent_id=agent_id, assigned_at=sa.func.now(),
            watcher_ids=sa.func.array_remove(chats.c.watcher_ids, agent_id)))
        line = SystemLine("now_chatting_with", {"name": target.public_name})
    else:
        target_department = department_id or row.department_id
        name = (await conn.execute(sa.select(departments.c.name).where(departments.c.id == target_department))).scalar()
        if name is None:
            raise ApiError(422, "Unknown department.", fields={"department_id": "No such department."})
        await _requeue(tx, row, target_department)
        line = SystemLine("passed_to_department", {"department": name})
    await conn.execute(chats.update().where(chats.c.id == chat_id).values(transfers=chats.c.transfers + 1))
    row = await _announce_transfer(tx, chat_id, old_streams, line)
    if note:
        await _append_transfer_note(tx, principal, row, note)
        row = await reload(conn, chat_id)
    return row


async def return_to_queue(tx: Tx, chat_id: uuid.UUID, line: SystemLine) -> Any:
    """Put an active chat whose agent is gone back in its department's queue, saying why in `line`."""
    row = (await tx.conn.execute(CHAT_QUERY.where(chats.c.id == chat_id).with_for_update(of=chats))).one()
    if row.status != "active":
        return row
    old_streams = participant_streams(row)
    await _requeue(tx, row, row.department_id)
    return await _announce_transfer(tx, chat_id, old_streams, line)


async def _requeue(tx: Tx, row: Any, department_id: uuid.UUID) -> None:
    """Free the active chat's agent slot and queue the chat in `department_id`."""
    await release_slot(tx, row.agent_id)
    await tx.conn.execute(chats.update().where(chats.c.id == row.id).values(
        status="queued", agent_id=None, assigned_at=None, department_id=department_id, passed_over=[]))


async def _announce_transfer(tx: Tx, chat_id: uuid.UUID, old_streams: list[str], line: SystemLine) -> Any:
    """The system line, and `chat.transferred` to the old and new participants (and the queue)."""
    row = await reload(tx.conn, chat_id)
    await append_system_message(tx, row, line)
    row = await reload(tx.conn, chat_id)
    streams = sorted(set(old_streams) | set(participant_streams(row)))
    await emit_chat_event(tx, streams, "chat.transferred", row)
    if row.status == "queued":
        tx.queue_changed(row.department_id)
    return row


async def rate_chat(tx: Tx, visitor: Principal, chat_id: uuid.UUID, score: str, comment: str | None) -> Any:
    """The visitor's rating of an ended chat, once."""
    row = await load_chat(tx.conn, visitor, chat_id, lock=True)
    if row.status != "ended":
        raise ApiError(409, "A chat can be rated once it has ended.", code="conflict")
    if row.rating is not None:
        raise ApiError(409, "This chat has been rated already.", code="conflict")
    await tx.conn.execute(chats.update().where(chats.c.id == chat_id).values(
        rating=score, rating_comment=comment, rated_at=sa.func.now()))
    row = await reload(tx.conn, chat_id)
    await tx.emit(participant_streams(row)[1:], "chat.rated", {"chat_id": chat_id, "score": score,
                                                               "comment": comment})
    return row


async def set_priority(tx: Tx, chat_id: uuid.UUID, priority: int) -> Any:
    """Raise (or lower) a queued chat's priority; the queue reorders."""
    row = (await tx.conn.execute(
        chats.update().where(chats.c.id == chat_id).values(priority=priority).returning(chats.c.department_id)
    )).first()
    if row is None:
        raise not_found("chat")
    tx.queue_changed(row.department_id)
    return await reload(tx.conn, chat_id)


async def reload(conn: AsyncConnection, chat_id: uuid.UUID) -> Any:
    """The chat row with its visitor's and agent's names."""
    return (await conn.execute(CHAT_QUERY.where(chats.c.id == chat_id))).one()


async def still_queued(conn: AsyncConnection, chat_ids: list[str]) -> set[str]:
    """Those of `chat_ids` still waiting in a queue."""
    if not chat_ids:
        return set()
    ids = [uuid.UUID(chat_id) for chat_id in chat_ids]
    rows = await conn.execute(sa.select(chats.c.id).where(chats.c.id.in_(ids), chats.c.status == "queued"))
    return {str(chat_id) for chat_id in rows.scalars()}
