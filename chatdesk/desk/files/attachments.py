"""Storing an upload for a chat; finding an attachment for a download."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.db.tables import attachments, chats, messages
from chatdesk.desk.auth.principal import Principal
from chatdesk.desk.chats import load_chat, require_participant
from chatdesk.desk.files.images import NotAnImage, thumbnail
from chatdesk.desk.files.names import safe_name
from chatdesk.desk.files.records import COLUMNS, attachment_json
from chatdesk.desk.files.sniff import IMAGE_TYPES, classify
from chatdesk.desk.files.storage import Storage
from chatdesk.desk.files.uploads import Upload
from chatdesk.errors import ApiError, not_found


async def store_upload(conn: AsyncConnection, storage: Storage, principal: Principal, chat_id: uuid.UUID,
                       upload: Upload) -> dict[str, Any]:
    """Check the upload, move it into storage, record it. Nothing is kept if any step refuses it."""
    chat = await load_chat(conn, principal, chat_id)
    require_participant(principal, chat)
    if chat.status == "ended":
        raise ApiError(409, "This chat has ended.", code="conflict")
    name = safe_name(upload.name)
    verdict = classify(upload.head, name)
    if verdict.content_type is None:
        raise ApiError(415, verdict.reason or "This kind of file is not accepted.")
    thumb = None
    if verdict.content_type in IMAGE_TYPES:
        try:
            thumb = await thumbnail(upload.path)
        except NotAnImage as error:
            raise ApiError(415, f"The image can't be processed safely: {error}.") from None
    key = secrets.token_hex(16)
    thumbnail_key = None
    await storage.put(key, upload.path)
    try:
        if thumb is not None:
            thumbnail_key = secrets.token_hex(16)
            await storage.put_bytes(thumbnail_key, thumb)
        row = (await conn.execute(attachments.insert().values(
            chat_id=chat_id, uploader_type=principal.kind, uploader_id=principal.id, name=name, size=upload.size,
            content_type=verdict.content_type, storage_key=key, thumbnail_key=thumbnail_key, sha256=upload.sha256,
        ).returning(*COLUMNS))).one()
    except BaseException:
        await storage.delete(key)
        if thumbnail_key:
            await storage.delete(thumbnail_key)
        raise
    return attachment_json(row)


async def load_attachment(conn: AsyncConnection, principal: Principal, attachment_id: uuid.UUID) -> Any:
    """The attachment if the caller may download it: the chat's visitor, or an agent. 404 otherwise."""
    query = sa.select(*COLUMNS).join(chats, chats.c.id == attachments.c.chat_id).where(
        attachments.c.id == attachment_id)
    if principal.kind == "visitor":  # their own chat's files, but none sent with an internal note
        note = sa.exists().where(messages.c.id == attachments.c.message_id, messages.c.internal)
        query = query.where(chats.c.visitor_id == principal.id, ~note)
    row = (await conn.execute(query)).first()
    if row is None:
        raise not_found("attachment")
    return row
