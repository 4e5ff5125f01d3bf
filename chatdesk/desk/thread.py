"""A chat's thread: appending messages with gapless `seq`, and their wire shape."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import asyncpg
import sqlalchemy as sa

from chatdesk.db.tables import chats, messages
from chatdesk.desk.events import declared
from chatdesk.desk.files.records import claim_attachments, link_attachments
from chatdesk.desk.system_lines import SystemLine
from chatdesk.desk.transactions import Tx
from chatdesk.metrics import MESSAGES
from chatdesk.realtime.outbox import INSERT_OUTBOX, OutboxTx, PendingEvent, outbox_params
from chatdesk.realtime.streams import agent_stream, encode_data, visitor_stream

_MESSAGE_COLUMNS = [messages.c.id, messages.c.chat_id, messages.c.seq, messages.c.client_msg_id,
                    messages.c.sender_type, messages.c.sender_id, messages.c.sender_name, messages.c.body,
                    messages.c.internal, messages.c.created_at, messages.c.system_line]


def message_json(row: Any, attachments: list[dict] | None = None) -> dict[str, Any]:
    """A message as docs/api.md shows it."""
    return {
        "id": row.id, "chat_id": row.chat_id, "seq": row.seq, "client_msg_id": row.client_msg_id,
        "sender": {"type": row.sender_type, "id": row.sender_id, "name": row.sender_name},
        "body": row.body, "attachments": attachments or [], "internal": row.internal, "created_at": row.created_at,
        "system": row.system_line,
    }


def participant_streams(chat: Any) -> list[str]:
    """The event streams of the chat's visitor, then, once assigned, its agent, then the supervisors
    watching it (desk/supervision.py): whatever the agent hears of the chat, they hear too."""
    streams = [visitor_stream(chat.visitor_id)]
    if chat.agent_id:
        streams.append(agent_stream(chat.agent_id))
    streams += [agent_stream(watcher) for watcher in chat.watcher_ids if watcher != chat.agent_id]
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
    system_line: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Add a message as `last_seq + 1` and emit `message.created`.

    The caller holds the chat row locked (`FOR UPDATE`) and read it with `CHAT_QUERY`, so
    concurrent sends to one chat take turns and `seq` has no gaps and no repeats
    (invariant 2 in docs/architecture.md; `unique(chat_id, seq)` stands behind it). An internal
    note goes to the agent only and leaves `visitor_last_seq` where it was: the visitor never
    learns of it. `system_line` is a system line's words (desk/system_lines.py).
    """
    attachment_ids = list(attachment_ids)
    files = await claim_attachments(tx.conn, chat.id, sender_id, attachment_ids)
    row = SimpleNamespace(id=uuid.uuid4(), chat_id=chat.id, seq=chat.last_seq + 1, client_msg_id=client_msg_id,
                          sender_type=sender_type, sender_id=sender_id, sender_name=sender_name, body=body,
                          internal=internal, created_at=chat.now, system_line=system_line)
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


async def append_system_message(tx: Tx, chat: Any, line: SystemLine | str) -> dict[str, Any]:
    """A line from chatdesk itself in the thread (joined, transferred, ended), or an admin's words as
    they wrote them (a proactive greeting the visitor answered)."""
    body, words = (line, None) if isinstance(line, str) else (line.english, line.json())
    return await append_message(tx, chat, sender_type="system", sender_id=None, sender_name=None, body=body,
                                client_msg_id=f"system:{uuid.uuid4()}", system_line=words)


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


# `append_message` with the chat's lock and checks in the same statement, for a message with no
# files: the row lock of the UPDATE orders concurrent sends to a chat as `FOR UPDATE` does, and
# its condition holds what `send_message` checks (the caller's chat, not ended, the sender its
# visitor or its agent, the `client_msg_id` new to it). No row back: some check failed, and the
# caller takes the long way, which says which. The outbox row's streams are
# `participant_streams` (without the visitor's for an internal note); its payload is the
# message built in Python with the seq, the time and the visitor's name put in.
_APPEND_CHECKED = """
WITH chat AS (
    UPDATE chatdesk.chats
    SET last_seq = last_seq + 1,
        visitor_last_seq = CASE WHEN $8 THEN visitor_last_seq ELSE last_seq + 1 END
    WHERE id = $1 AND status <> 'ended'
      AND CASE WHEN $4 = 'visitor' THEN visitor_id = $5 ELSE agent_id = $5 END
      AND NOT EXISTS (SELECT FROM chatdesk.messages WHERE chat_id = $1 AND client_msg_id = $3)
    RETURNING id, last_seq, visitor_id, agent_id, watcher_ids, now() AS now,
              CASE WHEN $4 = 'visitor' THEN (SELECT name FROM chatdesk.visitors WHERE visitors.id = visitor_id)
                   ELSE $6 END AS sender_name
), new_message AS (
    INSERT INTO chatdesk.messages (id, chat_id, seq, client_msg_id, sender_type, sender_id, sender_name, body,
                                   internal, created_at)
    SELECT $2, id, last_seq, $3, $4, $5, sender_name, $7, $8, now FROM chat
), event AS (
    INSERT INTO chatdesk.outbox (streams, event_type, payload)
    SELECT CASE WHEN $8 THEN '{}'::text[] ELSE ARRAY['v:' || visitor_id] END
           || CASE WHEN agent_id IS NULL THEN '{}'::text[] ELSE ARRAY['a:' || agent_id] END
           || ARRAY(SELECT 'a:' || watcher FROM unnest(watcher_ids) WITH ORDINALITY AS w(watcher, n)
                    WHERE watcher IS DISTINCT FROM agent_id ORDER BY n),
           'message.created',
           jsonb_set(jsonb_set(jsonb_set($9::jsonb, '{message,seq}', to_jsonb(last_seq)),
                               '{message,created_at}',
                               to_jsonb(to_char(now AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))),
                     '{message,sender,name}', COALESCE(to_jsonb(sender_name), 'null'))
    FROM chat
    RETURNING id, streams
)
SELECT chat.last_seq, chat.now, chat.sender_name, event.id, event.streams FROM chat, event
"""


async def append_checked(driver: asyncpg.Connection, tx: OutboxTx, chat_id: uuid.UUID, *, sender_type: str,
                         sender_id: uuid.UUID, sender_name: str | None, body: str, client_msg_id: str,
                         internal: bool) -> dict[str, Any] | None:
    """The message, stored by one statement that commits by itself; None when a check failed (or the
    `client_msg_id` is being stored by a concurrent retry): then nothing was written.

    A visitor's name comes from their record; an agent's is `sender_name`."""
    row = SimpleNamespace(id=uuid.uuid4(), chat_id=chat_id, seq=0, client_msg_id=client_msg_id,
                          sender_type=sender_type, sender_id=sender_id, sender_name=sender_name, body=body,
                          internal=internal, created_at=None, system_line=None)
    message = message_json(row)
    try:
        stored = await driver.fetchrow(_APPEND_CHECKED, chat_id, row.id, client_msg_id, sender_type, sender_id,
                                       sender_name, body, internal, encode_data({"message": message}).decode())
    except asyncpg.UniqueViolationError:
        return None
    if stored is None:
        return None
    message["seq"], message["created_at"], message["sender"]["name"] = stored[0], stored[1], stored[2]
    tx.written(PendingEvent(list(stored[4]), declared("message.created"), encode_data({"message": message})),
               stored[3])
    MESSAGES.inc()
    return message
