"""Who can take a chat now, for a department: the one answer widget settings, chat start, the router
and capacity slots share.

- **in hours**: a department with business hours (desk/hours.py) takes no chats while closed; its
  waiting chats become tickets at closing time (desk/closing_time.py). Without hours: always open.

- **eligible**: active agents who serve the department: its members; an agent in no department
  serves the default one.
- **online**: eligible and set `online`. A department with someone online takes chats (they wait in
  its queue for a free slot or a connected agent).
- **present**: online with an event stream open now or within `CHATDESK_PRESENCE_GRACE_S`; only
  present agents get offers.
- **free slot**: `active_chats < max_chats`; a slot is taken with one conditional update
  (invariant 6 in docs/architecture.md).
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import redis.asyncio as aioredis
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.db.tables import agent_departments, agents, departments
from chatdesk.desk.hours import Schedule, is_open, next_opening, parse_schedule
from chatdesk.desk.public_names import public_name
from chatdesk.desk.transactions import Transactions, Tx
from chatdesk.realtime.presence import SEEN_KEY

_department = departments.alias("served_department")  # apart from an outer query's departments
# Stands in for an empty id list in IN (...) clauses: no agent has the nil UUID.
NO_AGENT = uuid.UUID(int=0)
ONLINE = sa.and_(agents.c.is_active, agents.c.status == "online")
FREE_SLOT = agents.c.active_chats < agents.c.max_chats


def eligible(department_id: Any) -> sa.Select:
    """Ids of the active agents who serve the department (`department_id` may be an outer query's column)."""
    member = sa.exists().where(agent_departments.c.agent_id == agents.c.id,
                               agent_departments.c.department_id == department_id).correlate_except(agent_departments)
    in_none = ~sa.exists().where(agent_departments.c.agent_id == agents.c.id)
    default = (sa.select(_department.c.is_default).where(_department.c.id == department_id)
               .correlate_except(_department).scalar_subquery())
    return sa.select(agents.c.id).where(agents.c.is_active, sa.or_(member, sa.and_(in_none, default)))


def online(department_id: Any) -> sa.Select:
    """Ids of the department's eligible agents who are online."""
    return eligible(department_id).where(ONLINE)


def with_free_slot(department_id: Any, present: list[uuid.UUID]) -> sa.Select:
    """Ids of the department's online agents, among `present`, with a free slot: who can be offered a chat."""
    return online(department_id).where(FREE_SLOT, agents.c.id.in_(present or [NO_AGENT]))


def in_hours(hours: dict[str, Any] | None, at: datetime | None = None) -> bool:
    """Whether a department with these stored hours is open at `at` (now by default)."""
    return is_open(parse_schedule(hours), at or datetime.now(UTC))


def opens_at(hours: dict[str, Any] | None, at: datetime) -> datetime | None:
    """When a department closed by its hours at `at` opens next; None when it is open then (or does
    not open within a year)."""
    return None if in_hours(hours, at) else next_opening(parse_schedule(hours), at)


async def department_schedule(conn: AsyncConnection, department_id: Any) -> Schedule | None:
    """A department's business hours (None: always open, or no such department)."""
    hours = (await conn.execute(sa.select(departments.c.hours).where(departments.c.id == department_id))).scalar()
    return parse_schedule(hours)


async def takes_chats(conn: AsyncConnection, department_id: Any) -> bool:
    """Whether a chat started in the department now can be served: it is open and someone eligible is online."""
    row = (await conn.execute(sa.select(departments.c.hours, sa.exists(online(department_id)).label("staffed"))
                              .where(departments.c.id == department_id))).first()
    return row is not None and row.staffed and in_hours(row.hours)


async def open_departments(conn: AsyncConnection) -> set[uuid.UUID]:
    """The departments that take chats now (`takes_chats` for all of them in one query)."""
    query = sa.select(departments.c.id, departments.c.hours).where(sa.exists(online(departments.c.id)))
    return {row.id for row in (await conn.execute(query)).all() if in_hours(row.hours)}


async def present_agents(redis: aioredis.Redis, grace_s: float) -> list[uuid.UUID]:
    """Agents with an event stream open now or within the grace period."""
    ids = await redis.zrangebyscore(SEEN_KEY, time.time() - grace_s, "+inf")
    return [uuid.UUID(agent.decode()) for agent in ids]


async def agent_connected(transaction: Transactions) -> None:
    """An agent's event stream opened: they may be present again, so the router looks (after an empty commit)."""
    async with transaction() as tx:
        tx.capacity_changed()


async def take_slot(tx: Tx, agent_id: uuid.UUID) -> Any:
    """One capacity slot of an online agent (their row, with `public_name`), or None when they are full or not
    online."""
    return (await tx.conn.execute(
        agents.update().where(agents.c.id == agent_id, ONLINE, FREE_SLOT)
        .values(active_chats=agents.c.active_chats + 1, last_assigned_at=sa.func.now())
        .returning(public_name(agents).label("public_name"))
    )).first()


async def release_slot(tx: Tx, agent_id: uuid.UUID) -> None:
    """Give a slot back; after commit the router looks for a chat to fill it."""
    await tx.conn.execute(agents.update().where(agents.c.id == agent_id)
                          .values(active_chats=sa.func.greatest(agents.c.active_chats - 1, 0)))
    tx.capacity_changed()
