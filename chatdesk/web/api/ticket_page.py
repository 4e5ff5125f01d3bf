"""The customer's ticket page's API: no account, the signed link's token is the credential
(desk/ticket_links.py): a wrong token is 404, an expired or revoked one 410, in plain words."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field
from starlette.responses import Response
from starlette.routing import Route

from chatdesk.desk.ticket_links import ticket_of_token
from chatdesk.desk.tickets import add_customer_reply, customer_ticket, public_comment
from chatdesk.web.api.endpoint import Access, Call, endpoint, json_response


class PublicAuthor(BaseModel):
    type: str
    name: str | None


class PublicComment(BaseModel):
    id: uuid.UUID
    author: PublicAuthor
    body: str
    created_at: str


class CustomerTicket(BaseModel):
    team: str
    color: str
    color_text: str
    language: str  # the customer's (their visitor's), one of ours: the page speaks it
    subject: str
    status: str
    requester: dict
    created_at: str
    updated_at: str
    comments: list[PublicComment]


class ReplyIn(BaseModel):
    body: str = Field(min_length=1, max_length=10000, pattern=r"\S")


class ReplyOut(BaseModel):
    comment: PublicComment


@endpoint("The ticket a customer link names: subject, status and the replies both ways", access=Access.PUBLIC,
          response=CustomerTicket, tags=("ticket page",))
async def ticket_page(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        row = await ticket_of_token(conn, call.runtime.settings, call.request.path_params["token"])
        return json_response(await customer_ticket(conn, row))


@endpoint("The customer replies on the ticket's page; a pending or solved ticket is open again",
          access=Access.PUBLIC, body=ReplyIn, response=ReplyOut, status=201, tags=("ticket page",))
async def ticket_page_reply(call: Call) -> Response:
    settings = call.runtime.settings
    token = call.request.path_params["token"]
    async with call.runtime.engine.connect() as conn:
        ticket_id = (await ticket_of_token(conn, settings, token)).id
    await call.runtime.counters.spend(settings.ticket_reply_rate, f"ticket-reply:{ticket_id}")
    async with call.runtime.transaction() as tx:
        row = await ticket_of_token(tx.conn, settings, token)  # not revoked meanwhile
        comment = await add_customer_reply(tx, row.id, body=call.body.body.strip(), from_name=row.requester_name,
                                           from_email=None)
    return json_response({"comment": public_comment(comment)}, 201)


routes = [
    Route("/api/v1/ticket-page/{token}", ticket_page, methods=["GET"]),
    Route("/api/v1/ticket-page/{token}/replies", ticket_page_reply, methods=["POST"]),
]
