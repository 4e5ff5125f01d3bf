"""Quick responses: canned replies an agent inserts with `/shortcut`, shared by admins or personal."""

from __future__ import annotations

import re
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.db.tables import quick_responses
from chatdesk.desk.auth.principal import Principal
from chatdesk.errors import ApiError, forbidden, not_found

PLACEHOLDERS = ("visitor.name", "visitor.email", "agent.name")
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")

_COLUMNS = [quick_responses.c.id, quick_responses.c.shortcut, quick_responses.c.title, quick_responses.c.body,
            quick_responses.c.owner_id, quick_responses.c.created_at, quick_responses.c.updated_at]


def unknown_placeholders(body: str) -> list[str]:
    """The `{{name}}` placeholders in `body` that are not in PLACEHOLDERS."""
    return [name for name in _PLACEHOLDER.findall(body) if name not in PLACEHOLDERS]


def quick_response_json(row: Any) -> dict[str, Any]:
    """Shared ones belong to nobody (`owner_id` null); personal ones to their agent."""
    return {"id": row.id, "shortcut": row.shortcut, "title": row.title, "body": row.body,
            "shared": row.owner_id is None, "owner_id": row.owner_id,
            "created_at": row.created_at, "updated_at": row.updated_at}


def _visible_to(agent: Principal) -> sa.ColumnElement:
    return sa.or_(quick_responses.c.owner_id.is_(None), quick_responses.c.owner_id == agent.id)


def _duplicate(shortcut: str | None) -> ApiError:
    return ApiError(409, f"The shortcut /{shortcut} is taken already.", code="conflict")


async def list_quick_responses(conn: AsyncConnection, agent: Principal) -> list[dict[str, Any]]:
    """The shared ones and the agent's own, by shortcut."""
    rows = await conn.execute(sa.select(*_COLUMNS).where(_visible_to(agent))
                              .order_by(quick_responses.c.shortcut, quick_responses.c.owner_id.nulls_first()))
    return [quick_response_json(row) for row in rows.all()]


async def create_quick_response(conn: AsyncConnection, agent: Principal, *, shared: bool,
                                **values: Any) -> dict[str, Any]:
    """A shared one (admins only, else 403) or one of the agent's own; 409 on a taken shortcut."""
    if shared and agent.role != "admin":
        raise forbidden("Only admins create shared quick responses.")
    try:
        async with conn.begin_nested():
            row = (await conn.execute(quick_responses.insert()
                                      .values(**values, owner_id=None if shared else agent.id)
                                      .returning(*_COLUMNS))).one()
    except IntegrityError:
        raise _duplicate(values["shortcut"]) from None
    return quick_response_json(row)


async def _editable(conn: AsyncConnection, agent: Principal, response_id: uuid.UUID) -> Any:
    """The row if the agent may change it: their own, or a shared one for admins (403); 404 if unseen."""
    row = (await conn.execute(sa.select(*_COLUMNS).where(quick_responses.c.id == response_id, _visible_to(agent))
                              .with_for_update())).first()
    if row is None:
        raise not_found("quick response")
    if row.owner_id is None and agent.role != "admin":
        raise forbidden("Only admins change shared quick responses.")
    return row


async def update_quick_response(conn: AsyncConnection, agent: Principal, response_id: uuid.UUID,
                                changes: dict[str, Any]) -> dict[str, Any]:
    row = await _editable(conn, agent, response_id)
    if not changes:
        return quick_response_json(row)
    try:
        async with conn.begin_nested():
            row = (await conn.execute(quick_responses.update().where(quick_responses.c.id == response_id)
                                      .values(**changes).returning(*_COLUMNS))).one()
    except IntegrityError:
        raise _duplicate(changes.get("shortcut")) from None
    return quick_response_json(row)


async def delete_quick_response(conn: AsyncConnection, agent: Principal, response_id: uuid.UUID) -> Any:
    """Delete it; returns the deleted row."""
    row = await _editable(conn, agent, response_id)
    await conn.execute(quick_responses.delete().where(quick_responses.c.id == response_id))
    return row
