"""The signed-in agent, and agent accounts for admins (docs/api.md, Agents and admins)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, EmailStr, Field
from starlette.responses import Response
from starlette.routing import Route

from chatdesk.desk.agents import (
    announce_presence,
    change_agent,
    create_agent,
    departments_of,
    get_agent,
    list_agents,
    list_colleagues,
    set_departments,
    signs_out,
)
from chatdesk.desk.audit import record_admin_action
from chatdesk.desk.auth.passwords import MIN_LENGTH
from chatdesk.errors import ApiError
from chatdesk.realtime.streams import agent_stream
from chatdesk.web.api.endpoint import CSRF_COOKIE, Access, Call, endpoint, json_response, set_csrf_cookie

Status = Literal["online", "away", "offline"]
Role = Literal["admin", "agent"]


class AgentOut(BaseModel):
    id: uuid.UUID
    name: str
    email: str
    role: Role
    status: Status
    preferences: dict
    max_chats: int
    active_chats: int
    is_active: bool


class AgentList(BaseModel):
    agents: list[AgentOut]


class StatusIn(BaseModel):
    status: Status


class PreferencesIn(BaseModel):
    max_chats: int | None = Field(None, ge=0, le=100)
    sound: bool | None = None
    desktop_notifications: bool | None = None
    idle_minutes: int | None = Field(None, ge=0, le=240)  # auto-away after idle; 0 = never


class AgentCreate(BaseModel):
    email: EmailStr
    name: str = Field(min_length=1, max_length=120)
    role: Role = "agent"
    password: str = Field(min_length=MIN_LENGTH, max_length=1024)
    max_chats: int = Field(3, ge=0, le=100)
    department_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)


class AgentPatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=120)
    role: Role | None = None
    max_chats: int | None = Field(None, ge=0, le=100)
    is_active: bool | None = None
    password: str | None = Field(None, min_length=MIN_LENGTH, max_length=1024)
    department_ids: list[uuid.UUID] | None = Field(None, max_length=50)


async def _change_me(call: Call, changes: dict) -> Response:
    """Change the signed-in agent (routing looks again after commit: capacity or presence may have changed)."""
    async with call.runtime.transaction() as tx:
        agent = await change_agent(tx, call.caller.id, changes)
    if "status" in changes:
        await _announce(call, agent)
    return json_response(agent)


async def _announce(call: Call, agent: dict) -> None:
    """Tell the workspaces (the admin's Agents page, the agent's other tabs) the agent's new status."""
    async with call.runtime.engine.connect() as conn:
        await announce_presence(conn, call.runtime.streams, agent)


@endpoint("The signed-in agent with preferences and department_ids", access=Access.AGENT, response=AgentOut,
          tags=("agents",))
async def me(call: Call) -> Response:
    """The workspace asks this first on every load: a session cookie without its CSRF cookie (set
    before there was one, or cleared) gets it back here."""
    async with call.runtime.engine.connect() as conn:
        response = json_response({**await get_agent(conn, call.caller.id),
                                  "department_ids": await departments_of(conn, call.caller.id)})
    if "authorization" not in call.request.headers and CSRF_COOKIE not in call.request.cookies:
        set_csrf_cookie(response, call, call.caller.csrf_token)  # type: ignore[arg-type]  # agents have one
    return response


@endpoint("Active agents with presence and load, to transfer a chat to (any agent)", access=Access.AGENT,
          tags=("agents",))
async def colleagues(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        return json_response({"agents": await list_colleagues(conn)})


@endpoint("Set my presence", access=Access.AGENT, body=StatusIn, response=AgentOut, tags=("agents",))
async def set_my_status(call: Call) -> Response:
    return await _change_me(call, {"status": call.body.status})


@endpoint("Change my preferences", access=Access.AGENT, body=PreferencesIn, response=AgentOut, tags=("agents",))
async def set_my_preferences(call: Call) -> Response:
    return await _change_me(call, call.body.model_dump(exclude_none=True))


@endpoint("List agents", access=Access.ADMIN, response=AgentList, tags=("admin",))
async def agents_index(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        return json_response({"agents": await list_agents(conn)})


@endpoint("Create an agent", access=Access.ADMIN, body=AgentCreate, response=AgentOut, status=201, tags=("admin",))
async def agents_create(call: Call) -> Response:
    values = call.body.model_dump()
    department_ids = values.pop("department_ids")
    async with call.runtime.engine.begin() as conn:
        agent = await create_agent(conn, **values)
        await set_departments(conn, agent["id"], department_ids)
        agent["department_ids"] = department_ids
        await record_admin_action(conn, call.caller, "agent.create", "agent", agent["id"], {"role": agent["role"]})
    return json_response(agent, 201)


@endpoint("Change an agent", access=Access.ADMIN, body=AgentPatch, response=AgentOut, tags=("admin",))
async def agents_update(call: Call) -> Response:
    changes = call.body.model_dump(exclude_none=True)
    agent_id = call.request.path_params["agent_id"]
    if agent_id == call.caller.id and (changes.get("role") == "agent" or changes.get("is_active") is False):
        raise ApiError(409, "You cannot demote or deactivate yourself.", code="conflict")
    department_ids = changes.pop("department_ids", None)
    async with call.runtime.transaction() as tx:
        agent = await change_agent(tx, agent_id, changes, department_ids)
        agent["department_ids"] = await departments_of(tx.conn, agent_id)
        details = {k: v for k, v in changes.items() if k != "password"}
        if "password" in changes:
            details["password"] = "reset"
        await record_admin_action(tx.conn, call.caller, "agent.update", "agent", agent_id,
                                  details | ({"department_ids": department_ids} if department_ids is not None else {}))
    if changes.get("is_active") is False:
        await _announce(call, agent)
    if signs_out(changes):
        await call.runtime.open_streams.end(agent_stream(agent_id))
    return json_response(agent)


@endpoint("Deactivate an agent (history is kept)", access=Access.ADMIN, status=204, tags=("admin",))
async def agents_deactivate(call: Call) -> Response:
    agent_id = call.request.path_params["agent_id"]
    if agent_id == call.caller.id:
        raise ApiError(409, "You cannot deactivate yourself.", code="conflict")
    async with call.runtime.transaction() as tx:
        agent = await change_agent(tx, agent_id, {"is_active": False})
        await record_admin_action(tx.conn, call.caller, "agent.deactivate", "agent", agent_id, {})
    await _announce(call, agent)
    await call.runtime.open_streams.end(agent_stream(agent_id))
    return Response(status_code=204)


routes = [
    Route("/api/v1/agents/me", me, methods=["GET"]),
    Route("/api/v1/agents/colleagues", colleagues, methods=["GET"]),
    Route("/api/v1/agents/me/status", set_my_status, methods=["PUT"]),
    Route("/api/v1/agents/me/preferences", set_my_preferences, methods=["PATCH"]),
    Route("/api/v1/agents", agents_index, methods=["GET"]),
    Route("/api/v1/agents", agents_create, methods=["POST"]),
    Route("/api/v1/agents/{agent_id:uuid}", agents_update, methods=["PATCH"]),
    Route("/api/v1/agents/{agent_id:uuid}", agents_deactivate, methods=["DELETE"]),
]
