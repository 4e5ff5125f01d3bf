"""Supervision: the Live view's snapshot, and stepping into any chat (docs/api.md, Supervision)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from starlette.responses import Response
from starlette.routing import Route

from chatdesk.desk.chats import chat_json, transfer_chat
from chatdesk.desk.messages import send_message
from chatdesk.desk.supervision import snapshot, unwatch, watch
from chatdesk.web.api.chats import Body, ChatEnvelope, ClientMsgId, MessageEnvelope, spend_send_budget
from chatdesk.web.api.endpoint import Access, Call, endpoint, json_response


class VisitorRef(BaseModel):
    id: uuid.UUID
    name: str | None


class HeldChat(BaseModel):
    id: uuid.UUID
    department_id: uuid.UUID
    visitor: VisitorRef
    created_at: datetime
    assigned_at: datetime | None
    waiting_since: datetime | None  # the visitor's first message since the last answer; null when answered


class TeamAgent(BaseModel):
    id: uuid.UUID
    name: str
    role: Literal["admin", "supervisor", "agent"]
    status: Literal["online", "away", "offline"]
    connected: bool
    max_chats: int
    active_chats: int
    offers: int
    chats: list[HeldChat]


class QueuedChat(BaseModel):
    id: uuid.UUID
    visitor: VisitorRef
    created_at: datetime
    priority: int
    offered_to: uuid.UUID | None


class DepartmentQueue(BaseModel):
    id: uuid.UUID
    name: str
    routing_mode: Literal["auto", "broadcast"]
    waiting: int
    offered: int
    oldest_waiting_since: datetime | None
    queue: list[QueuedChat]


class Snapshot(BaseModel):
    now: datetime
    agents: list[TeamAgent]
    departments: list[DepartmentQueue]


class NoteIn(BaseModel):
    client_msg_id: ClientMsgId
    body: Body


class ReassignIn(BaseModel):
    agent_id: uuid.UUID
    note: str | None = Field(None, max_length=500)


def _chat_id(call: Call) -> uuid.UUID:
    return call.request.path_params["chat_id"]


@endpoint("The Live view: every agent's presence, load and chats, each department's queue (supervisor)",
          access=Access.SUPERVISOR, response=Snapshot, tags=("supervision",))
async def supervision_show(call: Call) -> Response:
    runtime = call.runtime
    async with runtime.engine.connect() as conn:
        return json_response(await snapshot(conn, runtime.redis, runtime.settings.presence_grace_s))


@endpoint("Whisper: an internal note in any open chat, never shown to the visitor (supervisor)",
          access=Access.SUPERVISOR, body=NoteIn, response=MessageEnvelope, status=201, other_statuses=(200,),
          tags=("supervision",))
async def notes_create(call: Call) -> Response:
    await spend_send_budget(call)
    async with call.runtime.transaction() as tx:
        message, created = await send_message(tx, call.caller, _chat_id(call), call.body.body, call.body.client_msg_id,
                                              internal=True, supervising=True)
    return json_response({"message": message}, 201 if created else 200)


@endpoint("Take over an active chat: it becomes yours, if you are online with a free slot (supervisor)",
          access=Access.SUPERVISOR, response=ChatEnvelope, tags=("supervision",))
async def takeover(call: Call) -> Response:
    async with call.runtime.transaction() as tx:
        row = await transfer_chat(tx, call.caller, _chat_id(call), agent_id=call.caller.id, department_id=None,
                                  note=None, supervising=True)
    return json_response({"chat": chat_json(row)})


@endpoint("Reassign an active chat to an agent with a free slot (supervisor)", access=Access.SUPERVISOR,
          body=ReassignIn, response=ChatEnvelope, tags=("supervision",))
async def reassign(call: Call) -> Response:
    async with call.runtime.transaction() as tx:
        row = await transfer_chat(tx, call.caller, _chat_id(call), agent_id=call.body.agent_id, department_id=None,
                                  note=call.body.note, supervising=True)
    return json_response({"chat": chat_json(row)})


@endpoint("Follow an open chat: its events come on your stream too (supervisor)", access=Access.SUPERVISOR,
          status=204, tags=("supervision",))
async def watch_start(call: Call) -> Response:
    async with call.runtime.transaction() as tx:
        await watch(tx, call.caller.id, _chat_id(call))
    return Response(status_code=204)


@endpoint("Stop following a chat (supervisor)", access=Access.SUPERVISOR, status=204, tags=("supervision",))
async def watch_stop(call: Call) -> Response:
    async with call.runtime.transaction() as tx:
        await unwatch(tx, call.caller.id, _chat_id(call))
    return Response(status_code=204)


routes = [
    Route("/api/v1/supervision", supervision_show, methods=["GET"]),
    Route("/api/v1/chats/{chat_id:uuid}/notes", notes_create, methods=["POST"]),
    Route("/api/v1/chats/{chat_id:uuid}/takeover", takeover, methods=["POST"]),
    Route("/api/v1/chats/{chat_id:uuid}/reassign", reassign, methods=["POST"]),
    Route("/api/v1/chats/{chat_id:uuid}/watch", watch_start, methods=["PUT"]),
    Route("/api/v1/chats/{chat_id:uuid}/watch", watch_stop, methods=["DELETE"]),
]
