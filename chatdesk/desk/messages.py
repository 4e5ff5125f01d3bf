"""Messages, read marks and typing: what the visitor and the agent of a chat say to each other."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.db.tables import chats, messages
from chatdesk.desk.auth.principal import Principal
from chatdesk.desk.chats import load_chat, require_participant
from chatdesk.desk.events import publish
from chatdesk.desk.files.records import attachments_of
from chatdesk.desk.thread import (
    Appends,
    append_message,
    message_json,
    participant_streams,
    select_messages,
)
from chatdesk.desk.transactions import Transactions, Tx
from chatdesk.desk.widgets import typing_preview_on
from chatdesk.errors import ApiError, forbidden
from chatdesk.realtime.streams import Streams

# A typing indicator that is not refreshed disappears after this long (the widget and the
# workspace hide it themselves), so a closed tab never leaves "typing..." on screen.
TYPING_EXPIRES_S = 6
# Keystrokes send `typing: true` often; only one per chat and sender goes out in this window.
TYPING_THROTTLE_MS = 2000
# A visitor's unsent text (the typing preview) changes with each keystroke: the widget sends it at
# most every 400 ms, one request after the other. The server passes this many a second per chat
# and visitor: a count, not a gap, so requests a slow network bunches together all go out (the
# last text too, or the agent would read a stale one), and a client sending more is cut off.
PREVIEWS_PER_S = 5
PREVIEW_MAX_CHARS = 500


# Built once, as the message path's other statements (chats._chat_by_id says why).
_BY_ID = select_messages().where(messages.c.id == sa.bindparam("message_id"))


def sender_of(principal: Principal, chat: Any, internal: bool = False) -> tuple[str, uuid.UUID, str | None]:
    """(type, id, name) of who writes or types: an agent by their public name to the visitor, by their
    account name on an internal note (agents only)."""
    if principal.kind == "visitor":
        return "visitor", principal.id, chat.visitor_name
    return "agent", principal.id, principal.name if internal else principal.public_name


async def send_message(tx: Tx, principal: Principal, chat_id: uuid.UUID, body: str, client_msg_id: str,
                       attachment_ids: Sequence[uuid.UUID] = (), internal: bool = False,
                       supervising: bool = False) -> tuple[dict, bool]:
    """Store a message (or find the one this `client_msg_id` already stored): (message, created).

    `internal` makes it a note only agents see; visitors may not write one (403). A supervisor
    (`supervising`, checked by the caller) whispers such a note into any chat, theirs or not."""
    if internal and principal.kind == "visitor":
        raise forbidden("Visitors cannot write internal notes.")
    chat = await load_chat(tx.conn, principal, chat_id, lock=True, client_msg_id=client_msg_id)
    if chat.stored_message_id is not None:
        existing = (await tx.conn.execute(_BY_ID, {"message_id": chat.stored_message_id})).one()
        if existing.sender_id != principal.id:
            raise ApiError(409, "This client_msg_id was used by someone else in this chat.", code="conflict")
        files = await attachments_of(tx.conn, [existing.id])
        return message_json(existing, files.get(existing.id)), False
    if not (supervising and internal):
        require_participant(principal, chat)
    if chat.status == "ended":
        raise ApiError(409, "This chat has ended.", code="conflict")
    sender_type, sender_id, sender_name = sender_of(principal, chat, internal)
    message = await append_message(tx, chat, sender_type=sender_type, sender_id=sender_id, sender_name=sender_name,
                                   body=body, client_msg_id=client_msg_id, attachment_ids=attachment_ids,
                                   internal=internal)
    return message, True


async def post_message(transactions: Transactions, appends: Appends, principal: Principal, chat_id: uuid.UUID,
                       body: str, client_msg_id: str, attachment_ids: Sequence[uuid.UUID] = (),
                       internal: bool = False) -> tuple[dict, bool]:
    """`send_message` in a transaction of its own: (message, created).

    The usual message (no files, from the chat's visitor or agent, no webhook wanting it) is stored
    with the others that come meanwhile by one statement (`thread.Appends`); anything else, or a
    check that fails there, takes `send_message`'s way, which also says what failed."""
    if (not attachment_ids and not (internal and principal.kind == "visitor")
            and transactions.one_statement_for("message.created")):
        sender_name = None if principal.kind == "visitor" else principal.name if internal else principal.public_name
        message = await appends.append(chat_id, sender_type=principal.kind, sender_id=principal.id,
                                       sender_name=sender_name, body=body, client_msg_id=client_msg_id,
                                       internal=internal)
        if message is not None:
            return message, True
    async with transactions() as tx:
        return await send_message(tx, principal, chat_id, body, client_msg_id, attachment_ids, internal)


async def list_messages(conn: AsyncConnection, principal: Principal, chat_id: uuid.UUID, after_seq: int,
                        limit: int, *, before_seq: int | None = None) -> dict[str, Any]:
    """Messages with `seq > after_seq`, oldest first, and the chat's `last_seq`.

    With `before_seq`, the last `limit` of those below it (still oldest first): a thread opens on
    its newest page (`before_seq = last_seq + 1`) and scrolls back a page at a time.
    A visitor gets no internal notes, and as `last_seq` the last seq they can see, so a client
    that fetches until it holds `last_seq` stops (their seqs skip the notes' numbers).
    """
    chat = await load_chat(conn, principal, chat_id)
    visitor = principal.kind == "visitor"
    query = select_messages(public_only=visitor).where(messages.c.chat_id == chat_id, messages.c.seq > after_seq)
    if before_seq is None:
        query = query.order_by(messages.c.seq).limit(limit)
    else:
        newest_first = query.where(messages.c.seq < before_seq).order_by(messages.c.seq.desc()).limit(limit).subquery()
        query = sa.select(newest_first).order_by(newest_first.c.seq)
    rows = (await conn.execute(query)).all()
    files = await attachments_of(conn, [row.id for row in rows])
    return {"messages": [message_json(row, files.get(row.id)) for row in rows],
            "last_seq": chat.visitor_last_seq if visitor else chat.last_seq}


async def mark_read(tx: Tx, principal: Principal, chat_id: uuid.UUID, seq: int) -> None:
    """Move the caller's read mark forward to `seq`; tells both sides (`message.read`).

    The visitor reads up to the last message they can see; an agent's mark past it (on an
    internal note) reaches the visitor as the visitor's last seq."""
    chat = await load_chat(tx.conn, principal, chat_id, lock=True)
    require_participant(principal, chat)
    last_seq = chat.visitor_last_seq if principal.kind == "visitor" else chat.last_seq
    if seq > last_seq:
        raise ApiError(422, "seq is past the last message.", fields={"seq": f"Must be at most {last_seq}."})
    column = chats.c.visitor_read_seq if principal.kind == "visitor" else chats.c.agent_read_seq
    moved = (await tx.conn.execute(
        chats.update().where(chats.c.id == chat_id, column < seq).values({column: seq}).returning(chats.c.id)
    )).first()
    if moved is not None:
        reader = {"type": principal.kind, "id": principal.id}
        streams, shown = participant_streams(chat), min(seq, chat.visitor_last_seq)
        if shown == seq:
            await tx.emit(streams, "message.read", {"chat_id": chat_id, "reader": reader, "seq": seq})
        else:
            await tx.emit(streams[1:], "message.read", {"chat_id": chat_id, "reader": reader, "seq": seq})
            await tx.emit(streams[:1], "message.read", {"chat_id": chat_id, "reader": reader, "seq": shown})


async def set_typing(conn: AsyncConnection, streams: Streams, principal: Principal, chat_id: uuid.UUID,
                     typing: bool, preview: str | None = None) -> None:
    """Tell the other side of the chat that the caller is (or stopped) typing, and a visitor's agents
    what the visitor is typing (`preview`) unless the widget turns that off.

    Never stored, the preview no more than the rest (invariant 7 in docs/architecture.md): one
    publish to whoever is connected now. Agents' previews are dropped: visitors never get one."""
    chat = await load_chat(conn, principal, chat_id)
    require_participant(principal, chat)
    if chat.status == "ended":
        return
    if preview and not (principal.kind == "visitor" and typing and await typing_preview_on(conn, chat.widget_id)):
        preview = None
    if not await _may_publish(streams, f"chatdesk:typing:{chat_id}:{principal.id}", typing, preview):
        return
    sender_type, sender_id, sender_name = sender_of(principal, chat)
    others = [stream for stream in participant_streams(chat) if not stream.endswith(str(principal.id))]
    payload = {"chat_id": chat_id, "who": {"type": sender_type, "id": sender_id, "name": sender_name},
               "typing": typing, "expires_in_s": TYPING_EXPIRES_S}
    await publish(streams, others, "typing", {**payload, "preview": preview} if preview else payload)


async def _may_publish(streams: Streams, key: str, typing: bool, preview: str | None) -> bool:
    """Whether a typing event goes out: `typing: false` always (and it opens both windows again),
    `typing: true` once in TYPING_THROTTLE_MS, or with a preview PREVIEWS_PER_S times a second."""
    if not typing:
        await streams.redis.delete(key, f"{key}:preview")
        return True
    if not preview:
        return bool(await streams.redis.set(key, 1, px=TYPING_THROTTLE_MS, nx=True))
    async with streams.redis.pipeline(transaction=False) as pipe:
        pipe.set(f"{key}:preview", 0, px=1000, nx=True)
        pipe.incr(f"{key}:preview")
        _, sent = await pipe.execute()
    return sent <= PREVIEWS_PER_S
