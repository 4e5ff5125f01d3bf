"""Departments for admins; agents may list them (docs/api.md, Agents and admins)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field
from starlette.responses import Response
from starlette.routing import Route

from chatdesk.desk.audit import record_admin_action
from chatdesk.desk.departments import change_department, create_department, list_departments
from chatdesk.web.api.endpoint import Access, Call, endpoint, json_response


class DepartmentCreate(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    routing_mode: Literal["auto", "broadcast"] = "auto"
    accept_timeout_s: int = Field(30, ge=5, le=3600)


class DepartmentPatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=80)
    routing_mode: Literal["auto", "broadcast"] | None = None
    accept_timeout_s: int | None = Field(None, ge=5, le=3600)


class DepartmentOut(BaseModel):
    id: uuid.UUID
    name: str
    routing_mode: Literal["auto", "broadcast"]
    accept_timeout_s: int
    is_default: bool


class DepartmentList(BaseModel):
    departments: list[DepartmentOut]


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


routes = [
    Route("/api/v1/departments", departments_index, methods=["GET"]),
    Route("/api/v1/departments", departments_create, methods=["POST"]),
    Route("/api/v1/departments/{department_id:uuid}", departments_update, methods=["PATCH"]),
]
