"""Export: everything kept about a person, as a zip of `visitor.json` and their files.

`visitor.json` holds their visitor records, chats with the messages they saw and the chats' files,
tickets with their timeline and files, and the mails sent to them or about their tickets. Agents'
internal notes are the company's own records about the chat, not something the person said or was
told: they are left out (the file says so), and erased with the chat all the same. Files are read
through the storage (local or Supabase) into `files/<file id>/<name>`."""

from __future__ import annotations

import io
import logging
import zipfile
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.db.tables import (
    attachments,
    chats,
    mail_outbox,
    messages,
    ticket_attachments,
    ticket_comments,
    tickets,
    visitors,
)
from chatdesk.desk.files.storage import Storage
from chatdesk.desk.privacy.subject import Subject, find_subject, mails_of

log = logging.getLogger(__name__)

NOTES = ("Agents' internal notes about the chats are the company's own records, not part of the conversation: "
         "they are not in this export (and are erased with the chats).")


async def _rows(conn: AsyncConnection, query: sa.Select) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in (await conn.execute(query)).all()]


def _grouped(rows: list[dict[str, Any]], key: str) -> dict[Any, list[dict[str, Any]]]:
    grouped: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row.pop(key), []).append(row)
    return grouped


def _file(row: dict[str, Any]) -> dict[str, Any]:
    return {**{k: v for k, v in row.items() if k != "storage_key"}, "path": f"files/{row['id']}/{row['name']}"}


async def _chats(conn: AsyncConnection, subject: Subject) -> list[dict[str, Any]]:
    thread = _grouped(await _rows(conn, sa.select(
        messages.c.chat_id, messages.c.seq, messages.c.sender_type, messages.c.sender_name,
        messages.c.body, messages.c.system_line, messages.c.created_at)
        .where(messages.c.chat_id.in_(subject.chat_ids), ~messages.c.internal)
        .order_by(messages.c.chat_id, messages.c.seq)), "chat_id")
    files = _grouped(await _rows(conn, sa.select(
        attachments.c.chat_id, attachments.c.id, attachments.c.name, attachments.c.size, attachments.c.content_type,
        attachments.c.created_at, attachments.c.storage_key).where(attachments.c.chat_id.in_(subject.chat_ids))
        .order_by(attachments.c.created_at)), "chat_id")
    rows = await _rows(conn, sa.select(
        chats.c.id, chats.c.visitor_id, chats.c.status, chats.c.created_at, chats.c.ended_at, chats.c.rating,
        chats.c.rating_comment, chats.c.rated_at, chats.c.erased_at).where(chats.c.id.in_(subject.chat_ids))
        .order_by(chats.c.created_at))
    return [{**row, "messages": thread.get(row["id"], []), "files": files.get(row["id"], [])} for row in rows]


async def _tickets(conn: AsyncConnection, subject: Subject) -> list[dict[str, Any]]:
    timeline = _grouped(await _rows(conn, sa.select(
        ticket_comments.c.ticket_id, ticket_comments.c.author_type, ticket_comments.c.author_name,
        ticket_comments.c.body, ticket_comments.c.created_at).where(ticket_comments.c.ticket_id.in_(subject.ticket_ids))
        .order_by(ticket_comments.c.created_at)), "ticket_id")
    t = ticket_attachments
    files = _grouped(await _rows(conn, sa.select(
        t.c.ticket_id, t.c.id, t.c.name, t.c.size, t.c.content_type, t.c.created_at, t.c.storage_key)
        .where(t.c.ticket_id.in_(subject.ticket_ids)).order_by(t.c.created_at)), "ticket_id")
    rows = await _rows(conn, sa.select(
        tickets.c.id, tickets.c.subject, tickets.c.status, tickets.c.source, tickets.c.requester_name,
        tickets.c.requester_email, tickets.c.chat_id, tickets.c.created_at, tickets.c.updated_at)
        .where(tickets.c.id.in_(subject.ticket_ids)).order_by(tickets.c.created_at))
    return [{**row, "comments": timeline.get(row["id"], []), "files": files.get(row["id"], [])} for row in rows]


async def export_data(conn: AsyncConnection, who: str) -> dict[str, Any]:
    """What `visitor.json` holds about the person named by a visitor's id or an email address, each
    file with the `storage_key` it is read from (left out of the JSON)."""
    subject = await find_subject(conn, who)
    visitor_rows = await _rows(conn, sa.select(
        visitors.c.id, visitors.c.widget_id, visitors.c.name, visitors.c.email, visitors.c.page_url,
        visitors.c.user_agent, visitors.c.fields, visitors.c.user_id, visitors.c.language, visitors.c.consented_at,
        visitors.c.created_at, visitors.c.last_seen_at, visitors.c.erased_at,
    ).where(visitors.c.id.in_(subject.visitor_ids)))
    m = mail_outbox
    mails = await _rows(conn, sa.select(m.c.kind, m.c.to_address, m.c.subject, m.c.text_body, m.c.status,
                                        m.c.created_at, m.c.sent_at).where(mails_of(subject)).order_by(m.c.created_at))
    return {"exported_at": datetime.now(UTC), "internal_notes": NOTES, "emails": subject.emails,
            "visitors": visitor_rows, "chats": await _chats(conn, subject), "tickets": await _tickets(conn, subject),
            "mails": mails}


async def export_zip(conn: AsyncConnection, storage: Storage, who: str) -> bytes:
    """The export as a zip: `visitor.json` and the files (a file the storage no longer has is marked
    `"missing": true` in the JSON)."""
    document = await export_data(conn, who)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for record in [*document["chats"], *document["tickets"]]:
            kept = []
            for row in record["files"]:
                entry = _file(row)
                try:
                    archive.writestr(entry["path"], await storage.read(row["storage_key"]))
                except Exception:  # gone from the storage: said in the JSON
                    log.warning("export: stored file %s could not be read", row["storage_key"], exc_info=True)
                    entry["missing"] = True
                kept.append(entry)
            record["files"] = kept
        # Column names are str subclasses, which orjson takes as keys only with OPT_NON_STR_KEYS.
        options = orjson.OPT_INDENT_2 | orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS
        archive.writestr("visitor.json", orjson.dumps(document, default=str, option=options))
    return buffer.getvalue()
