"""Triggers: proactive greetings. An admin's rule says on which pages, after how long and for which
visitors a widget opens by itself with a greeting from a department; each firing is recorded once per
(visitor, trigger), and marked engaged when that visitor then starts a chat.

The widget checks the page's conditions as the visitor browses (static/widget/triggers.js); the server
checks them again when the widget records a firing, with the department's being open, which only
`desk/availability.py` answers.
"""

from __future__ import annotations

import math
import re
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.db.tables import departments, trigger_firings, triggers, widgets
from chatdesk.desk.auth.principal import Principal
from chatdesk.desk.availability import open_departments, takes_chats
from chatdesk.errors import ApiError, not_found

# A chat started this long after a greeting still counts as its answer (engaged); later ones do not.
ENGAGEMENT_WINDOW = "24 hours"

_COLUMNS = [triggers.c.id, triggers.c.widget_id, triggers.c.department_id, triggers.c.name, triggers.c.enabled,
            triggers.c.greeting, triggers.c.url_pattern, triggers.c.seconds_on_page, triggers.c.min_visits,
            triggers.c.returning_visitor, triggers.c.only_when_open, triggers.c.created_at, triggers.c.updated_at]


def url_matches(pattern: str, url: str) -> bool:
    """Whether a page address matches a rule's pattern, ignoring case: empty matches every page; with
    `*` (any characters) the pattern is a glob over the whole address, such as `*/pricing*`; without
    one, a part of the address, such as `/pricing`."""
    if not pattern:
        return True
    if "*" not in pattern:
        return pattern.lower() in url.lower()
    return re.fullmatch(".*".join(map(re.escape, pattern.split("*"))), url, re.IGNORECASE | re.DOTALL) is not None


def conditions_hold(rule: Any, page_url: str, seconds_on_page: float, visits: int) -> bool:
    """The rule's conditions on the visitor's page and visits (a returning visitor is on a second visit
    or later); the department's being open is checked apart, against the database."""
    returning = {"any": True, "new": visits <= 1, "returning": visits > 1}[rule.returning_visitor]
    return (url_matches(rule.url_pattern, page_url) and seconds_on_page >= rule.seconds_on_page
            and visits >= rule.min_visits and returning)


def trigger_json(row: Any) -> dict[str, Any]:
    return {column.name: getattr(row, column.name) for column in _COLUMNS}


async def list_triggers(conn: AsyncConnection, widget_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
    """Every rule (or one widget's), by widget and name."""
    query = sa.select(*_COLUMNS).order_by(triggers.c.widget_id, triggers.c.name)
    if widget_id is not None:
        query = query.where(triggers.c.widget_id == widget_id)
    return [trigger_json(row) for row in (await conn.execute(query)).all()]


async def _check_references(conn: AsyncConnection, values: dict[str, Any]) -> None:
    """422 in plain words for a widget or department that does not exist."""
    for field, table, what in (("widget_id", widgets, "widget"), ("department_id", departments, "department")):
        if field in values and (await conn.execute(
                sa.select(table.c.id).where(table.c.id == values[field]))).first() is None:
            raise ApiError(422, f"Unknown {what}.", fields={field: f"No such {what}."})


async def create_trigger(conn: AsyncConnection, **values: Any) -> dict[str, Any]:
    await _check_references(conn, values)
    row = (await conn.execute(triggers.insert().values(**values).returning(*_COLUMNS))).one()
    return trigger_json(row)


async def update_trigger(conn: AsyncConnection, trigger_id: uuid.UUID, changes: dict[str, Any]) -> dict[str, Any]:
    await _check_references(conn, changes)
    query = (triggers.update().where(triggers.c.id == trigger_id).values(**changes).returning(*_COLUMNS) if changes
             else sa.select(*_COLUMNS).where(triggers.c.id == trigger_id))
    row = (await conn.execute(query)).first()
    if row is None:
        raise not_found("trigger")
    return trigger_json(row)


async def delete_trigger(conn: AsyncConnection, trigger_id: uuid.UUID) -> str:
    """Delete a rule and its firings; returns its name."""
    name = (await conn.execute(triggers.delete().where(triggers.c.id == trigger_id)
                               .returning(triggers.c.name))).scalar()
    if name is None:
        raise not_found("trigger")
    return name


async def widget_triggers(conn: AsyncConnection, widget_id: uuid.UUID, page_url: str | None = None,
                          visits: int | None = None) -> list[dict[str, Any]]:
    """The widget's enabled rules as the widget needs them, leaving out those whose department must be
    open and is not now and, given the visitor's page and visits, those whose conditions do not hold
    there (however long the visitor stays)."""
    rows = (await conn.execute(
        sa.select(*_COLUMNS, departments.c.name.label("department"))
        .join(departments, departments.c.id == triggers.c.department_id)
        .where(triggers.c.widget_id == widget_id, triggers.c.enabled).order_by(triggers.c.name)
    )).all()
    available = await open_departments(conn) if any(row.only_when_open for row in rows) else set()
    return [{"id": row.id, "department": row.department, "greeting": row.greeting, "url": row.url_pattern,
             "seconds": row.seconds_on_page, "visits": row.min_visits, "returning": row.returning_visitor}
            for row in rows if (not row.only_when_open or row.department_id in available)
            and (page_url is None or conditions_hold(row, page_url, math.inf, visits or 1))]


async def fire_trigger(conn: AsyncConnection, visitor: Principal, trigger_id: uuid.UUID, *, page_url: str,
                       seconds_on_page: float, visits: int) -> tuple[dict[str, Any], bool]:
    """Record that the rule greets this visitor: (the firing, True) the first time, (the first firing,
    False) on every later call, from any tab or process (the primary key decides). 404 for a rule of
    another widget or a disabled one; 409 when its conditions do not hold or its department is closed."""
    rule = (await conn.execute(
        sa.select(*_COLUMNS, departments.c.name.label("department"))
        .join(departments, departments.c.id == triggers.c.department_id)
        .where(triggers.c.id == trigger_id, triggers.c.widget_id == visitor.widget_id, triggers.c.enabled)
    )).first()
    if rule is None:
        raise not_found("trigger")
    earlier = await _firing(conn, visitor.id, trigger_id)
    if earlier is not None:
        return _firing_json(earlier, rule), False
    if not conditions_hold(rule, page_url, seconds_on_page, visits):
        raise ApiError(409, "This greeting is not for this page or visit.", code="conditions_not_met")
    if rule.only_when_open and not await takes_chats(conn, rule.department_id):
        raise ApiError(409, f"Nobody in {rule.department} can take a chat now.", code="department_closed")
    try:
        async with conn.begin_nested():
            inserted = (await conn.execute(
                pg_insert(trigger_firings).values(visitor_id=visitor.id, trigger_id=trigger_id)
                .on_conflict_do_nothing().returning(*trigger_firings.c)
            )).first()
    except IntegrityError:  # the visitor was deleted meanwhile
        raise not_found("visitor") from None
    if inserted is None:  # another request recorded it first
        return _firing_json(await _firing(conn, visitor.id, trigger_id), rule), False
    return _firing_json(inserted, rule), True


async def _firing(conn: AsyncConnection, visitor_id: uuid.UUID, trigger_id: uuid.UUID) -> Any:
    return (await conn.execute(sa.select(trigger_firings).where(
        trigger_firings.c.visitor_id == visitor_id, trigger_firings.c.trigger_id == trigger_id))).first()


def _firing_json(firing: Any, rule: Any) -> dict[str, Any]:
    return {"trigger_id": firing.trigger_id, "visitor_id": firing.visitor_id, "fired_at": firing.fired_at,
            "engaged_at": firing.engaged_at, "department": rule.department, "greeting": rule.greeting}


async def mark_engaged(conn: AsyncConnection, visitor_id: uuid.UUID, chat_id: uuid.UUID) -> str | None:
    """The visitor started a chat: their latest greeting not yet answered (within ENGAGEMENT_WINDOW) is
    marked engaged by this chat. Returns that greeting as the chat's first line ("Sales: Hi!"), or None."""
    latest = (sa.select(trigger_firings.c.trigger_id)
              .where(trigger_firings.c.visitor_id == visitor_id, trigger_firings.c.engaged_at.is_(None),
                     trigger_firings.c.fired_at > sa.func.now() - sa.text(f"interval '{ENGAGEMENT_WINDOW}'"))
              .order_by(trigger_firings.c.fired_at.desc()).limit(1).scalar_subquery())
    engaged = (await conn.execute(
        trigger_firings.update()
        .where(trigger_firings.c.visitor_id == visitor_id, trigger_firings.c.trigger_id == latest)
        .values(engaged_at=sa.func.now(), chat_id=chat_id).returning(trigger_firings.c.trigger_id)
    )).scalar()
    if engaged is None:
        return None
    rule = (await conn.execute(sa.select(triggers.c.greeting, departments.c.name)
                               .join(departments, departments.c.id == triggers.c.department_id)
                               .where(triggers.c.id == engaged))).one()
    return f"{rule.name}: {rule.greeting}"
