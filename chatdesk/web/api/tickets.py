"""Tickets (agents only), offline messages (public, from the widget), transcripts."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, EmailStr, Field
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from chatdesk.desk.chats import load_chat
from chatdesk.desk.events import TicketOut
from chatdesk.desk.mail.notifications import assignee_of, notify_ticket_assigned, notify_ticket_created
from chatdesk.desk.tickets import (
    add_comment,
    get_ticket,
    list_tickets,
    revoke_links,
    ticket_counts,
    ticket_from_chat,
    ticket_from_offline_message,
    update_ticket,
)
from chatdesk.desk.transcripts import as_html, as_text, thread_of
from chatdesk.web.api.auth import client_ip
from chatdesk.web.api.endpoint import Access, Call, endpoint, json_response
from chatdesk.web.api.widgets import LanguageTag

# Offline messages need no account, so each address gets a modest budget against spam.

Status = Literal["open", "pending", "solved"]


class OfflineMessageIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    email: EmailStr
    body: str = Field(min_length=1, max_length=5000)
    language: LanguageTag | None = None  # the widget's: the mails' language


class TicketId(BaseModel):
    ticket_id: uuid.UUID


class TicketsQuery(BaseModel):
    status: Status | Literal["unsolved"] | None = None
    assignee: Literal["me", "none", "me_or_none"] | None = None
    assignee_id: uuid.UUID | None = None


class TicketCounts(BaseModel):
    unassigned_open: int
    mine_unsolved: int


class CommentIn(BaseModel):
    body: str = Field(min_length=1, max_length=10000)


class TicketPatch(BaseModel):
    status: Status = None  # type: ignore[assignment]  # may be left out, never null: every ticket has one
    assignee_id: uuid.UUID | None = None


class TranscriptQuery(BaseModel):
    format: Literal["text", "html"] = "text"


class TicketList(BaseModel):
    tickets: list[TicketOut]


class TicketDetail(TicketOut):
    comments: list[dict]
    mail_failures: list[dict]


@endpoint("Leave a message while nobody is online; it becomes a ticket", access=Access.PUBLIC,
          body=OfflineMessageIn, response=TicketId, status=201, tags=("visitors",))
async def offline_message(call: Call) -> Response:
    await call.runtime.counters.spend(call.runtime.settings.offline_message_rate, f"offline:{client_ip(call)}")
    body = call.body
    async with call.runtime.transaction() as tx:
        ticket_id = await ticket_from_offline_message(tx, call.runtime.settings, call.request.path_params["widget_id"],
                                                      body.name.strip(), body.email, body.body.strip(),
                                                      body.language)
        await notify_ticket_created(tx, call.runtime.settings, ticket_id)
    return json_response({"ticket_id": ticket_id}, 201)


@endpoint("Turn a chat into a ticket assigned to the caller (agent); again, the same ticket (200)",
          access=Access.AGENT, response=TicketId, status=201, other_statuses=(200,), tags=("tickets",),
          scope="tickets:write")
async def chat_ticket(call: Call) -> Response:
    async with call.runtime.transaction() as tx:
        ticket_id, created = await ticket_from_chat(tx, call.caller, call.request.path_params["chat_id"])
        if created:
            await notify_ticket_created(tx, call.runtime.settings, ticket_id, call.caller)
    return json_response({"ticket_id": ticket_id}, 201 if created else 200)


@endpoint("The chat's transcript as text or HTML", access=Access.PARTICIPANT, query=TranscriptQuery,
          tags=("chats",))
async def transcript(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        chat = await load_chat(conn, call.caller, call.request.path_params["chat_id"])
        thread = await thread_of(conn, chat.id)
    extension = "html" if call.query.format == "html" else "txt"
    disposition = {"Content-Disposition": f'inline; filename="chat-{chat.id}.{extension}"'}
    if call.query.format == "html":
        csp = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}
        return HTMLResponse(as_html(chat, thread), headers={**disposition, **csp})
    return PlainTextResponse(as_text(chat, thread), headers=disposition)


@endpoint("List tickets, newest first, by status and assignee", access=Access.AGENT, query=TicketsQuery,
          response=TicketList, tags=("tickets",), scope="tickets:read")
async def tickets_index(call: Call) -> Response:
    query = call.query
    async with call.runtime.engine.connect() as conn:
        return json_response({"tickets": await list_tickets(conn, call.caller, status=query.status,
                                                            assignee=query.assignee, assignee_id=query.assignee_id)})


@endpoint("Count new unassigned tickets and the caller's unsolved ones", access=Access.AGENT,
          response=TicketCounts, tags=("tickets",), scope="tickets:read")
async def tickets_counts(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        return json_response(await ticket_counts(conn, call.caller))


@endpoint("A ticket with its timeline", access=Access.AGENT, response=TicketDetail, tags=("tickets",),
          scope="tickets:read")
async def tickets_show(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        return json_response(await get_ticket(conn, call.request.path_params["ticket_id"]))


@endpoint("Reply on a ticket: a comment, mailed to its customer", access=Access.AGENT, body=CommentIn, status=201,
          tags=("tickets",), scope="tickets:write")
async def tickets_comment(call: Call) -> Response:
    async with call.runtime.transaction() as tx:
        comment = await add_comment(tx, call.runtime.settings, call.caller, call.request.path_params["ticket_id"],
                                    call.body.body)
    return json_response({"comment": comment}, 201)


@endpoint("Change a ticket's status or assignee (null: unassigned)", access=Access.AGENT, body=TicketPatch,
          response=TicketDetail, tags=("tickets",), scope="tickets:write")
async def tickets_update(call: Call) -> Response:
    ticket_id = call.request.path_params["ticket_id"]
    async with call.runtime.transaction() as tx:
        previous = await assignee_of(tx.conn, ticket_id)
        ticket = await update_ticket(tx, call.caller, ticket_id, call.body.model_dump(exclude_unset=True))
        await notify_ticket_assigned(tx, call.runtime.settings, call.caller, ticket, previous)
    return json_response(ticket)


@endpoint("End every link to the ticket's customer page sent so far (agent)", access=Access.AGENT,
          response=TicketDetail, tags=("tickets",))
async def tickets_revoke_links(call: Call) -> Response:
    async with call.runtime.transaction() as tx:
        ticket = await revoke_links(tx, call.caller, call.request.path_params["ticket_id"])
    return json_response(ticket)


routes = [
    Route("/api/v1/widgets/{widget_id:uuid}/offline-messages", offline_message, methods=["POST"]),
    Route("/api/v1/chats/{chat_id:uuid}/ticket", chat_ticket, methods=["POST"]),
    Route("/api/v1/chats/{chat_id:uuid}/transcript", transcript, methods=["GET"]),
    Route("/api/v1/tickets", tickets_index, methods=["GET"]),
    Route("/api/v1/tickets/counts", tickets_counts, methods=["GET"]),
    Route("/api/v1/tickets/{ticket_id:uuid}", tickets_show, methods=["GET"]),
    Route("/api/v1/tickets/{ticket_id:uuid}", tickets_update, methods=["PATCH"]),
    Route("/api/v1/tickets/{ticket_id:uuid}/comments", tickets_comment, methods=["POST"]),
    Route("/api/v1/tickets/{ticket_id:uuid}/revoke-links", tickets_revoke_links, methods=["POST"]),
]
