"""Departments: a queue each, with a routing mode and an accept timeout."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.db.tables import agent_departments, departments
from chatdesk.desk.transactions import Tx
from chatdesk.errors import ApiError, not_found

_COLUMNS = [departments.c.id, departments.c.name, departments.c.routing_mode,
            departments.c.accept_timeout_s, departments.c.is_default, departments.c.created_at]


def department_json(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


async def create_department(conn: AsyncConnection, **values: Any) -> dict[str, Any]:
    """Create a department; 409 on a duplicate name. The first one becomes the default."""
    has_default = (await conn.execute(sa.select(departments.c.id).where(departments.c.is_default))).first()
    try:
        async with conn.begin_nested():
            row = (
                await conn.execute(
                    departments.insert().values(**values, is_default=has_default is None).returning(*_COLUMNS)
                )
            ).one()
    except IntegrityError:
        raise ApiError(409, f"A department named {values.get('name')!r} exists already.") from None
    return department_json(row)


async def list_departments(conn: AsyncConnection) -> list[dict[str, Any]]:
    query = sa.select(*_COLUMNS).order_by(departments.c.is_default.desc(), departments.c.name)
    rows = (await conn.execute(query)).all()
    return [department_json(row) for row in rows]


async def default_department(conn: AsyncConnection) -> dict[str, Any]:
    """The department chats go to when none is chosen (the migrations create one); 404 if it is gone."""
    row = (await conn.execute(sa.select(*_COLUMNS).where(departments.c.is_default))).first()
    if row is None:
        raise not_found("default department")
    return department_json(row)


async def find_department(conn: AsyncConnection, name_or_id: str) -> dict[str, Any]:
    """A department by its id or its exact name; 404 when there is none."""
    try:
        match = departments.c.id == uuid.UUID(name_or_id)
    except ValueError:
        match = departments.c.name == name_or_id
    row = (await conn.execute(sa.select(*_COLUMNS).where(match))).first()
    if row is None:
        raise not_found(f"department {name_or_id!r}")
    return department_json(row)


async def change_department(tx: Tx, department_id: uuid.UUID, changes: dict[str, Any]) -> dict[str, Any]:
    """`update_department`; a new routing mode wakes the router after commit (a switch to auto mode
    starts offering at once)."""
    department = await update_department(tx.conn, department_id, changes)
    if "routing_mode" in changes:
        tx.queue_changed(department_id)
    return department


async def update_department(conn: AsyncConnection, department_id: uuid.UUID, changes: dict[str, Any]) -> dict[str, Any]:
    """Rename, change mode or timeout; 404 for an unknown id, 409 on a duplicate name."""
    if not changes:
        row = (await conn.execute(sa.select(*_COLUMNS).where(departments.c.id == department_id))).first()
        if row is None:
            raise not_found("department")
        return department_json(row)
    try:
        async with conn.begin_nested():
            row = (
                await conn.execute(
                    departments.update().where(departments.c.id == department_id).values(**changes).returning(*_COLUMNS)
                )
            ).first()
    except IntegrityError:
        raise ApiError(409, f"A department named {changes.get('name')!r} exists already.") from None
    if row is None:
        raise not_found("department")
    return department_json(row)


async def add_member(conn: AsyncConnection, department_id: uuid.UUID, agent_id: uuid.UUID) -> None:
    """Make an agent a member of a department (idempotent)."""
    await conn.execute(
        pg_insert(agent_departments)
        .values(agent_id=agent_id, department_id=department_id)
        .on_conflict_do_nothing()
    )


async def remove_member(conn: AsyncConnection, department_id: uuid.UUID, agent_id: uuid.UUID) -> bool:
    """End an agent's membership of a department; False when they were not a member."""
    removed = await conn.execute(agent_departments.delete().where(
        agent_departments.c.agent_id == agent_id, agent_departments.c.department_id == department_id))
    return removed.rowcount > 0
