"""A chat's thread: appending messages with gapless `seq`, and their wire shape."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from chatdesk.db.tables import chats, messages
from chatdesk.files.records import attach_to_message
from chatdesk.metrics import MESSAGES
from chatdesk.realtime.outbox import Tx
from chatdesk.realtime.streams import agent_stream, visitor_stream

_MESSAGE_COLUMNS = [messages.c.id, messages.c.chat_id, messages.c.seq, messages.c.client_msg_id,
                    messages.c.sender_type, messages.c.sender_id, messages.c.sender_name, messages.c.body,
                    messages.c.internal, messages.c.created_at]


def message_json(row: Any, attachments: list[dict] | None = None) -> dict[str, Any]:
    """A message as API.md shows it."""
    return {
        "id": row.id, "chat_id": row.chat_id, "seq": row.seq, "client_msg_id": row.client_msg_id,
        "sender": {"type": row.sender_type, "id": row.sender_id, "name": row.sender_name},
        "body": row.body, "attachments": attachments or [], "internal": row.internal, "created_at": row.created_at,
    }


def participant_streams(chat: Any) -> list[str]:
    """The event streams of the chat's visitor and, once assigned, its agent (in this order)."""
    streams = [visitor_stream(chat.visitor_id)]
    if chat.agent_id:
        streams.append(agent_stream(chat.agent_id))
    return streams


def select_messages(*, public_only: bool = False) -> sa.Select:
    """Message rows; `public_only` leaves out internal notes (what visitors and transcripts get)."""
    query = sa.select(*_MESSAGE_COLUMNS)
    return query.where(~messages.c.internal) if public_only else query


def _next_seq(internal: bool) -> sa.Update:
    values = {"last_seq": chats.c.last_seq + 1}
    if not internal:
        values["visitor_last_seq"] = chats.c.last_seq + 1
    return chats.update().where(chats.c.id == sa.bindparam("b_chat_id")).values(values).returning(chats.c.last_seq)


# The hot statements of the message path, built once (see chats._chat_by_id for why).
_NEXT_SEQ = {internal: _next_seq(internal) for internal in (False, True)}
_INSERT_MESSAGE = messages.insert().returning(*_MESSAGE_COLUMNS)


async def append_message(
    tx: Tx, chat: Any, *, sender_type: str, sender_id: uuid.UUID | None, sender_name: str | None,
    body: str, client_msg_id: str, attachment_ids: list[uuid.UUID] = (), internal: bool = False,
) -> dict[str, Any]:
    """Add a message as `last_seq + 1` and emit `message.created`.

    The caller holds the chat row locked (`FOR UPDATE`), so concurrent sends to one chat take
    turns and `seq` has no gaps and no repeats (invariant 2). An internal note goes to the
    agent only and leaves `visitor_last_seq` where it was: the visitor never learns of it.
    """
    seq = (await tx.conn.execute(_NEXT_SEQ[internal], {"b_chat_id": chat.id})).scalar_one()
    row = (await tx.conn.execute(_INSERT_MESSAGE, {
        "chat_id": chat.id, "seq": seq, "client_msg_id": client_msg_id, "sender_type": sender_type,
        "sender_id": sender_id, "sender_name": sender_name, "body": body, "internal": internal})).one()
    MESSAGES.inc()
    files = await attach_to_message(tx.conn, chat.id, sender_id, row.id, list(attachment_ids))
    message = message_json(row, files)
    streams = participant_streams(chat)
    await tx.emit(streams[1:] if internal else streams, "message.created", {"message": message})
    return message


async def append_system_message(tx: Tx, chat: Any, body: str) -> dict[str, Any]:
    """A line from chatdesk itself in the thread (joined, transferred, ended)."""
    return await append_message(tx, chat, sender_type="system", sender_id=None, sender_name=None, body=body,
                                client_msg_id=f"system:{uuid.uuid4()}")


async def last_messages(conn: Any, chat_seqs: list[tuple[uuid.UUID, int]]) -> dict[uuid.UUID, dict[str, Any]]:
    """The message at each chat's `last_seq` (previews in an agent's chat list; attachments left out)."""
    pairs = [(chat_id, seq) for chat_id, seq in chat_seqs if seq > 0]
    if not pairs:
        return {}
    rows = (await conn.execute(
        select_messages().where(sa.tuple_(messages.c.chat_id, messages.c.seq).in_(pairs))
    )).all()
    return {row.chat_id: message_json(row) for row in rows}


async def unread_counts(conn: Any, chat_reads: list[tuple[uuid.UUID, int]]) -> dict[uuid.UUID, int]:
    """How many visitor messages each chat holds past the agent's read mark (system lines and agents' own never count)."""
    if not chat_reads:
        return {}
    reads = sa.values(sa.column("chat_id", sa.Uuid), sa.column("read_seq", sa.Integer), name="reads").data(chat_reads)
    rows = (await conn.execute(
        sa.select(messages.c.chat_id, sa.func.count())
        .join(reads, sa.and_(reads.c.chat_id == messages.c.chat_id, messages.c.seq > reads.c.read_seq))
        .where(messages.c.sender_type == "visitor").group_by(messages.c.chat_id)
    )).all()
    return {chat_id: count for chat_id, count in rows}
