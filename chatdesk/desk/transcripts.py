"""Chat transcripts as plain text or HTML (every message body escaped)."""

from __future__ import annotations

import html
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.db.tables import messages
from chatdesk.desk.thread import select_messages


async def thread_of(conn: AsyncConnection, chat_id: Any) -> list[Any]:
    """Every message of a chat the visitor saw (no internal notes), in `seq` order."""
    query = select_messages(public_only=True).where(messages.c.chat_id == chat_id).order_by(messages.c.seq)
    return list((await conn.execute(query)).all())


def _who(message: Any) -> str:
    if message.sender_type == "system":
        return "chatdesk"
    return message.sender_name or message.sender_type.title()


def _time(message: Any) -> str:
    return message.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")


def as_text(chat: Any, thread: list[Any]) -> str:
    """One line per message: `[time] Who: body` (continuation lines indented)."""
    header = f"Chat {chat.id} with {chat.visitor_name or 'a visitor'} ({chat.visitor_email or 'no email'})"
    lines = [header, ""]
    for message in thread:
        body = message.body.replace("\n", "\n    ")
        lines.append(f"[{_time(message)}] {_who(message)}: {body}")
    return "\n".join(lines) + "\n"


def as_html(chat: Any, thread: list[Any]) -> str:
    """A standalone HTML page; bodies are escaped, never interpreted."""
    rows = "\n".join(
        f'<li class="{message.sender_type}"><time>{_time(message)}</time> '
        f"<b>{html.escape(_who(message))}</b>: {html.escape(message.body)}</li>"
        for message in thread
    )
    title = html.escape(f"Chat with {chat.visitor_name or 'a visitor'}")
    return (f"<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>{title}</title>"
            f"<style>body{{font:14px system-ui,sans-serif;max-width:720px;margin:2rem auto}}li{{margin:.5rem 0;"
            f"white-space:pre-wrap}}.system{{color:#71717a}}time{{color:#71717a;font-size:12px}}</style>"
            f"<h1>{title}</h1><ol>{rows}</ol></html>")
