"""Mail to agents who turned on `email_notifications`: a new ticket in a department they serve (any
department when the ticket has none), and a ticket someone else assigned to them. Queued in the
transaction of the change, like every mail."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.config import Settings
from chatdesk.db.tables import agents, tickets
from chatdesk.desk.auth.principal import Principal
from chatdesk.desk.availability import eligible
from chatdesk.desk.mail.queue import OutgoingMail, enqueue_mail
from chatdesk.desk.mail.templates import MailContent, ticket_assigned_notice, ticket_created_notice
from chatdesk.desk.tickets import get_ticket
from chatdesk.desk.transactions import Tx

_OPTED_IN = sa.and_(agents.c.is_active, agents.c.preferences["email_notifications"].as_boolean().is_(True))


def ticket_url(settings: Settings, ticket_id: Any) -> str:
    return f"{settings.base_url}/workspace/#/tickets/{ticket_id}"


def _requester(ticket: dict[str, Any]) -> str:
    requester = ticket["requester"]
    return requester["name"] or requester["email"] or "A customer"


async def _send(tx: Tx, settings: Settings, recipients: list[str], kind: str, content: MailContent) -> None:
    """To agents, about a ticket but not of its correspondence: no `ticket_id`, so the customer's
    thread, its failures and replies by mail never count these."""
    for address in recipients:
        await enqueue_mail(tx, settings, OutgoingMail(to=address, content=content, kind=kind))


async def notify_ticket_created(tx: Tx, settings: Settings, ticket_id: uuid.UUID,
                                actor: Principal | None = None) -> None:
    """A new ticket: to the opted-in agents of its department (all of them without one), not its author."""
    ticket = await get_ticket(tx.conn, ticket_id)
    query = sa.select(agents.c.email).where(_OPTED_IN)
    if ticket["department_id"] is not None:
        query = query.where(agents.c.id.in_(eligible(ticket["department_id"])))
    if actor is not None:
        query = query.where(agents.c.id != actor.id)
    content = ticket_created_notice(subject=ticket["subject"], requester=_requester(ticket),
                                    url=ticket_url(settings, ticket_id), site=settings.base_url)
    await _send(tx, settings, list((await tx.conn.execute(query)).scalars()), "ticket_created", content)


async def assignee_of(conn: AsyncConnection, ticket_id: uuid.UUID) -> uuid.UUID | None:
    """Who has the ticket now (before a change)."""
    return (await conn.execute(sa.select(tickets.c.assignee_id).where(tickets.c.id == ticket_id))).scalar()


async def notify_ticket_assigned(tx: Tx, settings: Settings, actor: Principal, ticket: dict[str, Any],
                                 previous: uuid.UUID | None) -> None:
    """The ticket went to another agent than before, who asked for it, by someone else: tell them."""
    assignee = ticket["assignee"]
    if assignee is None or assignee["id"] in (previous, actor.id):
        return
    address = (await tx.conn.execute(sa.select(agents.c.email).where(_OPTED_IN, agents.c.id == assignee["id"])))\
        .scalar()
    content = ticket_assigned_notice(subject=ticket["subject"], requester=_requester(ticket), actor=actor.name or "",
                                     url=ticket_url(settings, ticket["id"]), site=settings.base_url)
    await _send(tx, settings, [address] if address else [], "ticket_assigned", content)
