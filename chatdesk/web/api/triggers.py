"""Triggers: admins manage proactive greetings; a visitor's widget records each one it shows."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field
from starlette.responses import Response
from starlette.routing import Route

from chatdesk.desk.audit import record_admin_action
from chatdesk.desk.triggers import create_trigger, delete_trigger, fire_trigger, list_triggers, update_trigger
from chatdesk.web.api.endpoint import Access, Call, endpoint, json_response


def _stripped(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("Write something here; it may not be only spaces.")
    return value


Name = Annotated[str, Field(min_length=1, max_length=80), AfterValidator(_stripped)]
Greeting = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_stripped)]
UrlPattern = Annotated[str, Field(max_length=500), AfterValidator(str.strip)]
# An hour on one page is as long as a greeting is worth waiting for.
Seconds = Annotated[int, Field(ge=0, le=3600)]
Visits = Annotated[int, Field(ge=1, le=1000)]
Returning = Literal["any", "new", "returning"]


class TriggerCreate(BaseModel):
    widget_id: uuid.UUID
    department_id: uuid.UUID
    name: Name
    greeting: Greeting
    enabled: bool = True
    url_pattern: UrlPattern = ""
    seconds_on_page: Seconds = 0
    min_visits: Visits = 1
    returning_visitor: Returning = "any"
    only_when_open: bool = True


class TriggerPatch(BaseModel):
    department_id: uuid.UUID | None = None
    name: Name | None = None
    greeting: Greeting | None = None
    enabled: bool | None = None
    url_pattern: UrlPattern | None = None
    seconds_on_page: Seconds | None = None
    min_visits: Visits | None = None
    returning_visitor: Returning | None = None
    only_when_open: bool | None = None


class TriggerOut(BaseModel):
    id: uuid.UUID
    widget_id: uuid.UUID
    department_id: uuid.UUID
    name: str
    enabled: bool
    greeting: str
    url_pattern: str  # empty: every page; with *: a glob over the whole address; else a part of it
    seconds_on_page: int
    min_visits: int
    returning_visitor: Returning
    only_when_open: bool  # fire only while someone in the department can take a chat
    created_at: datetime
    updated_at: datetime


class TriggerList(BaseModel):
    triggers: list[TriggerOut]


class TriggersQuery(BaseModel):
    widget_id: uuid.UUID | None = None


class FiringIn(BaseModel):
    page_url: str = Field(max_length=2000)
    seconds_on_page: float = Field(ge=0, le=10**7)
    visits: int = Field(ge=1, le=10**6)


class FiringOut(BaseModel):
    trigger_id: uuid.UUID
    visitor_id: uuid.UUID
    fired_at: datetime
    engaged_at: datetime | None
    department: str
    greeting: str


class FiringEnvelope(BaseModel):
    firing: FiringOut
    already_fired: bool  # this visitor was greeted by this rule before: the widget does not open again


def _trigger_id(call: Call) -> uuid.UUID:
    return call.request.path_params["trigger_id"]


@endpoint("List proactive greetings (triggers), of one widget or all", access=Access.ADMIN, query=TriggersQuery,
          response=TriggerList, tags=("admin",))
async def triggers_index(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        return json_response({"triggers": await list_triggers(conn, call.query.widget_id)})


@endpoint("Create a trigger", access=Access.ADMIN, body=TriggerCreate, response=TriggerOut, status=201,
          tags=("admin",))
async def triggers_create(call: Call) -> Response:
    async with call.runtime.engine.begin() as conn:
        trigger = await create_trigger(conn, **call.body.model_dump())
        await record_admin_action(conn, call.caller, "trigger.create", "trigger", trigger["id"],
                                  {"name": trigger["name"]})
    return json_response(trigger, 201)


@endpoint("Change a trigger: its conditions, greeting, department, or enabled", access=Access.ADMIN,
          body=TriggerPatch, response=TriggerOut, tags=("admin",))
async def triggers_update(call: Call) -> Response:
    changes = call.body.model_dump(exclude_none=True, mode="json")
    async with call.runtime.engine.begin() as conn:
        trigger = await update_trigger(conn, _trigger_id(call), changes)
        await record_admin_action(conn, call.caller, "trigger.update", "trigger", trigger["id"], changes)
    return json_response(trigger)


@endpoint("Delete a trigger and the record of its firings", access=Access.ADMIN, status=204, tags=("admin",))
async def triggers_delete(call: Call) -> Response:
    async with call.runtime.engine.begin() as conn:
        name = await delete_trigger(conn, _trigger_id(call))
        await record_admin_action(conn, call.caller, "trigger.delete", "trigger", _trigger_id(call), {"name": name})
    return Response(status_code=204)


@endpoint("Record that the widget shows this greeting to the visitor: once per visitor; a repeat answers 200 "
          "with `already_fired`", access=Access.VISITOR, body=FiringIn, response=FiringEnvelope, status=201,
          other_statuses=(200,), tags=("visitors",))
async def triggers_fire(call: Call) -> Response:
    body = call.body
    async with call.runtime.engine.begin() as conn:
        firing, created = await fire_trigger(conn, call.caller, _trigger_id(call), page_url=body.page_url,
                                             seconds_on_page=body.seconds_on_page, visits=body.visits)
    return json_response({"firing": firing, "already_fired": not created}, 201 if created else 200)


routes = [
    Route("/api/v1/triggers", triggers_index, methods=["GET"]),
    Route("/api/v1/triggers", triggers_create, methods=["POST"]),
    Route("/api/v1/triggers/{trigger_id:uuid}", triggers_update, methods=["PATCH"]),
    Route("/api/v1/triggers/{trigger_id:uuid}", triggers_delete, methods=["DELETE"]),
    Route("/api/v1/triggers/{trigger_id:uuid}/firings", triggers_fire, methods=["POST"]),
]
