"""Chats, their messages, typing and read marks (docs/api.md, Chats)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field
from starlette.responses import Response
from starlette.routing import Route

from chatdesk.desk.audit import record_admin_action
from chatdesk.desk.chats import (
    accept_chat,
    chat_json,
    chat_view,
    create_chat,
    end_chat,
    list_chats,
    load_chat,
    rate_chat,
    set_priority,
    transfer_chat,
)
from chatdesk.desk.events import ChatOut, MessageOut
from chatdesk.desk.files.cleanup import delete_chat
from chatdesk.desk.messages import PREVIEW_MAX_CHARS, list_messages, mark_read, post_message, send_message, set_typing
from chatdesk.desk.routing import decline_chat
from chatdesk.errors import ApiError, not_found
from chatdesk.web.api.budgets import hold_queue_place, spend_address_and_widget
from chatdesk.web.api.endpoint import Access, Call, endpoint, json_response

MAX_BODY = 5000


def _trimmed_body(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("Write something first: the message is empty.")
    if len(value) > MAX_BODY:
        raise ValueError(f"Messages are at most {MAX_BODY} characters; this one has {len(value)}.")
    return value


Body = Annotated[str, Field(max_length=MAX_BODY * 2), AfterValidator(_trimmed_body)]
ClientMsgId = Annotated[str, Field(min_length=1, max_length=100)]
# A message's place in its chat; at most PostgreSQL's largest integer, the column's type.
Seq = Annotated[int, Field(ge=0, le=2**31 - 1)]


class MessageIn(BaseModel):
    client_msg_id: ClientMsgId
    body: Body
    attachment_ids: list[uuid.UUID] = Field(default_factory=list, max_length=10)


class MessageSend(MessageIn):
    internal: bool = False  # a note only agents see


class ChatIn(BaseModel):
    department_id: uuid.UUID | None = None
    message: MessageIn | None = None
    consent: bool = False  # the visitor ticked the widget's consent line (desk/consent.py)


class ChatsQuery(BaseModel):
    status: Literal["queued", "active", "ended"] | None = None


class MessagesQuery(BaseModel):
    after_seq: Seq = 0
    before_seq: Annotated[Seq, Field(ge=1)] | None = None
    limit: int = Field(100, ge=1, le=500)


class TypingIn(BaseModel):
    typing: bool
    # A visitor's unsent text, for the chat's agents (desk/messages.py, set_typing).
    preview: str | None = Field(None, max_length=PREVIEW_MAX_CHARS)


class ReadIn(BaseModel):
    seq: Annotated[Seq, Field(ge=1)]


class MessageEnvelope(BaseModel):
    message: MessageOut


class MessagePage(BaseModel):
    messages: list[MessageOut]
    last_seq: int


class TransferIn(BaseModel):
    agent_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    note: str | None = Field(None, max_length=500)


class RatingIn(BaseModel):
    score: Literal["good", "bad"]
    comment: str | None = Field(None, max_length=2000)


class ChatPatch(BaseModel):
    priority: int = Field(ge=-10, le=10)


class ChatEnvelope(BaseModel):
    chat: ChatOut


class ChatList(BaseModel):
    chats: list[ChatOut]


def _chat_id(call: Call) -> uuid.UUID:
    return call.request.path_params["chat_id"]


async def spend_send_budget(call: Call) -> None:
    settings, principal = call.runtime.settings, call.caller
    rate = settings.visitor_message_rate if principal.kind == "visitor" else settings.agent_message_rate
    await call.runtime.counters.spend(rate, f"send:{principal.kind}:{principal.id}")


@endpoint("List chats: a visitor's own; for agents the queue and their own", access=Access.PARTICIPANT,
          query=ChatsQuery, response=ChatList, tags=("chats",), scope="chats:read")
async def chats_index(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        return json_response({"chats": await list_chats(conn, call.caller, call.query.status)})


@endpoint("Start a chat (visitor)", access=Access.VISITOR, body=ChatIn, response=ChatEnvelope, status=201,
          tags=("chats",))
async def chats_create(call: Call) -> Response:
    budgets = call.runtime.settings
    # A visitor's principal always carries its widget.
    await spend_address_and_widget(call, "chats", call.caller.widget_id,  # type: ignore[arg-type]
                                   budgets.address_chat_rate, budgets.widget_chat_rate)
    if call.body.message is not None:
        await spend_send_budget(call)
    async with call.runtime.transaction() as tx:
        row = await create_chat(tx, call.caller, call.body.department_id, call.body.consent)
        await hold_queue_place(call, tx.conn, row.id)
        if call.body.message is not None:
            await send_message(tx, call.caller, row.id, call.body.message.body, call.body.message.client_msg_id)
    async with call.runtime.engine.connect() as conn:
        chat = await chat_view(conn, await load_chat(conn, call.caller, row.id), for_visitor=True)
    return json_response({"chat": chat}, 201)


@endpoint("One chat", access=Access.PARTICIPANT, response=ChatEnvelope, tags=("chats",), scope="chats:read")
async def chats_show(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        row = await load_chat(conn, call.caller, _chat_id(call))
        return json_response({"chat": await chat_view(conn, row, for_visitor=call.caller.kind == "visitor")})


@endpoint("Messages after a seq (or the last `limit` before `before_seq`), in seq order", access=Access.PARTICIPANT,
          query=MessagesQuery, response=MessagePage, tags=("chats",), scope="chats:read")
async def messages_index(call: Call) -> Response:
    query = call.query
    async with call.runtime.engine.connect() as conn:
        page = await list_messages(conn, call.caller, _chat_id(call), query.after_seq, query.limit,
                                   before_seq=query.before_seq)
    return json_response(page)


@endpoint("Send a message; a retry with the same client_msg_id returns the first (200)",
          access=Access.PARTICIPANT, body=MessageSend, response=MessageEnvelope, status=201, other_statuses=(200,),
          tags=("chats",), scope="messages:send")
async def messages_create(call: Call) -> Response:
    await spend_send_budget(call)
    message, created = await post_message(call.runtime.transaction, call.runtime.appends, call.caller, _chat_id(call),
                                          call.body.body, call.body.client_msg_id, call.body.attachment_ids,
                                          call.body.internal)
    return json_response({"message": message}, 201 if created else 200)


@endpoint("Typing indicator (ephemeral)", access=Access.PARTICIPANT, body=TypingIn, status=204, tags=("chats",))
async def typing(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        await set_typing(conn, call.runtime.streams, call.caller, _chat_id(call), call.body.typing,
                         call.body.preview)
    return Response(status_code=204)


@endpoint("Mark messages read up to a seq", access=Access.PARTICIPANT, body=ReadIn, status=204, tags=("chats",))
async def read(call: Call) -> Response:
    async with call.runtime.transaction() as tx:
        await mark_read(tx, call.caller, _chat_id(call), call.body.seq)
    return Response(status_code=204)


@endpoint("Accept a queued chat (agent)", access=Access.AGENT, response=ChatEnvelope, tags=("chats",))
async def accept(call: Call) -> Response:
    async with call.runtime.transaction() as tx:
        row = await accept_chat(tx, call.caller, _chat_id(call))
    return json_response({"chat": chat_json(row)})


@endpoint("Pass on a chat offered to you (agent); it goes to the next agent", access=Access.AGENT, status=204,
          tags=("chats",))
async def decline(call: Call) -> Response:
    async with call.runtime.transaction() as tx:
        await decline_chat(tx, call.caller.id, _chat_id(call))
    return Response(status_code=204)


@endpoint("End a chat (its visitor or agent)", access=Access.PARTICIPANT, response=ChatEnvelope, tags=("chats",))
async def end(call: Call) -> Response:
    async with call.runtime.transaction() as tx:
        row = await end_chat(tx, call.caller, _chat_id(call))
    return json_response({"chat": chat_json(row, for_visitor=call.caller.kind == "visitor")})


@endpoint("Transfer an active chat to an agent or a department (its agent)", access=Access.AGENT, body=TransferIn,
          response=ChatEnvelope, tags=("chats",))
async def transfer(call: Call) -> Response:
    body = call.body
    if (body.agent_id is None) == (body.department_id is None):
        raise ApiError(422, "Give either agent_id or department_id.", fields={"agent_id": "One of the two.",
                                                                              "department_id": "One of the two."})
    async with call.runtime.transaction() as tx:
        row = await transfer_chat(tx, call.caller, _chat_id(call), agent_id=body.agent_id,
                                  department_id=body.department_id, note=body.note)
    return json_response({"chat": chat_json(row)})


@endpoint("Rate an ended chat, once (visitor)", access=Access.VISITOR, body=RatingIn, response=ChatEnvelope,
          tags=("chats",))
async def rating(call: Call) -> Response:
    async with call.runtime.transaction() as tx:
        row = await rate_chat(tx, call.caller, _chat_id(call), call.body.score, call.body.comment)
    return json_response({"chat": chat_json(row, for_visitor=True)})


@endpoint("Change a chat's priority (agent)", access=Access.AGENT, body=ChatPatch, response=ChatEnvelope,
          tags=("chats",))
async def chats_update(call: Call) -> Response:
    async with call.runtime.transaction() as tx:
        row = await set_priority(tx, _chat_id(call), call.body.priority)
    return json_response({"chat": chat_json(row)})


@endpoint("Delete a chat with its messages and files (admin; for erasure requests)", access=Access.ADMIN,
          status=204, tags=("admin",))
async def chat_delete(call: Call) -> Response:
    chat_id = call.request.path_params["chat_id"]

    async def audit(conn) -> None:
        await record_admin_action(conn, call.caller, "chat.delete", "chat", chat_id, {})

    if not await delete_chat(call.runtime.transaction, call.runtime.storage, chat_id, audit):
        raise not_found("chat")
    return Response(status_code=204)


routes = [
    Route("/api/v1/chats", chats_index, methods=["GET"]),
    Route("/api/v1/chats", chats_create, methods=["POST"]),
    Route("/api/v1/chats/{chat_id:uuid}", chats_show, methods=["GET"]),
    Route("/api/v1/chats/{chat_id:uuid}/messages", messages_index, methods=["GET"]),
    Route("/api/v1/chats/{chat_id:uuid}/messages", messages_create, methods=["POST"]),
    Route("/api/v1/chats/{chat_id:uuid}/typing", typing, methods=["POST"]),
    Route("/api/v1/chats/{chat_id:uuid}/read", read, methods=["POST"]),
    Route("/api/v1/chats/{chat_id:uuid}/accept", accept, methods=["POST"]),
    Route("/api/v1/chats/{chat_id:uuid}", chats_update, methods=["PATCH"]),
    Route("/api/v1/chats/{chat_id:uuid}", chat_delete, methods=["DELETE"]),
    Route("/api/v1/chats/{chat_id:uuid}/decline", decline, methods=["POST"]),
    Route("/api/v1/chats/{chat_id:uuid}/end", end, methods=["POST"]),
    Route("/api/v1/chats/{chat_id:uuid}/transfer", transfer, methods=["POST"]),
    Route("/api/v1/chats/{chat_id:uuid}/rating", rating, methods=["POST"]),
]
