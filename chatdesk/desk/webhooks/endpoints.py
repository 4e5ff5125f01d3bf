"""Webhook endpoints: what admins register (an address, the events it wants, a secret shown once),
and the log of what was delivered to each."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.db.tables import webhook_deliveries, webhook_endpoints
from chatdesk.desk.webhooks.queue import TEST_EVENT, Delivery
from chatdesk.desk.webhooks.signing import new_secret
from chatdesk.errors import not_found

e, d = webhook_endpoints, webhook_deliveries
_SHOWN = [e.c.id, e.c.url, e.c.description, e.c.events, e.c.enabled, e.c.disabled_reason, e.c.failing_since,
          e.c.created_at]
_DELIVERY_SHOWN = [d.c.id, d.c.event_type, d.c.status, d.c.attempts, d.c.last_status_code, d.c.last_error,
                   d.c.responses, d.c.created_at, d.c.last_attempt_at, d.c.next_attempt_at, d.c.delivered_at]


def endpoint_json(row: Any) -> dict[str, Any]:
    return {name: row._mapping[name] for name in (column.name for column in _SHOWN)}


async def list_endpoints(conn: AsyncConnection) -> list[dict[str, Any]]:
    rows = (await conn.execute(sa.select(*_SHOWN).order_by(e.c.created_at))).all()
    return [endpoint_json(row) for row in rows]


async def create_endpoint(conn: AsyncConnection, url: str, events: list[str], description: str) -> dict[str, Any]:
    """A new enabled endpoint, with its secret (the only time it is shown)."""
    secret = new_secret()
    row = (await conn.execute(e.insert().values(url=url, events=events, description=description, secret=secret)
                              .returning(*_SHOWN))).one()
    return {**endpoint_json(row), "secret": secret}


async def update_endpoint(conn: AsyncConnection, endpoint_id: uuid.UUID, changes: dict[str, Any],
                          rotate_secret: bool) -> dict[str, Any]:
    """Change an endpoint; enabling it clears why it was disabled; a rotated secret is shown this once."""
    values = dict(changes)
    if values.get("enabled") is True:
        values.update(disabled_reason=None, failing_since=None)
    elif values.get("enabled") is False:
        values["disabled_reason"] = None
    secret = new_secret() if rotate_secret else None
    if secret:
        values["secret"] = secret
    query: Any = (e.update().where(e.c.id == endpoint_id).values(**values).returning(*_SHOWN) if values
                  else sa.select(*_SHOWN).where(e.c.id == endpoint_id))
    row = (await conn.execute(query)).first()
    if row is None:
        raise not_found("webhook")
    return {**endpoint_json(row), **({"secret": secret} if secret else {})}


async def delete_endpoint(conn: AsyncConnection, endpoint_id: uuid.UUID) -> str:
    """Remove an endpoint and its deliveries; returns its address (for the audit log)."""
    url = (await conn.execute(e.delete().where(e.c.id == endpoint_id).returning(e.c.url))).scalar()
    if url is None:
        raise not_found("webhook")
    return url


async def claim_test(conn: AsyncConnection, endpoint_id: uuid.UUID, lease_s: float) -> Delivery:
    """A test delivery to the endpoint, claimed by the caller to send at once (the sender leaves it alone)."""
    endpoint = (await conn.execute(sa.select(e.c.url, e.c.secret).where(e.c.id == endpoint_id))).first()
    if endpoint is None:
        raise not_found("webhook")
    payload = {"endpoint_id": str(endpoint_id), "message": "A test event from chatdesk: your endpoint works."}
    row = (await conn.execute(d.insert().values(
        endpoint_id=endpoint_id, event_type=TEST_EVENT, payload=payload, attempts=1,
        locked_until=sa.func.now() + sa.func.make_interval(0, 0, 0, 0, 0, 0, lease_s),
    ).returning(d.c.id, d.c.created_at))).one()
    return Delivery(id=row.id, endpoint_id=endpoint_id, event_type=TEST_EVENT, payload=payload, attempts=1,
                    created_at=row.created_at, url=endpoint.url, secret=endpoint.secret)


async def list_deliveries(conn: AsyncConnection, endpoint_id: uuid.UUID, limit: int,
                          before: uuid.UUID | None = None) -> list[dict[str, Any]]:
    """The endpoint's latest deliveries, newest first (before the delivery `before`, to page back)."""
    if (await conn.execute(sa.select(e.c.id).where(e.c.id == endpoint_id))).first() is None:
        raise not_found("webhook")
    query = sa.select(*_DELIVERY_SHOWN).where(d.c.endpoint_id == endpoint_id)
    if before is not None:
        query = query.where(d.c.seq < sa.select(d.c.seq).where(d.c.id == before).scalar_subquery())
    rows = (await conn.execute(query.order_by(d.c.seq.desc()).limit(limit))).all()
    return [dict(row._mapping) for row in rows]


async def get_delivery(conn: AsyncConnection, delivery_id: uuid.UUID) -> dict[str, Any]:
    row = (await conn.execute(sa.select(*_DELIVERY_SHOWN).where(d.c.id == delivery_id))).one()
    return dict(row._mapping)
