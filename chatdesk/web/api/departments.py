"""Departments for admins; agents may list them (docs/api.md, Agents and admins)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field
from starlette.responses import Response
from starlette.routing import Route

from chatdesk.desk.audit import record_admin_action
from chatdesk.desk.departments import (
    change_department,
    create_department,
    department_agents,
    join_department,
    leave_department,
    list_departments,
    set_hours,
)
from chatdesk.web.api.endpoint import Access, Call, endpoint, json_response


class DepartmentCreate(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    routing_mode: Literal["auto", "broadcast"] = "auto"
    accept_timeout_s: int = Field(30, ge=5, le=3600)


class DepartmentPatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=80)
    routing_mode: Literal["auto", "broadcast"] | None = None
    accept_timeout_s: int | None = Field(None, ge=5, le=3600)


class HoursInterval(BaseModel):
    day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    start: str = Field(pattern=r"^\d\d:\d\d$", examples=["09:00"])
    end: str = Field(pattern=r"^\d\d:\d\d$", examples=["17:00"])  # 24:00 is the end of the day


class BusinessHours(BaseModel):
    time_zone: str = Field(max_length=64, examples=["Europe/Berlin"])  # IANA name
    weekly: list[HoursInterval] = Field(max_length=84)  # when open, in that zone; none: always closed
    holidays: list[date] = Field([], max_length=400)  # whole days closed, in that zone


class DepartmentOut(BaseModel):
    id: uuid.UUID
    name: str
    routing_mode: Literal["auto", "broadcast"]
    accept_timeout_s: int
    is_default: bool
    hours: BusinessHours | None  # none: always open
    open_now: bool  # by its business hours


class DepartmentList(BaseModel):
    departments: list[DepartmentOut]


class ServingAgent(BaseModel):
    id: uuid.UUID
    name: str
    email: str
    role: Literal["admin", "supervisor", "agent"]
    status: Literal["online", "away", "offline"]
    is_active: bool
    member: bool  # false: serves the default department by being in no department


class ServingAgents(BaseModel):
    agents: list[ServingAgent]


@endpoint("List departments", access=Access.AGENT, response=DepartmentList, tags=("departments",))
async def departments_index(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        return json_response({"departments": await list_departments(conn)})


@endpoint("Create a department", access=Access.ADMIN, body=DepartmentCreate, response=DepartmentOut, status=201,
          tags=("admin",))
async def departments_create(call: Call) -> Response:
    async with call.runtime.engine.begin() as conn:
        department = await create_department(conn, **call.body.model_dump())
        await record_admin_action(conn, call.caller, "department.create", "department", department["id"], {})
    return json_response(department, 201)


@endpoint("Change a department", access=Access.ADMIN, body=DepartmentPatch, response=DepartmentOut, tags=("admin",))
async def departments_update(call: Call) -> Response:
    department_id = call.request.path_params["department_id"]
    changes = call.body.model_dump(exclude_none=True)
    async with call.runtime.transaction() as tx:
        department = await change_department(tx, department_id, changes)
        await record_admin_action(tx.conn, call.caller, "department.update", "department", department_id, changes)
    return json_response(department)


@endpoint("Set a department's business hours", access=Access.ADMIN, body=BusinessHours, response=DepartmentOut,
          tags=("admin",))
async def department_hours_set(call: Call) -> Response:
    return await _hours(call, call.body.model_dump(mode="json"))


@endpoint("Remove a department's business hours: it is always open", access=Access.ADMIN, response=DepartmentOut,
          tags=("admin",))
async def department_hours_remove(call: Call) -> Response:
    return await _hours(call, None)


async def _hours(call: Call, hours: dict | None) -> Response:
    department_id = call.request.path_params["department_id"]
    async with call.runtime.transaction() as tx:
        department = await set_hours(tx, department_id, hours)
        await record_admin_action(tx.conn, call.caller, "department.hours", "department", department_id,
                                  {"hours": hours})
    return json_response(department)


@endpoint("Who serves a department: its members, and for the default one the agents in no department",
          access=Access.ADMIN, response=ServingAgents, tags=("admin",))
async def department_agents_index(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        return json_response({"agents": await department_agents(conn, call.request.path_params["department_id"])})


async def _membership(call: Call, change: Callable[..., Awaitable[bool]], action: str) -> Response:
    """Add or remove one member (idempotent), audit it if it changed; answers who serves the department now."""
    department_id, agent_id = call.request.path_params["department_id"], call.request.path_params["agent_id"]
    async with call.runtime.transaction() as tx:
        if await change(tx, department_id, agent_id):
            await record_admin_action(tx.conn, call.caller, action, "department", department_id, {"agent_id": agent_id})
        serving = await department_agents(tx.conn, department_id)
    return json_response({"agents": serving})


@endpoint("Make an agent a member of a department (idempotent); who serves it now", access=Access.ADMIN,
          response=ServingAgents, tags=("admin",))
async def department_agents_add(call: Call) -> Response:
    return await _membership(call, join_department, "department.add_agent")


@endpoint("End an agent's membership of a department (idempotent); who serves it now", access=Access.ADMIN,
          response=ServingAgents, tags=("admin",))
async def department_agents_remove(call: Call) -> Response:
    return await _membership(call, leave_department, "department.remove_agent")


routes = [
    Route("/api/v1/departments", departments_index, methods=["GET"]),
    Route("/api/v1/departments", departments_create, methods=["POST"]),
    Route("/api/v1/departments/{department_id:uuid}", departments_update, methods=["PATCH"]),
    Route("/api/v1/departments/{department_id:uuid}/hours", department_hours_set, methods=["PUT"]),
    Route("/api/v1/departments/{department_id:uuid}/hours", department_hours_remove, methods=["DELETE"]),
    Route("/api/v1/departments/{department_id:uuid}/agents", department_agents_index, methods=["GET"]),
    Route("/api/v1/departments/{department_id:uuid}/agents/{agent_id:uuid}", department_agents_add, methods=["PUT"]),
    Route("/api/v1/departments/{department_id:uuid}/agents/{agent_id:uuid}", department_agents_remove,
          methods=["DELETE"]),
]
