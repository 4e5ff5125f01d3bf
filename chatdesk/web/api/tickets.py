"""Tickets (agents only), offline messages (public, from the widget), transcripts."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, EmailStr, Field
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from chatdesk.desk.chats import load_chat
from chatdesk.desk.tickets import (
    add_comment,
    get_ticket,
    list_tickets,
    ticket_from_chat,
    ticket_from_offline_message,
    update_ticket,
)
from chatdesk.desk.transcripts import as_html, as_text, thread_of
from chatdesk.web.api.auth import client_ip
from chatdesk.web.api.endpoint import Access, Call, endpoint, json_response

# Offline messages need no account, so each address gets a modest budget against spam.
OFFLINE_MESSAGE_RATE = "10 per hour"

Status = Literal["open", "pending", "solved"]


class OfflineMessageIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    email: EmailStr
    body: str = Field(min_length=1, max_length=5000)


class TicketId(BaseModel):
    ticket_id: uuid.UUID


class TicketsQuery(BaseModel):
    status: Status | None = None
    assignee_id: uuid.UUID | None = None


class CommentIn(BaseModel):
    body: str = Field(min_length=1, max_length=10000)


class TicketPatch(BaseModel):
    status: Status = None  # type: ignore[assignment]  # may be left out, never null: every ticket has one
    assignee_id: uuid.UUID | None = None


class TranscriptQuery(BaseModel):
    format: Literal["text", "html"] = "text"


class TicketOut(BaseModel):
    id: uuid.UUID
    subject: str
    status: Status
    source: str
    requester: dict
    assignee: dict | None
    chat_id: uuid.UUID | None


class TicketList(BaseModel):
    tickets: list[TicketOut]


class TicketDetail(TicketOut):
    comments: list[dict]


@endpoint("Leave a message while nobody is online; it becomes a ticket", access=Access.PUBLIC,
          body=OfflineMessageIn, response=TicketId, status=201, tags=("visitors",))
async def offline_message(call: Call) -> Response:
    await call.runtime.counters.spend(OFFLINE_MESSAGE_RATE, f"offline:{client_ip(call)}")
    body = call.body
    async with call.runtime.engine.begin() as conn:
        ticket_id = await ticket_from_offline_message(conn, call.request.path_params["widget_id"], body.name.strip(),
                                                      body.email, body.body.strip())
    return json_response({"ticket_id": ticket_id}, 201)


@endpoint("Turn a chat into a ticket carrying its transcript (agent); again, the same ticket (200)",
          access=Access.AGENT, response=TicketId, status=201, other_statuses=(200,), tags=("tickets",))
async def chat_ticket(call: Call) -> Response:
    async with call.runtime.engine.begin() as conn:
        ticket_id, created = await ticket_from_chat(conn, call.caller, call.request.path_params["chat_id"])
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


@endpoint("List tickets", access=Access.AGENT, query=TicketsQuery, response=TicketList, tags=("tickets",))
async def tickets_index(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        return json_response({"tickets": await list_tickets(conn, call.query.status, call.query.assignee_id)})


@endpoint("A ticket with its comments", access=Access.AGENT, response=TicketDetail, tags=("tickets",))
async def tickets_show(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        return json_response(await get_ticket(conn, call.request.path_params["ticket_id"]))


@endpoint("Comment on a ticket", access=Access.AGENT, body=CommentIn, status=201, tags=("tickets",))
async def tickets_comment(call: Call) -> Response:
    async with call.runtime.engine.begin() as conn:
        comment = await add_comment(conn, call.caller, call.request.path_params["ticket_id"], call.body.body)
    return json_response({"comment": comment}, 201)


@endpoint("Change a ticket's status or assignee", access=Access.AGENT, body=TicketPatch, response=TicketDetail,
          tags=("tickets",))
async def tickets_update(call: Call) -> Response:
    async with call.runtime.engine.begin() as conn:
        ticket = await update_ticket(conn, call.request.path_params["ticket_id"],
                                     call.body.model_dump(exclude_unset=True))
    return json_response(ticket)


routes = [
    Route("/api/v1/widgets/{widget_id:uuid}/offline-messages", offline_message, methods=["POST"]),
    Route("/api/v1/chats/{chat_id:uuid}/ticket", chat_ticket, methods=["POST"]),
    Route("/api/v1/chats/{chat_id:uuid}/transcript", transcript, methods=["GET"]),
    Route("/api/v1/tickets", tickets_index, methods=["GET"]),
    Route("/api/v1/tickets/{ticket_id:uuid}", tickets_show, methods=["GET"]),
    Route("/api/v1/tickets/{ticket_id:uuid}", tickets_update, methods=["PATCH"]),
    Route("/api/v1/tickets/{ticket_id:uuid}/comments", tickets_comment, methods=["POST"]),
]
