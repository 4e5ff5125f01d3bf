"""A chat's thread: appending messages with gapless `seq`, and their wire shape."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import asyncpg
import sqlalchemy as sa

from chatdesk.db.tables import chats, messages
from chatdesk.desk.events import declared
from chatdesk.desk.files.records import claim_attachments, link_attachments
from chatdesk.desk.system_lines import SystemLine
from chatdesk.desk.transactions import Transactions, Tx
from chatdesk.metrics import MESSAGE_GROUPS, MESSAGES
from chatdesk.periodic import Batches
from chatdesk.realtime.outbox import INSERT_OUTBOX, PendingEvent, outbox_params
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


# `append_message` with the chat's lock and checks in the same statement, for a group of messages with
# no files, each to another chat (parameters: one array per column). The chats are locked in id
# order and a chat some transaction holds is skipped (`SKIP LOCKED`): a group never waits for a
# lock, nor deadlocks with another group. The UPDATE's condition holds what `send_message` checks
# (the caller's chat, not ended, the sender its visitor or its agent, the `client_msg_id` new to
# it). A message with no row back was not written: a check failed or its chat was locked, and its
# caller takes the long way, which waits for the lock and says what failed. The outbox row's
# streams are `participant_streams` (without the visitor's for an internal note); its payload is
# the message built in Python with the seq, the time and the visitor's name put in.
# Each array is read through a scalar subquery, so the planner never sees its length: PostgreSQL
# plans a prepared statement anew for each execution while that plan looks cheaper than the
# generic one, and with the arrays' lengths in view it always did (0.3-0.4 ms of planning per
# group, more than the rest of the statement). Now both are planned for an estimated 10 rows
# (index lookups) and the generic plan is kept.
_APPEND_GROUP = """
WITH input AS (
    SELECT * FROM unnest((SELECT $1::uuid[]), (SELECT $2::uuid[]), (SELECT $3::text[]), (SELECT $4::text[]),
                         (SELECT $5::uuid[]), (SELECT $6::text[]), (SELECT $7::text[]), (SELECT $8::boolean[]),
                         (SELECT $9::text[])) WITH ORDINALITY
        AS i(chat_id, message_id, client_msg_id, sender_type, sender_id, sender_name, body, internal, payload, n)
), locked AS (
    SELECT id FROM chatdesk.chats WHERE id IN (SELECT chat_id FROM input) ORDER BY id FOR UPDATE SKIP LOCKED
), chat AS (
    UPDATE chatdesk.chats
    SET last_seq = last_seq + 1,
        visitor_last_seq = CASE WHEN i.internal THEN visitor_last_seq ELSE last_seq + 1 END
    FROM locked JOIN input i ON i.chat_id = locked.id
    WHERE chats.id = locked.id AND status <> 'ended'
      AND CASE WHEN i.sender_type = 'visitor' THEN visitor_id = i.sender_id ELSE agent_id = i.sender_id END
      AND NOT EXISTS (SELECT FROM chatdesk.messages m WHERE m.chat_id = i.chat_id AND m.client_msg_id = i.client_msg_id)
    RETURNING i.*, last_seq, now() AS now,
              CASE WHEN i.sender_type = 'visitor'
                   THEN (SELECT name FROM chatdesk.visitors WHERE visitors.id = chats.visitor_id)
                   ELSE i.sender_name END AS stored_name,
              CASE WHEN i.internal THEN '{}'::text[] ELSE ARRAY['v:' || visitor_id] END
              || CASE WHEN agent_id IS NULL THEN '{}'::text[] ELSE ARRAY['a:' || agent_id] END
              || ARRAY(SELECT 'a:' || watcher FROM unnest(watcher_ids) WITH ORDINALITY AS w(watcher, n)
                       WHERE watcher IS DISTINCT FROM agent_id ORDER BY n) AS streams
), new_message AS (
    INSERT INTO chatdesk.messages (id, chat_id, seq, client_msg_id, sender_type, sender_id, sender_name, body,
                                   internal, created_at)
    SELECT message_id, chat_id, last_seq, client_msg_id, sender_type, sender_id, stored_name, body, internal, now
    FROM chat
), event AS (
    INSERT INTO chatdesk.outbox (streams, event_type, payload)
    SELECT streams, 'message.created',
           jsonb_set(jsonb_set(jsonb_set(payload::jsonb, '{message,seq}', to_jsonb(last_seq)),
                               '{message,created_at}',
                               to_jsonb(to_char(now AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))),
                     '{message,sender,name}', COALESCE(to_jsonb(stored_name), 'null'))
    FROM chat
    RETURNING id, payload #>> '{message,id}' AS message_id
)
SELECT chat.n, chat.last_seq, chat.now, chat.stored_name, chat.streams, event.id
FROM chat JOIN event ON event.message_id = chat.message_id::text
"""


class Appends:
    """Group commit of the usual message (no files, from the chat's visitor or its agent): the
    messages that arrive while a statement is under way are stored together by the next one, which
    commits by itself (`periodic.Batches`). Quiet, a message is a group of one; under load one
    statement and one commit serve many, and PostgreSQL's work per message falls with the load.

    Only where `Transactions.one_statement_for("message.created")` allows (no before-commit hook
    wants the event). Two messages to one chat go in successive statements, in the order they came."""

    def __init__(self, transactions: Transactions) -> None:
        self._transactions = transactions
        # Each item is the message as `message_json` builds it; its group's statement fills in the seq,
        # the time and the visitor's name.
        self._groups: Batches[dict[str, Any], Tx | None] = Batches(self._store)

    async def append(self, chat_id: uuid.UUID, *, sender_type: str, sender_id: uuid.UUID, sender_name: str | None,
                     body: str, client_msg_id: str, internal: bool) -> dict[str, Any] | None:
        """The message, stored and pushed; None when a check failed, its chat was locked, or the
        `client_msg_id` is being stored by a concurrent retry: then nothing was written.

        A visitor's name comes from their record; an agent's is `sender_name`."""
        row = SimpleNamespace(id=uuid.uuid4(), chat_id=chat_id, seq=0, client_msg_id=client_msg_id,
                              sender_type=sender_type, sender_id=sender_id, sender_name=sender_name, body=body,
                              internal=internal, created_at=None, system_line=None)
        message = message_json(row)
        tx = await self._groups.call(message)
        if tx is None:
            return None
        await self._transactions.committed(tx)
        return message

    async def _store(self, group: list[dict[str, Any]]) -> list[Tx | None]:
        stored: list[Tx | None] = [None] * len(group)
        async with self._transactions.one_statement() as (conn, driver):
            for indexes in _one_per_chat(group):
                members = [group[index] for index in indexes]
                try:
                    rows = await driver.fetch(_APPEND_GROUP, *_columns(members))
                except asyncpg.UniqueViolationError:  # a retry stored meanwhile: the long way finds it
                    continue
                if rows:
                    MESSAGES.inc(len(rows))
                    MESSAGE_GROUPS.observe(len(rows))
                for n, seq, now, name, streams, outbox_id in rows:
                    message = members[n - 1]
                    message["seq"], message["created_at"], message["sender"]["name"] = seq, now, name
                    tx = stored[indexes[n - 1]] = Tx(conn)
                    tx.written(PendingEvent(list(streams), declared("message.created"),
                                            encode_data({"message": message})), outbox_id)
        return stored


def _one_per_chat(group: list[dict[str, Any]]) -> list[list[int]]:
    """The group's indexes in statements that each hold a chat once, a chat's messages in order."""
    statements: list[list[int]] = []
    seen: Counter[uuid.UUID] = Counter()
    for index, message in enumerate(group):
        round_ = seen[message["chat_id"]]
        seen[message["chat_id"]] += 1
        if round_ == len(statements):
            statements.append([])
        statements[round_].append(index)
    return statements


def _columns(members: list[dict[str, Any]]) -> list[list[Any]]:
    """`_APPEND_GROUP`'s parameters: one list per column."""
    return [
        [m["chat_id"] for m in members], [m["id"] for m in members], [m["client_msg_id"] for m in members],
        [m["sender"]["type"] for m in members], [m["sender"]["id"] for m in members],
        [m["sender"]["name"] for m in members], [m["body"] for m in members], [m["internal"] for m in members],
        [encode_data({"message": m}).decode() for m in members],
    ]
