"""Attachment rows and their wire shape, and linking them to messages (below chats and threads)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.db.tables import attachments
from chatdesk.errors import ApiError

COLUMNS = [attachments.c.id, attachments.c.chat_id, attachments.c.message_id, attachments.c.name,
            attachments.c.size, attachments.c.content_type, attachments.c.storage_key, attachments.c.thumbnail_key]


def attachment_json(row: Any) -> dict[str, Any]:
    """An attachment as the API shows it; the URLs need the caller's token (header or ?access_token=)."""
    url = f"/api/v1/attachments/{row.id}"
    return {"id": row.id, "name": row.name, "size": row.size, "content_type": row.content_type, "url": url,
            "thumbnail_url": f"{url}/thumbnail" if row.thumbnail_key else None}


async def claim_attachments(conn: AsyncConnection, chat_id: uuid.UUID, sender_id: uuid.UUID | None,
                            attachment_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    """Lock the sender's unsent uploads of this chat for a message, in the order given; 409 if
    any is unknown, from another chat or sender, or sent already. `link_attachments` then
    links them to the message once its row is written."""
    if not attachment_ids:
        return []
    rows = (await conn.execute(
        sa.select(*COLUMNS)
        .where(attachments.c.id.in_(attachment_ids), attachments.c.chat_id == chat_id,
               attachments.c.uploader_id == sender_id, attachments.c.message_id.is_(None))
        .with_for_update()
    )).all()
    if len(rows) != len(set(attachment_ids)):
        raise ApiError(409, "An attachment is unknown, from another chat or sender, or was sent already.",
                       code="conflict")
    by_id = {row.id: row for row in rows}
    return [attachment_json(by_id[i]) for i in dict.fromkeys(attachment_ids)]


async def link_attachments(conn: AsyncConnection, message_id: uuid.UUID, attachment_ids: list[uuid.UUID]) -> None:
    """Link attachments that `claim_attachments` locked to their message."""
    if attachment_ids:
        await conn.execute(attachments.update().where(attachments.c.id.in_(attachment_ids))
                           .values(message_id=message_id))


async def attachments_of(conn: AsyncConnection, message_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[dict]]:
    """Attachments of these messages, grouped by message, oldest first."""
    if not message_ids:
        return {}
    rows = (await conn.execute(sa.select(*COLUMNS).where(attachments.c.message_id.in_(message_ids))
                               .order_by(attachments.c.created_at))).all()
    grouped: dict[uuid.UUID, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row.message_id, []).append(attachment_json(row))
    return grouped
