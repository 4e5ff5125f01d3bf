"""Webhooks for admins: endpoints (address, events, secret shown once), a test event, the delivery log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AnyHttpUrl, BaseModel, Field
from starlette.responses import Response
from starlette.routing import Route

from chatdesk.desk.audit import record_admin_action
from chatdesk.desk.webhooks import endpoints, guard
from chatdesk.desk.webhooks.queue import EVENT_TYPES
from chatdesk.desk.webhooks.sender import LEASE_TIMEOUTS
from chatdesk.errors import ApiError
from chatdesk.web.api.endpoint import Access, Call, endpoint, json_response

EventType = Literal["chat.started", "chat.assigned", "chat.transferred", "chat.ended", "chat.rated",
                    "message.created", "ticket.created", "ticket.updated", "offline_message.created"]
assert set(EventType.__args__) == set(EVENT_TYPES)  # type: ignore[attr-defined]


def _distinct(events: list[str]) -> list[str]:
    return sorted(set(events), key=list(EVENT_TYPES).index)


Events = Annotated[list[EventType], Field(min_length=1, max_length=len(EVENT_TYPES)), AfterValidator(_distinct)]
Url = Annotated[AnyHttpUrl, Field(max_length=2000)]


class WebhookCreate(BaseModel):
    url: Url
    events: Events
    description: str = Field("", max_length=200)


class WebhookPatch(BaseModel):
    url: Url | None = None
    events: Events | None = None
    description: str | None = Field(None, max_length=200)
    enabled: bool | None = None
    rotate_secret: bool = False


class WebhookOut(BaseModel):
    id: uuid.UUID
    url: str
    description: str
    events: list[str]
    enabled: bool
    disabled_reason: str | None  # set when chatdesk disabled it for failing
    failing_since: datetime | None
    created_at: datetime
    secret: str | None = None  # at creation and after a rotation only


class WebhookList(BaseModel):
    webhooks: list[WebhookOut]
    event_types: list[str]


class Attempt(BaseModel):
    at: datetime
    status: int | None
    error: str | None
    ms: int


class DeliveryOut(BaseModel):
    id: uuid.UUID
    event_type: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status_code: int | None
    last_error: str | None
    responses: list[Attempt]
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime
    delivered_at: datetime | None


class DeliveryList(BaseModel):
    deliveries: list[DeliveryOut]


class DeliveriesQuery(BaseModel):
    limit: int = Field(50, ge=1, le=200)
    before: uuid.UUID | None = None


def _webhook_id(call: Call) -> uuid.UUID:
    return call.request.path_params["webhook_id"]


async def _check_url(call: Call, url: Any) -> None:
    try:
        await guard.check_url(str(url), call.runtime.settings.webhooks_allow_private)
    except guard.RefusedTarget as refused:
        raise ApiError(422, str(refused), fields={"url": str(refused)}) from None


@endpoint("List webhook endpoints, and the events they may subscribe to", access=Access.ADMIN,
          response=WebhookList, tags=("admin",))
async def webhooks_index(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        return json_response({"webhooks": await endpoints.list_endpoints(conn), "event_types": list(EVENT_TYPES)})


@endpoint("Register a webhook endpoint; the answer holds its secret, shown this once", access=Access.ADMIN,
          body=WebhookCreate, response=WebhookOut, status=201, tags=("admin",))
async def webhooks_create(call: Call) -> Response:
    body = call.body
    await _check_url(call, body.url)
    async with call.runtime.engine.begin() as conn:
        created = await endpoints.create_endpoint(conn, str(body.url), body.events, body.description)
        await record_admin_action(conn, call.caller, "webhook.create", "webhook", created["id"],
                                  {"url": created["url"], "events": body.events})
    await call.runtime.subscriptions.refresh()
    return json_response(created, 201)


@endpoint("Change a webhook endpoint: address, events, enabled; `rotate_secret` answers with a new secret",
          access=Access.ADMIN, body=WebhookPatch, response=WebhookOut, tags=("admin",))
async def webhooks_update(call: Call) -> Response:
    body = call.body
    changes = body.model_dump(exclude_none=True, exclude={"rotate_secret"}, mode="json")
    if body.url is not None:
        await _check_url(call, body.url)
    async with call.runtime.engine.begin() as conn:
        updated = await endpoints.update_endpoint(conn, _webhook_id(call), changes, body.rotate_secret)
        await record_admin_action(conn, call.caller, "webhook.update", "webhook", updated["id"],
                                  {**changes, **({"rotate_secret": True} if body.rotate_secret else {})})
    await call.runtime.subscriptions.refresh()
    return json_response(updated)


@endpoint("Remove a webhook endpoint and its delivery log", access=Access.ADMIN, status=204, tags=("admin",))
async def webhooks_delete(call: Call) -> Response:
    async with call.runtime.engine.begin() as conn:
        url = await endpoints.delete_endpoint(conn, _webhook_id(call))
        await record_admin_action(conn, call.caller, "webhook.delete", "webhook", _webhook_id(call), {"url": url})
    await call.runtime.subscriptions.refresh()
    return Response(status_code=204)


@endpoint("Send a test event to the endpoint now; answers with the delivery as it went", access=Access.ADMIN,
          response=DeliveryOut, tags=("admin",))
async def webhooks_test(call: Call) -> Response:
    settings = call.runtime.settings
    async with call.runtime.engine.begin() as conn:
        delivery = await endpoints.claim_test(conn, _webhook_id(call), settings.webhooks_timeout_s * LEASE_TIMEOUTS)
        await record_admin_action(conn, call.caller, "webhook.test", "webhook", _webhook_id(call), {})
    await call.runtime.webhooks.send_now(delivery)
    async with call.runtime.engine.connect() as conn:
        return json_response(await endpoints.get_delivery(conn, delivery.id))


@endpoint("The endpoint's deliveries, newest first: event, attempts, response codes, errors, timings",
          access=Access.ADMIN, query=DeliveriesQuery, response=DeliveryList, tags=("admin",))
async def webhooks_deliveries(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        deliveries = await endpoints.list_deliveries(conn, _webhook_id(call), call.query.limit, call.query.before)
    return json_response({"deliveries": deliveries})


routes = [
    Route("/api/v1/webhooks", webhooks_index, methods=["GET"]),
    Route("/api/v1/webhooks", webhooks_create, methods=["POST"]),
    Route("/api/v1/webhooks/{webhook_id:uuid}", webhooks_update, methods=["PATCH"]),
    Route("/api/v1/webhooks/{webhook_id:uuid}", webhooks_delete, methods=["DELETE"]),
    Route("/api/v1/webhooks/{webhook_id:uuid}/test", webhooks_test, methods=["POST"]),
    Route("/api/v1/webhooks/{webhook_id:uuid}/deliveries", webhooks_deliveries, methods=["GET"]),
]
