""""Email me the transcript": a visitor's own ended chat, mailed to the address they give, in their
language (chatdesk's own lines too), with the times in their time zone (named), the agents by their public
names and no internal notes."""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chatdesk.config import Settings
from chatdesk.desk.auth.principal import Principal
from chatdesk.desk.chats import load_chat
from chatdesk.desk.languages import served
from chatdesk.desk.mail.queue import OutgoingMail, enqueue_mail
from chatdesk.desk.mail.templates import TranscriptLine, chat_transcript
from chatdesk.desk.system_lines import said_in
from chatdesk.desk.transactions import Tx
from chatdesk.desk.transcripts import thread_of
from chatdesk.desk.widgets import get_widget
from chatdesk.errors import ApiError


def zone_of(name: str | None) -> ZoneInfo:
    """The visitor's time zone (an IANA name from their browser), UTC when unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


async def email_transcript(tx: Tx, settings: Settings, visitor: Principal, chat_id: uuid.UUID, email: str,
                           time_zone: str | None) -> None:
    """Queue the transcript of the visitor's chat; 404 for another's chat, 409 until it has ended."""
    chat = await load_chat(tx.conn, visitor, chat_id)
    if chat.status != "ended":
        raise ApiError(409, "The transcript can be emailed once the chat has ended.", code="conflict")
    zone, language = zone_of(time_zone), served(chat.visitor_language)
    widget = await get_widget(tx.conn, chat.widget_id)
    lines = [TranscriptLine(None if m.sender_type == "system" else m.sender_name or m.sender_type.title(),
                            m.created_at.astimezone(zone).strftime("%H:%M"), said_in(language, m.body, m.system_line))
             for m in await thread_of(tx.conn, chat.id)]
    look = widget["settings"]
    content = chat_transcript(team=widget["name"], day=chat.created_at.astimezone(zone).date(), zone=zone.key,
                              lines=lines, color=look["color"], language=language)
    await enqueue_mail(tx, settings, OutgoingMail(to=email, content=content, kind="transcript"))
