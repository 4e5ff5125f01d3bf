"""A chat's thread: appending messages with gapless `seq`, and their wire shape."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from chatdesk.db.tables import chats, messages
from chatdesk.desk.events import declared
from chatdesk.desk.files.records import claim_attachments, link_attachments
from chatdesk.desk.transactions import Tx
from chatdesk.metrics import MESSAGES
from chatdesk.realtime.outbox import INSERT_OUTBOX, PendingEvent, outbox_params
from chatdesk.realtime.streams import agent_stream, encode_data, visitor_stream

_MESSAGE_COLUMNS = [messages.c.id, messages.c.chat_id, messages.c.seq, messages.c.client_msg_id,
                    messages.c.sender_type, messages.c.sender_id, messages.c.sender_name, messages.c.body,
                    messages.c.internal, messages.c.created_at]


def message_json(row: Any, attachments: list[dict] | None = None) -> dict[str, Any]:
    """A message as docs/api.md shows it."""
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


def _append(internal: bool) -> sa.Insert:
    """One statement for a message: move the chat's seq, insert the message, write its outbox row.

    Every value is known before it runs (the seq under the chat's row lock, the id, the
    transaction's timestamp), so the event is built first and the whole write is one round trip.
    """
    seq = sa.bindparam("m_seq", type_=sa.Integer)
    moved = {"last_seq": seq} if internal else {"last_seq": seq, "visitor_last_seq": seq}
    next_seq = chats.update().where(chats.c.id == sa.bindparam("m_chat_id")).values(moved).cte("next_seq")
    new_message = messages.insert().values(
        {column.name: sa.bindparam(f"m_{column.name}", type_=column.type) for column in _MESSAGE_COLUMNS}
    ).cte("new_message")
    return INSERT_OUTBOX.add_cte(next_seq).add_cte(new_message)


# The hot statements of the message path, built once (see chats._chat_by_id for why).
_APPEND = {internal: _append(internal) for internal in (False, True)}


async def append_message(
    tx: Tx, chat: Any, *, sender_type: str, sender_id: uuid.UUID | None, sender_name: str | None,
    body: str, client_msg_id: str, attachment_ids: Sequence[uuid.UUID] = (), internal: bool = False,
) -> dict[str, Any]:
    """Add a message as `last_seq + 1` and emit `message.created`.

    The caller holds the chat row locked (`FOR UPDATE`) and read it with `CHAT_QUERY`, so
    concurrent sends to one chat take turns and `seq` has no gaps and no repeats
    (invariant 2 in docs/architecture.md; `unique(chat_id, seq)` stands behind it). An internal
    note goes to the agent only and leaves `visitor_last_seq` where it was: the visitor never
    learns of it.
    """
    attachment_ids = list(attachment_ids)
    files = await claim_attachments(tx.conn, chat.id, sender_id, attachment_ids)
    row = SimpleNamespace(id=uuid.uuid4(), chat_id=chat.id, seq=chat.last_seq + 1, client_msg_id=client_msg_id,
                          sender_type=sender_type, sender_id=sender_id, sender_name=sender_name, body=body,
                          internal=internal, created_at=chat.now)
    message = message_json(row, files)
    streams = participant_streams(chat)
    event = PendingEvent(streams[1:] if internal else streams, declared("message.created"),
                         encode_data({"message": message}))
    outbox_id = (await tx.conn.execute(
        _APPEND[internal], {**outbox_params(event), **{f"m_{name}": value for name, value in vars(row).items()}}
    )).scalar_one()
    tx.written(event, outbox_id)
    await link_attachments(tx.conn, row.id, attachment_ids)
    MESSAGES.inc()
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
    """How many visitor messages each chat holds past the agent's read mark (system lines and agents'
    own never count)."""
    if not chat_reads:
        return {}
    reads = sa.values(sa.column("chat_id", sa.Uuid), sa.column("read_seq", sa.Integer), name="reads").data(chat_reads)
    rows = (await conn.execute(
        sa.select(messages.c.chat_id, sa.func.count())
        .join(reads, sa.and_(reads.c.chat_id == messages.c.chat_id, messages.c.seq > reads.c.read_seq))
        .where(messages.c.sender_type == "visitor").group_by(messages.c.chat_id)
    )).all()
    return dict(rows)
