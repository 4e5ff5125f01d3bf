"""Departments: a queue each, with a routing mode, an accept timeout and business hours."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.db.tables import agent_departments, agents, departments
from chatdesk.desk.availability import eligible, in_hours
from chatdesk.desk.hours import HoursError, parse_schedule
from chatdesk.desk.transactions import Tx
from chatdesk.errors import ApiError, not_found

_COLUMNS = [departments.c.id, departments.c.name, departments.c.routing_mode,
            departments.c.accept_timeout_s, departments.c.is_default, departments.c.hours, departments.c.created_at]


def department_json(row: Any) -> dict[str, Any]:
    """The department, with `open_now`: whether its business hours have it open now."""
    return {**row._mapping, "open_now": in_hours(row.hours)}


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


async def set_hours(tx: Tx, department_id: uuid.UUID, hours: dict[str, Any] | None) -> dict[str, Any]:
    """Set a department's business hours (None: always open); 422 in plain words for a schedule that
    cannot be. The router looks at the department again after commit; if it is closed now, its
    waiting chats become tickets (desk/closing_time.py)."""
    try:
        parse_schedule(hours)
    except HoursError as error:
        raise ApiError(422, str(error), fields={error.field: str(error)}) from None
    department = await update_department(tx.conn, department_id, {"hours": sa.null() if hours is None else hours})
    tx.queue_changed(department_id)
    return department


async def add_member(conn: AsyncConnection, department_id: uuid.UUID, agent_id: uuid.UUID) -> bool:
    """Make an agent a member of a department (idempotent); False when they were one already."""
    added = await conn.execute(
        pg_insert(agent_departments)
        .values(agent_id=agent_id, department_id=department_id)
        .on_conflict_do_nothing()
    )
    return added.rowcount > 0


async def remove_member(conn: AsyncConnection, department_id: uuid.UUID, agent_id: uuid.UUID) -> bool:
    """End an agent's membership of a department; False when they were not a member."""
    removed = await conn.execute(agent_departments.delete().where(
        agent_departments.c.agent_id == agent_id, agent_departments.c.department_id == department_id))
    return removed.rowcount > 0


async def _department_exists(conn: AsyncConnection, department_id: uuid.UUID) -> None:
    if (await conn.execute(sa.select(departments.c.id).where(departments.c.id == department_id))).first() is None:
        raise not_found("department")


async def department_agents(conn: AsyncConnection, department_id: uuid.UUID) -> list[dict[str, Any]]:
    """Who serves the department, by name: its members (`member`, deactivated ones included) and, for
    the default one, the active agents in no department (`member: false`); 404 for an unknown id."""
    await _department_exists(conn, department_id)
    member = sa.exists().where(agent_departments.c.agent_id == agents.c.id,
                               agent_departments.c.department_id == department_id)
    query = (sa.select(agents.c.id, agents.c.name, agents.c.email, agents.c.role, agents.c.status,
                       agents.c.is_active, member.label("member"))
             .where(sa.or_(member, agents.c.id.in_(eligible(department_id))))
             .order_by(agents.c.name, agents.c.email))
    return [dict(row._mapping) for row in (await conn.execute(query)).all()]


async def join_department(tx: Tx, department_id: uuid.UUID, agent_id: uuid.UUID) -> bool:
    """An active agent becomes a member (False: they were one); the router looks again after commit, so
    the department's waiting chats reach them at once. 404 for an unknown department or agent, 409 for
    a deactivated agent."""
    await _department_exists(tx.conn, department_id)
    agent = (await tx.conn.execute(sa.select(agents.c.name, agents.c.is_active).where(agents.c.id == agent_id))).first()
    if agent is None:
        raise not_found("agent")
    if not agent.is_active:
        raise ApiError(409, f"{agent.name} is deactivated: reactivate them first.", code="conflict")
    added = await add_member(tx.conn, department_id, agent_id)
    if added:
        tx.capacity_changed()
    return added


async def leave_department(tx: Tx, department_id: uuid.UUID, agent_id: uuid.UUID) -> bool:
    """End a membership (False: there was none); the router looks again after commit (an agent left in no
    department serves the default one)."""
    removed = await remove_member(tx.conn, department_id, agent_id)
    if removed:
        tx.capacity_changed()
    return removed
