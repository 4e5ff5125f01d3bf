"""Quick responses: admins manage shared ones; every agent reads them and keeps personal ones."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field
from starlette.responses import Response
from starlette.routing import Route

from chatdesk.desk.audit import record_admin_action
from chatdesk.desk.quick_responses import (
    PLACEHOLDERS,
    create_quick_response,
    delete_quick_response,
    list_quick_responses,
    unknown_placeholders,
    update_quick_response,
)
from chatdesk.web.api.endpoint import Access, Call, endpoint, json_response


def _known_placeholders(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValueError("Write the text of the response.")
    unknown = unknown_placeholders(body)
    if unknown:
        allowed = ", ".join("{{" + name + "}}" for name in PLACEHOLDERS)
        raise ValueError(f"Unknown placeholder {{{{{unknown[0]}}}}}; use {allowed}.")
    return body


def _shortcut(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,31}", value):
        raise ValueError("Use 1 to 32 lower-case letters, digits, - or _ (no spaces, no leading /).")
    return value


Shortcut = Annotated[str, Field(max_length=64), AfterValidator(_shortcut)]
Title = Annotated[str, Field(min_length=1, max_length=80)]
Text = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_known_placeholders)]


class QuickResponseCreate(BaseModel):
    shortcut: Shortcut
    title: Title
    body: Text
    shared: bool = False


class QuickResponsePatch(BaseModel):
    shortcut: Shortcut | None = None
    title: Title | None = None
    body: Text | None = None


class QuickResponseOut(BaseModel):
    id: uuid.UUID
    shortcut: str
    title: str
    body: str
    shared: bool
    owner_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class QuickResponseList(BaseModel):
    quick_responses: list[QuickResponseOut]


def _response_id(call: Call) -> uuid.UUID:
    return call.request.path_params["response_id"]


async def _audit_shared(conn, call: Call, action: str, response: dict) -> None:
    """Changes to shared responses are admin actions: audited. Personal ones are the agent's own business."""
    if response["shared"]:
        await record_admin_action(conn, call.caller, f"quick_response.{action}", "quick_response",
                                  response["id"], {"shortcut": response["shortcut"]})


@endpoint("Shared quick responses and my own", access=Access.AGENT, response=QuickResponseList,
          tags=("quick-responses",))
async def quick_responses_index(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        return json_response({"quick_responses": await list_quick_responses(conn, call.caller)})


@endpoint("Create a quick response: my own, or shared (admins)", access=Access.AGENT, body=QuickResponseCreate,
          response=QuickResponseOut, status=201, tags=("quick-responses",))
async def quick_responses_create(call: Call) -> Response:
    async with call.runtime.engine.begin() as conn:
        response = await create_quick_response(conn, call.caller, **call.body.model_dump())
        await _audit_shared(conn, call, "create", response)
    return json_response(response, 201)


@endpoint("Change a quick response: my own, or a shared one (admins)", access=Access.AGENT,
          body=QuickResponsePatch, response=QuickResponseOut, tags=("quick-responses",))
async def quick_responses_update(call: Call) -> Response:
    async with call.runtime.engine.begin() as conn:
        response = await update_quick_response(conn, call.caller, _response_id(call),
                                               call.body.model_dump(exclude_none=True))
        await _audit_shared(conn, call, "update", response)
    return json_response(response)


@endpoint("Delete a quick response: my own, or a shared one (admins)", access=Access.AGENT, status=204,
          tags=("quick-responses",))
async def quick_responses_delete(call: Call) -> Response:
    async with call.runtime.engine.begin() as conn:
        row = await delete_quick_response(conn, call.caller, _response_id(call))
        await _audit_shared(conn, call, "delete", {"id": row.id, "shortcut": row.shortcut,
                                                    "shared": row.owner_id is None})
    return Response(status_code=204)


routes = [
    Route("/api/v1/quick-responses", quick_responses_index, methods=["GET"]),
    Route("/api/v1/quick-responses", quick_responses_create, methods=["POST"]),
    Route("/api/v1/quick-responses/{response_id:uuid}", quick_responses_update, methods=["PATCH"]),
    Route("/api/v1/quick-responses/{response_id:uuid}", quick_responses_delete, methods=["DELETE"]),
]
