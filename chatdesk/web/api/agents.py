"""The signed-in agent, and agent accounts for admins (docs/api.md, Agents and admins)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, EmailStr, Field
from pydantic_core import PydanticCustomError
from starlette.responses import Response
from starlette.routing import Route

from chatdesk.desk.agents import (
    announce_presence,
    change_agent,
    change_own_password,
    create_agent,
    departments_of,
    get_agent,
    list_agents,
    list_colleagues,
    reset_password,
    set_departments,
    signs_out,
)
from chatdesk.desk.audit import record_admin_action
from chatdesk.desk.auth.passwords import MIN_LENGTH
from chatdesk.desk.auth.throttle import check_login_allowed, record_login_failure
from chatdesk.desk.password_mail import invite_agent, resend_invitation
from chatdesk.errors import ApiError
from chatdesk.realtime.streams import agent_stream
from chatdesk.web.api.auth import NewPassword, client_ip
from chatdesk.web.api.endpoint import CSRF_COOKIE, Access, Call, endpoint, json_response, set_csrf_cookie

Status = Literal["online", "away", "offline"]
Role = Literal["admin", "supervisor", "agent"]


def _name(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("name", "Enter a name.")
    return value.strip()


Name = Annotated[str, Field(max_length=120), AfterValidator(_name)]
# What customers see instead of the account name; "" clears it (they then see the account name).
DisplayName = Annotated[str, Field(max_length=60)]


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
    display_name: str | None
    public_name: str  # what customers see: display_name, or else name
    must_change_password: bool
    invited_at: datetime | None  # invited and has not chosen a password yet


class AgentList(BaseModel):
    agents: list[AgentOut]


class StatusIn(BaseModel):
    status: Status


class PreferencesIn(BaseModel):
    max_chats: int | None = Field(None, ge=0, le=100)
    sound: bool | None = None
    desktop_notifications: bool | None = None
    idle_minutes: int | None = Field(None, ge=0, le=240)  # auto-away after idle; 0 = never
    email_notifications: bool | None = None  # mail me new tickets of my departments and tickets assigned to me


class MePatch(BaseModel):
    name: Name | None = None
    display_name: DisplayName | None = None


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: NewPassword


class OneTimePassword(BaseModel):
    agent: AgentOut
    password: str  # shown once: only its hash is kept


class AgentCreate(BaseModel):
    email: EmailStr
    name: Name
    display_name: DisplayName | None = None
    role: Role = "agent"
    password: str = Field(min_length=MIN_LENGTH, max_length=1024)
    max_chats: int = Field(3, ge=0, le=100)
    department_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)


class Invitation(BaseModel):
    email: EmailStr
    name: Name
    display_name: DisplayName | None = None
    role: Role = "agent"
    max_chats: int = Field(3, ge=0, le=100)
    department_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)


class AgentPatch(BaseModel):
    name: Name | None = None
    display_name: DisplayName | None = None
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
          tags=("agents",), password_change=True)
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


@endpoint("Rename myself, or set the name customers see", access=Access.AGENT, body=MePatch, response=AgentOut,
          tags=("agents",))
async def update_me(call: Call) -> Response:
    return await _change_me(call, call.body.model_dump(exclude_none=True))


@endpoint("Change my password (the current one required); my other sessions are signed out", access=Access.AGENT,
          body=PasswordChange, status=204, tags=("agents",), password_change=True)
async def change_my_password(call: Call) -> Response:
    caller, ip = call.caller, client_ip(call)
    async with call.runtime.engine.connect() as conn:
        email = (await get_agent(conn, caller.id))["email"]
    # A wrong current password counts as a failed sign-in: a borrowed session cannot guess it.
    await check_login_allowed(call.runtime.redis, call.runtime.limiter, email, ip)
    try:
        async with call.runtime.engine.begin() as conn:
            ended = await change_own_password(conn, caller.id, caller.session_id, call.body.current_password,
                                              call.body.new_password)
    except ApiError as error:
        if error.code == "wrong_password":
            await record_login_failure(call.runtime.redis, call.runtime.limiter, email, ip)
        raise
    for session_id in ended:
        await call.runtime.open_streams.end(agent_stream(caller.id), session_id)
    return Response(status_code=204)


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


def _inviter(call: Call) -> str:
    return call.caller.name or "An admin"


@endpoint("Invite an agent: an account without a password, and a mail with a link to choose one (7 days)",
          access=Access.ADMIN, body=Invitation, response=AgentOut, status=201, tags=("admin",))
async def agents_invite(call: Call) -> Response:
    values = call.body.model_dump()
    department_ids = values.pop("department_ids")
    runtime = call.runtime
    async with runtime.transaction() as tx:
        agent = await invite_agent(tx, runtime.settings, runtime.secret, _inviter(call), values, department_ids)
        agent["department_ids"] = await departments_of(tx.conn, agent["id"])
        await record_admin_action(tx.conn, call.caller, "agent.invite", "agent", agent["id"], {"role": agent["role"]})
    return json_response(agent, 201)


@endpoint("Send an invited agent a new invitation (the older links stop working)", access=Access.ADMIN,
          response=AgentOut, tags=("admin",))
async def agents_reinvite(call: Call) -> Response:
    agent_id, runtime = call.request.path_params["agent_id"], call.runtime
    async with runtime.transaction() as tx:
        agent = await resend_invitation(tx, runtime.settings, runtime.secret, _inviter(call), agent_id)
        await record_admin_action(tx.conn, call.caller, "agent.reinvite", "agent", agent_id, {})
    return json_response(agent)


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


@endpoint("Reset an agent's password: a one-time password, shown once; their sessions end", access=Access.ADMIN,
          response=OneTimePassword, tags=("admin",))
async def agents_reset_password(call: Call) -> Response:
    agent_id = call.request.path_params["agent_id"]
    if agent_id == call.caller.id:
        raise ApiError(409, "Change your own password under Your account instead.", code="conflict")
    async with call.runtime.engine.begin() as conn:
        agent, password = await reset_password(conn, agent_id)
        await record_admin_action(conn, call.caller, "agent.password_reset", "agent", agent_id, {})
    await call.runtime.open_streams.end(agent_stream(agent_id))
    return json_response({"agent": agent, "password": password}, headers={"Cache-Control": "no-store"})


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
    Route("/api/v1/agents/me", update_me, methods=["PATCH"]),
    Route("/api/v1/agents/me/password", change_my_password, methods=["POST"]),
    Route("/api/v1/agents", agents_index, methods=["GET"]),
    Route("/api/v1/agents", agents_create, methods=["POST"]),
    Route("/api/v1/agents/invitations", agents_invite, methods=["POST"]),
    Route("/api/v1/agents/{agent_id:uuid}/invitation", agents_reinvite, methods=["POST"]),
    Route("/api/v1/agents/{agent_id:uuid}", agents_update, methods=["PATCH"]),
    Route("/api/v1/agents/{agent_id:uuid}", agents_deactivate, methods=["DELETE"]),
    Route("/api/v1/agents/{agent_id:uuid}/password-reset", agents_reset_password, methods=["POST"]),
]
