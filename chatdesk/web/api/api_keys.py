"""API keys for other systems (admins): create (the token shown once), list, revoke."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from starlette.responses import Response
from starlette.routing import Route

from chatdesk.desk.api_keys import create_api_key, list_api_keys, revoke_api_key
from chatdesk.desk.audit import record_admin_action
from chatdesk.web.api.endpoint import Access, Call, endpoint, json_response

Scope = Literal["chats:read", "tickets:read", "tickets:write", "messages:send"]


class ApiKeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)  # what the key is for, for admins
    scopes: list[Scope] = Field(min_length=1, max_length=4)
    bot_name: str = Field(min_length=1, max_length=60)  # the agent the key acts as: customers see this name


class ApiKeyOut(BaseModel):
    id: uuid.UUID
    name: str
    hint: str  # the token's first characters
    scopes: list[str]
    agent_id: uuid.UUID
    bot_name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyList(BaseModel):
    api_keys: list[ApiKeyOut]


class ApiKeyCreated(BaseModel):
    api_key: ApiKeyOut
    token: str  # shown this once: only its hash is kept


@endpoint("List API keys", access=Access.ADMIN, response=ApiKeyList, tags=("admin",))
async def api_keys_index(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        return json_response({"api_keys": await list_api_keys(conn)})


@endpoint("Create an API key acting as a new bot agent; the token is shown this once", access=Access.ADMIN,
          body=ApiKeyIn, response=ApiKeyCreated, status=201, tags=("admin",))
async def api_keys_create(call: Call) -> Response:
    async with call.runtime.engine.begin() as conn:
        token, key = await create_api_key(conn, name=call.body.name, scopes=call.body.scopes,
                                          bot_name=call.body.bot_name, created_by=call.caller.id)
        await record_admin_action(conn, call.caller, "api_key.create", "api_key", key["id"],
                                  {"name": key["name"], "scopes": key["scopes"]})
    return json_response({"api_key": key, "token": token}, 201, headers={"Cache-Control": "no-store"})


@endpoint("Revoke an API key (at once; again: no error)", access=Access.ADMIN, response=ApiKeyOut, tags=("admin",))
async def api_keys_revoke(call: Call) -> Response:
    key_id = call.request.path_params["key_id"]
    async with call.runtime.engine.begin() as conn:
        key = await revoke_api_key(conn, key_id)
        await record_admin_action(conn, call.caller, "api_key.revoke", "api_key", key_id, {})
    return json_response(key)


routes = [
    Route("/api/v1/api-keys", api_keys_index, methods=["GET"]),
    Route("/api/v1/api-keys", api_keys_create, methods=["POST"]),
    Route("/api/v1/api-keys/{key_id:uuid}", api_keys_revoke, methods=["DELETE"]),
]
