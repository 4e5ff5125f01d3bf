"""Files that came with a ticket's comment (a customer's mail): kept, listed, found for a download."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.db.tables import ticket_attachments
from chatdesk.desk.files.names import safe_name
from chatdesk.desk.files.sniff import SNIFF_BYTES, classify
from chatdesk.desk.files.storage import Storage
from chatdesk.errors import not_found

_COLUMNS = [ticket_attachments.c.id, ticket_attachments.c.comment_id, ticket_attachments.c.name,
            ticket_attachments.c.size, ticket_attachments.c.content_type, ticket_attachments.c.storage_key]


def ticket_file_json(row: Any) -> dict[str, Any]:
    """A ticket's file as the API shows it; the URL needs an agent's token (header or ?access_token=)."""
    return {"id": row.id, "name": row.name, "size": row.size, "content_type": row.content_type,
            "url": f"/api/v1/ticket-attachments/{row.id}"}


async def keep_ticket_file(conn: AsyncConnection, storage: Storage, ticket_id: uuid.UUID, comment_id: uuid.UUID,
                           raw_name: str, data: bytes, limit: int) -> dict[str, Any] | str:
    """Store a file of a comment and record it; or say, in words for the timeline, why it was not
    kept (over the upload size limit, or a kind of file uploads don't take either). The caller
    deletes the stored file if its transaction does not commit (`storage_key` in the answer)."""
    name = safe_name(raw_name)
    if len(data) > limit:
        return f"{name} was not kept: files are at most {limit} bytes"
    verdict = classify(data[:SNIFF_BYTES], name)
    if verdict.content_type is None:
        return f"{name} was not kept: {verdict.reason or 'this kind of file is not accepted'}"
    key = secrets.token_hex(16)
    await storage.put_bytes(key, data)
    row = (await conn.execute(ticket_attachments.insert().values(
        ticket_id=ticket_id, comment_id=comment_id, name=name, size=len(data), content_type=verdict.content_type,
        storage_key=key, sha256=hashlib.sha256(data).hexdigest(),
    ).returning(*_COLUMNS))).one()
    return {**ticket_file_json(row), "storage_key": key}


async def files_of_comments(conn: AsyncConnection, comment_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[dict]]:
    """The files of these comments, grouped by comment, in the order they came."""
    if not comment_ids:
        return {}
    rows = (await conn.execute(sa.select(*_COLUMNS).where(ticket_attachments.c.comment_id.in_(comment_ids))
                               .order_by(ticket_attachments.c.created_at, ticket_attachments.c.id))).all()
    grouped: dict[uuid.UUID, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row.comment_id, []).append(ticket_file_json(row))
    return grouped


async def load_ticket_file(conn: AsyncConnection, file_id: uuid.UUID) -> Any:
    """A ticket's file (agents may read every ticket), or 404."""
    row = (await conn.execute(sa.select(*_COLUMNS).where(ticket_attachments.c.id == file_id))).first()
    if row is None:
        raise not_found("attachment")
    return row
