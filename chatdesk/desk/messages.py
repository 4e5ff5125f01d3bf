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
from chatdesk.desk.thread import append_message, message_json, participant_streams, select_messages
from chatdesk.desk.transactions import Tx
from chatdesk.errors import ApiError, forbidden
from chatdesk.realtime.streams import Streams

# A typing indicator that is not refreshed disappears after this long (the widget and the
# workspace hide it themselves), so a closed tab never leaves "typing..." on screen.
TYPING_EXPIRES_S = 6
# Keystrokes send `typing: true` often; only one per chat and sender goes out in this window.
TYPING_THROTTLE_MS = 2000


# Built once, as the message path's other statements (chats._chat_by_id says why).
_BY_ID = select_messages().where(messages.c.id == sa.bindparam("message_id"))


def sender_of(principal: Principal, chat: Any) -> tuple[str, uuid.UUID, str | None]:
    if principal.kind == "visitor":
        return "visitor", principal.id, chat.visitor_name
    return "agent", principal.id, principal.name


async def send_message(tx: Tx, principal: Principal, chat_id: uuid.UUID, body: str, client_msg_id: str,
                       attachment_ids: Sequence[uuid.UUID] = (), internal: bool = False) -> tuple[dict, bool]:
    """Store a message (or find the one this `client_msg_id` already stored): (message, created).

    `internal` makes it a note only agents see; visitors may not write one (403)."""
    if internal and principal.kind == "visitor":
        raise forbidden("Visitors cannot write internal notes.")
    chat = await load_chat(tx.conn, principal, chat_id, lock=True, client_msg_id=client_msg_id)
    if chat.stored_message_id is not None:
        existing = (await tx.conn.execute(_BY_ID, {"message_id": chat.stored_message_id})).one()
        if existing.sender_id != principal.id:
            raise ApiError(409, "This client_msg_id was used by someone else in this chat.", code="conflict")
        files = await attachments_of(tx.conn, [existing.id])
        return message_json(existing, files.get(existing.id)), False
    require_participant(principal, chat)
    if chat.status == "ended":
        raise ApiError(409, "This chat has ended.", code="conflict")
    sender_type, sender_id, sender_name = sender_of(principal, chat)
    message = await append_message(tx, chat, sender_type=sender_type, sender_id=sender_id, sender_name=sender_name,
                                   body=body, client_msg_id=client_msg_id, attachment_ids=attachment_ids,
                                   internal=internal)
    return message, True


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
                     typing: bool) -> None:
    """Tell the other side of the chat that the caller is (or stopped) typing. Never stored."""
    chat = await load_chat(conn, principal, chat_id)
    require_participant(principal, chat)
    if chat.status == "ended":
        return
    throttle_key = f"chatdesk:typing:{chat_id}:{principal.id}"
    if typing:
        if not await streams.redis.set(throttle_key, 1, px=TYPING_THROTTLE_MS, nx=True):
            return
    else:
        await streams.redis.delete(throttle_key)
    sender_type, sender_id, sender_name = sender_of(principal, chat)
    others = [stream for stream in participant_streams(chat) if not stream.endswith(str(principal.id))]
    await publish(streams, others, "typing", {
        "chat_id": chat_id, "who": {"type": sender_type, "id": sender_id, "name": sender_name},
        "typing": typing, "expires_in_s": TYPING_EXPIRES_S,
    })
