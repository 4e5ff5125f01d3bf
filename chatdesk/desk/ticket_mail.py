"""Mail about a ticket to its customer: the acknowledgement of an offline message and each agent's
reply, in the ticket's language (the customer's), threaded, in the widget's colour, each with the
signed link to the ticket's page.

Every mail about a ticket is a row of `mail_outbox` with its `ticket_id`, so the Message-IDs sent
so far are the thread: a new mail answers the latest (In-Reply-To) and names them all (References),
and mail clients group them. A mail that failed for good shows on the ticket (`mail_failures`).
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.config import Settings
from chatdesk.db.tables import mail_outbox, widgets
from chatdesk.desk.mail.queue import OutgoingMail, enqueue_mail
from chatdesk.desk.mail.templates import DEFAULT_COLOR, MailContent, offline_acknowledgement, ticket_reply
from chatdesk.desk.ticket_links import ticket_link
from chatdesk.desk.transactions import Tx
from chatdesk.desk.widgets import DEFAULT_SETTINGS

# References name at most this many earlier mails (the first and the latest ones), as mail clients do.
REFERENCES_MAX = 20
DEFAULT_TEAM = "Support"


def ticket_ref(ticket_id: uuid.UUID) -> str:
    """The ticket's reference in subjects and plus addresses: the first 8 hex digits of its id, e.g.
    `3F2A9C1B` (read back in any case)."""
    return ticket_id.hex[:8].upper()


async def widget_look(conn: AsyncConnection, widget_id: uuid.UUID | None) -> tuple[str, str]:
    """The team's name (the widget's) and the widget's colour, for the mail's words and band."""
    row = (await conn.execute(sa.select(widgets.c.name, widgets.c.settings).where(widgets.c.id == widget_id))).first()
    if row is None:
        return DEFAULT_TEAM, DEFAULT_COLOR
    return row.name or DEFAULT_TEAM, str({**DEFAULT_SETTINGS, **row.settings}["color"])


async def _thread_headers(conn: AsyncConnection, ticket_id: uuid.UUID) -> dict[str, str]:
    earlier = list((await conn.execute(
        sa.select(mail_outbox.c.message_id).where(mail_outbox.c.ticket_id == ticket_id)
        .order_by(mail_outbox.c.created_at, mail_outbox.c.id))).scalars())
    if not earlier:
        return {}
    named = earlier if len(earlier) <= REFERENCES_MAX else [earlier[0], *earlier[-(REFERENCES_MAX - 1):]]
    return {"In-Reply-To": earlier[-1], "References": " ".join(named)}


async def _enqueue(tx: Tx, settings: Settings, ticket: Any, kind: str, content: MailContent) -> None:
    await enqueue_mail(tx, settings, OutgoingMail(
        to=ticket.requester_email, content=content, kind=kind, ticket_id=ticket.id,
        headers=await _thread_headers(tx.conn, ticket.id)))


async def mail_acknowledgement(tx: Tx, settings: Settings, ticket: Any, message: str) -> None:
    """Tell the customer who left an offline message that we have it, with the ticket's link."""
    team, color = await widget_look(tx.conn, ticket.widget_id)
    await _enqueue(tx, settings, ticket, "offline_acknowledgement", offline_acknowledgement(
        name=ticket.requester_name or "", message=message, team=team, color=color,
        link=ticket_link(settings, ticket.id, ticket.link_version), ref=ticket_ref(ticket.id),
        language=ticket.language))


async def mail_reply(tx: Tx, settings: Settings, ticket: Any, agent_name: str, body: str) -> None:
    """Send an agent's reply on the ticket to its customer (when the ticket has an address)."""
    if not ticket.requester_email:
        return
    team, color = await widget_look(tx.conn, ticket.widget_id)
    await _enqueue(tx, settings, ticket, "ticket_reply", ticket_reply(
        subject=ticket.subject, ref=ticket_ref(ticket.id), agent=agent_name, body=body, team=team, color=color,
        link=ticket_link(settings, ticket.id, ticket.link_version), language=ticket.language))


async def mail_failures(conn: AsyncConnection, ticket_id: uuid.UUID) -> list[dict[str, Any]]:
    """The ticket's mails that failed for good, oldest first: to whom, why, when."""
    rows = (await conn.execute(
        sa.select(mail_outbox.c.to_address, mail_outbox.c.subject, mail_outbox.c.last_error,
                  mail_outbox.c.last_attempt_at)
        .where(mail_outbox.c.ticket_id == ticket_id, mail_outbox.c.status == "failed")
        .order_by(mail_outbox.c.created_at))).all()
    return [{"to": row.to_address, "subject": row.subject, "error": row.last_error, "at": row.last_attempt_at}
            for row in rows]
