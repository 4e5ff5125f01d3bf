"""Tickets: offline messages and chats that need follow-up, with a timeline of comments and changes.

Every change is announced to every active agent (`ticket.created`, `ticket.updated`), so the
workspace's count of new unassigned tickets and its open views follow live. Status and
assignment changes leave a system entry in the ticket's timeline, saying who did what.

Tickets have no internal notes: every agent comment is a reply to the customer, mailed to the
requester's address (desk/ticket_mail.py) and shown on the customer's ticket page, where the
customer's replies come back (`add_customer_reply`, shared with replies by email)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.config import Settings
from chatdesk.db.tables import agents, departments, ticket_comments, tickets, widgets
from chatdesk.desk.auth.principal import Principal
from chatdesk.desk.chats import all_agent_streams, load_chat
from chatdesk.desk.events import declared
from chatdesk.desk.files.ticket_files import files_of_comments
from chatdesk.desk.languages import served
from chatdesk.desk.ticket_mail import mail_acknowledgement, mail_failures, mail_reply, widget_look
from chatdesk.desk.transactions import Tx
from chatdesk.desk.widgets import text_color_on
from chatdesk.errors import ApiError, not_found

_assignee = agents.alias("assignee")
_TICKET = sa.select(tickets, _assignee.c.name.label("assignee_name")).outerjoin(
    _assignee, _assignee.c.id == tickets.c.assignee_id)
UNSOLVED = ("open", "pending")


def ticket_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id, "subject": row.subject, "status": row.status, "source": row.source,
        "requester": {"name": row.requester_name, "email": row.requester_email},
        "assignee": {"id": row.assignee_id, "name": row.assignee_name} if row.assignee_id else None,
        "chat_id": row.chat_id, "department_id": row.department_id, "widget_id": row.widget_id,
        "created_at": row.created_at, "updated_at": row.updated_at,
    }


def comment_json(row: Any) -> dict[str, Any]:
    return {"id": row.id, "author": {"type": row.author_type, "id": row.author_id, "name": row.author_name},
            "body": row.body, "created_at": row.created_at}


def _subject(text: str) -> str:
    first_line = text.strip().splitlines()[0] if text.strip() else "Message"
    return first_line if len(first_line) <= 80 else first_line[:79] + "…"


async def _load(conn: AsyncConnection, ticket_id: uuid.UUID, *, lock: bool = False) -> Any:
    query = _TICKET.where(tickets.c.id == ticket_id)
    row = (await conn.execute(query.with_for_update(of=tickets) if lock else query)).first()
    if row is None:
        raise not_found("ticket")
    return row


async def _announce(tx: Tx, event_type: str, ticket_id: uuid.UUID) -> None:
    """`event_type` `{ticket}` to every active agent (the nav's count of new tickets is everyone's)."""
    ticket = ticket_json(await _load(tx.conn, ticket_id))
    await tx.emit(await all_agent_streams(tx.conn), event_type, {"ticket": ticket})


async def _add_entry(conn: AsyncConnection, ticket_id: uuid.UUID, author: tuple[str, Any, str | None],
                     body: str) -> Any:
    """One timeline entry; entries of one transaction keep the order they were written in."""
    author_type, author_id, author_name = author
    return (await conn.execute(ticket_comments.insert().values(
        ticket_id=ticket_id, author_type=author_type, author_id=author_id, author_name=author_name, body=body,
        created_at=sa.func.clock_timestamp(),
    ).returning(ticket_comments))).one()


async def _open_ticket(tx: Tx, *, first_entry: tuple[tuple[str, Any, str | None], str], **values: Any) -> Any:
    """A new ticket with its first timeline entry (returned: its `ticket_id` names the ticket)."""
    ticket_id = (await tx.conn.execute(tickets.insert().values(**values).returning(tickets.c.id))).scalar_one()
    entry = await _add_entry(tx.conn, ticket_id, *first_entry)
    await _announce(tx, declared("ticket.created"), ticket_id)
    return entry


async def _default_department(conn: AsyncConnection) -> Any:
    return (await conn.execute(sa.select(departments.c.id).where(departments.c.is_default))).scalar()


async def ticket_from_offline_message(tx: Tx, settings: Settings, widget_id: uuid.UUID, name: str, email: str,
                                      body: str, language: str | None = None) -> uuid.UUID:
    """A visitor's message left while nobody was online becomes an open, unassigned ticket, and the
    visitor gets a mail saying so, in their `language`, with the link to the ticket's page."""
    if (await tx.conn.execute(sa.select(widgets.c.id).where(widgets.c.id == widget_id))).first() is None:
        raise not_found("widget")
    department = await _default_department(tx.conn)
    ticket_id = (await _open_ticket(tx, subject=_subject(body), requester_name=name, requester_email=email,
                                    source="offline_message", widget_id=widget_id, department_id=department,
                                    language=language,
                                    first_entry=(("visitor", None, name), body))).ticket_id
    await mail_acknowledgement(tx, settings, await _load(tx.conn, ticket_id), body)
    tx.notify("offline_message.created", {"ticket_id": ticket_id, "widget_id": widget_id, "department_id": department,
                                          "name": name, "email": email, "body": body})
    return ticket_id


async def ticket_from_chat(tx: Tx, agent: Principal, chat_id: uuid.UUID) -> tuple[uuid.UUID, bool]:
    """A chat turned into a ticket assigned to the agent; the same ticket again on a repeat: (id, created).

    The ticket keeps no copy of the thread: its transcript is the chat's messages (`chat_id`)."""
    chat = await load_chat(tx.conn, agent, chat_id, lock=True)
    return await _ticket_of_chat(tx, chat, agent.id, (("system", agent.id, agent.name),
                                                      f"{agent.name} made this ticket from the chat"))


async def ticket_from_closed_chat(tx: Tx, chat: Any) -> tuple[uuid.UUID, bool]:
    """A chat (its row, locked) still waiting when its department closed becomes an open, unassigned
    ticket: (id, created), as `ticket_from_chat`."""
    return await _ticket_of_chat(tx, chat, None, (("system", None, None),
                                                  "The department closed while this chat was waiting"))


async def _ticket_of_chat(tx: Tx, chat: Any, assignee_id: uuid.UUID | None,
                          first_entry: tuple[tuple[str, Any, str | None], str]) -> tuple[uuid.UUID, bool]:
    existing = (await tx.conn.execute(sa.select(tickets.c.id).where(tickets.c.chat_id == chat.id))).scalar()
    if existing is not None:
        return existing, False
    entry = await _open_ticket(
        tx, subject=f"Chat with {chat.visitor_name or 'a visitor'}", requester_name=chat.visitor_name,
        requester_email=chat.visitor_email, source="chat", chat_id=chat.id, widget_id=chat.widget_id,
        department_id=chat.department_id, assignee_id=assignee_id, language=chat.visitor_language,
        first_entry=first_entry)
    return entry.ticket_id, True


async def ticket_from_email(tx: Tx, *, subject: str, name: str | None, email: str, body: str) -> tuple[uuid.UUID,
                                                                                                      uuid.UUID]:
    """A mail that answers no ticket opens one in the default department: (ticket id, its first comment's id)."""
    entry = await _open_ticket(tx, subject=_subject(subject or body), requester_name=name, requester_email=email,
                               source="email", department_id=await _default_department(tx.conn),
                               first_entry=(("visitor", None, name or email), body))
    return entry.ticket_id, entry.id


async def add_system_entry(tx: Tx, ticket_id: uuid.UUID, line: str) -> None:
    """A line of the ticket's timeline written by chatdesk itself (a file a mail brought was refused)."""
    await _add_entry(tx.conn, ticket_id, ("system", None, None), line)


async def list_tickets(conn: AsyncConnection, caller: Principal, *, status: str | None = None,
                       assignee: str | None = None, assignee_id: uuid.UUID | None = None) -> list[dict]:
    """The newest 200 tickets matching the filters: `status` (or `unsolved`: open and pending), and
    `assignee` (`me`, `none`, `me_or_none`) or one agent's `assignee_id`."""
    query = _TICKET.order_by(tickets.c.created_at.desc()).limit(200)
    if status == "unsolved":
        query = query.where(tickets.c.status.in_(UNSOLVED))
    elif status:
        query = query.where(tickets.c.status == status)
    if assignee == "me":
        query = query.where(tickets.c.assignee_id == caller.id)
    elif assignee == "none":
        query = query.where(tickets.c.assignee_id.is_(None))
    elif assignee == "me_or_none":
        query = query.where(sa.or_(tickets.c.assignee_id == caller.id, tickets.c.assignee_id.is_(None)))
    if assignee_id:
        query = query.where(tickets.c.assignee_id == assignee_id)
    return [ticket_json(row) for row in (await conn.execute(query)).all()]


async def ticket_counts(conn: AsyncConnection, caller: Principal) -> dict[str, int]:
    """New tickets nobody has taken (open, unassigned), and the caller's own unsolved ones."""
    row = (await conn.execute(sa.select(
        sa.func.count().filter(tickets.c.status == "open", tickets.c.assignee_id.is_(None)).label("unassigned_open"),
        sa.func.count().filter(tickets.c.status.in_(UNSOLVED), tickets.c.assignee_id == caller.id)
        .label("mine_unsolved"),
    ))).one()
    return {"unassigned_open": row.unassigned_open, "mine_unsolved": row.mine_unsolved}


async def get_ticket(conn: AsyncConnection, ticket_id: uuid.UUID) -> dict[str, Any]:
    """A ticket with its timeline (comments and system entries, with their files), oldest first, and
    the mails to its customer that failed for good."""
    row = await _load(conn, ticket_id)
    comments = await _timeline(conn, ticket_id)
    files = await files_of_comments(conn, [comment["id"] for comment in comments])
    return {**ticket_json(row), "comments": [{**comment, "attachments": files.get(comment["id"], [])}
                                             for comment in comments],
            "mail_failures": await mail_failures(conn, ticket_id)}


async def _timeline(conn: AsyncConnection, ticket_id: uuid.UUID, *, public: bool = False) -> list[dict[str, Any]]:
    query = (sa.select(ticket_comments).where(ticket_comments.c.ticket_id == ticket_id)
             .order_by(ticket_comments.c.created_at, ticket_comments.c.id))
    if public:
        query = query.where(ticket_comments.c.author_type.in_(("visitor", "agent")))
    return [comment_json(c) for c in (await conn.execute(query)).all()]


async def add_comment(tx: Tx, settings: Settings, agent: Principal, ticket_id: uuid.UUID, body: str) -> dict[str, Any]:
    """An agent's reply: in the timeline, and mailed to the customer in the same transaction."""
    ticket = await _load(tx.conn, ticket_id, lock=True)
    row = await _add_entry(tx.conn, ticket_id, ("agent", agent.id, agent.name), body)
    await tx.conn.execute(tickets.update().where(tickets.c.id == ticket_id).values(updated_at=sa.func.now()))
    await mail_reply(tx, settings, ticket, agent.name or "Support", body)
    await _announce(tx, declared("ticket.updated"), ticket_id)
    return comment_json(row)


async def add_customer_reply(tx: Tx, ticket_id: uuid.UUID, *, body: str, from_name: str | None,
                             from_email: str | None) -> dict[str, Any]:
    """The customer's reply (from the ticket's page, or by email): a comment by the customer; a
    pending or solved ticket is open again. `from_email` other than the requester's is shown."""
    ticket = await _load(tx.conn, ticket_id, lock=True)
    name = from_name or ticket.requester_name or "Customer"
    if from_email and from_email.lower() != (ticket.requester_email or "").lower():
        name = f"{name} ({from_email})"
    row = await _add_entry(tx.conn, ticket_id, ("visitor", None, name), body)
    values: dict[str, Any] = {"updated_at": sa.func.now()}
    if ticket.status != "open":
        values["status"] = "open"
        await _add_entry(tx.conn, ticket_id, ("system", None, None), "The customer replied; the ticket is open again")
    await tx.conn.execute(tickets.update().where(tickets.c.id == ticket_id).values(**values))
    await _announce(tx, declared("ticket.updated"), ticket_id)
    return comment_json(row)


async def customer_ticket(conn: AsyncConnection, row: Any) -> dict[str, Any]:
    """The ticket as its customer sees it on its page (`row`: the ticket a link names): the replies
    both ways, no assignee, no system lines, no agent ids; the team's name and the widget's colour;
    the customer's language (one of desk/languages.py) for the page's words."""
    team, color = await widget_look(conn, row.widget_id)
    return {"team": team, "color": color, "color_text": text_color_on(color), "language": served(row.language),
            "subject": row.subject, "status": row.status, "requester": {"name": row.requester_name},
            "created_at": row.created_at, "updated_at": row.updated_at,
            "comments": [public_comment(c) for c in await _timeline(conn, row.id, public=True)]}


def public_comment(comment: dict[str, Any]) -> dict[str, Any]:
    """A comment as the customer's page shows it: without the agent's id."""
    return {**comment, "author": {"type": comment["author"]["type"], "name": comment["author"]["name"]}}


async def revoke_links(tx: Tx, agent: Principal, ticket_id: uuid.UUID) -> dict[str, Any]:
    """End every link to the ticket's page sent so far; mails sent from now on carry new ones."""
    await _load(tx.conn, ticket_id, lock=True)
    await tx.conn.execute(tickets.update().where(tickets.c.id == ticket_id)
                          .values(link_version=tickets.c.link_version + 1, updated_at=sa.func.now()))
    await _add_entry(tx.conn, ticket_id, ("system", agent.id, agent.name),
                     f"{agent.name or 'An agent'} revoked the customer's links")
    await _announce(tx, declared("ticket.updated"), ticket_id)
    return await get_ticket(tx.conn, ticket_id)


def _status_line(actor: str, old: str, new: str) -> str:
    return f"{actor} reopened it" if old == "solved" else f"{actor} marked it {new}"


def _assignment_line(actor: Principal, old: tuple[Any, str | None], new: tuple[Any, str | None]) -> str:
    """"Grace assigned this to Ada", "Ada took this", "Grace unassigned Ada", ..."""
    (old_id, old_name), (new_id, new_name) = old, new
    if new_id is None:
        return f"{actor.name} unassigned this" if old_id == actor.id else f"{actor.name} unassigned {old_name}"
    if new_id == actor.id:
        return f"{actor.name} took this" if old_id is None else f"{actor.name} took this from {old_name}"
    if old_id is None or old_id == actor.id:
        return f"{actor.name} assigned this to {new_name}"
    return f"{actor.name} reassigned this from {old_name} to {new_name}"


async def _active_agent_name(conn: AsyncConnection, agent_id: uuid.UUID) -> str:
    name = (await conn.execute(
        sa.select(agents.c.name).where(agents.c.id == agent_id, agents.c.is_active))).scalar()
    if name is None:
        raise ApiError(422, "Tickets can only be assigned to an active agent.",
                       fields={"assignee_id": "No active agent has this id."})
    return name


async def update_ticket(tx: Tx, agent: Principal, ticket_id: uuid.UUID, changes: dict[str, Any]) -> dict[str, Any]:
    """Change the status or the assignee (None: unassigned); each change that happens is a timeline entry."""
    row = await _load(tx.conn, ticket_id, lock=True)
    values: dict[str, Any] = {}
    entries: list[str] = []
    if "status" in changes and changes["status"] != row.status:
        values["status"] = changes["status"]
        entries.append(_status_line(agent.name or "An agent", row.status, changes["status"]))
    if "assignee_id" in changes and changes["assignee_id"] != row.assignee_id:
        new_id = changes["assignee_id"]
        new_name = await _active_agent_name(tx.conn, new_id) if new_id is not None else None
        values["assignee_id"] = new_id
        entries.append(_assignment_line(agent, (row.assignee_id, row.assignee_name), (new_id, new_name)))
    if values:
        await tx.conn.execute(tickets.update().where(tickets.c.id == ticket_id)
                              .values(**values, updated_at=sa.func.now()))
        for line in entries:
            await _add_entry(tx.conn, ticket_id, ("system", agent.id, agent.name), line)
        await _announce(tx, declared("ticket.updated"), ticket_id)
    return await get_ticket(tx.conn, ticket_id)
