"""Widgets: the embeddable chat boxes, their settings, visitors and the snippet that embeds one."""

from __future__ import annotations

import time
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chatdesk.db.tables import departments, visitors, widgets
from chatdesk.desk.availability import open_departments
from chatdesk.errors import not_found

DEFAULT_SETTINGS: dict[str, Any] = {
    "title": "Chat with us",
    "greeting": "Hi! How can we help you today?",
    "color": "#2563eb",
    "position": "right",
    "pre_chat_fields": [
        {"name": "name", "label": "Name", "type": "text", "required": True},
        {"name": "email", "label": "Email", "type": "email", "required": True},
    ],
    "offline_message": "We're away right now. Leave a message and we'll get back to you by email.",
}

_COLUMNS = [widgets.c.id, widgets.c.name, widgets.c.settings, widgets.c.allowed_origins, widgets.c.created_at]


def widget_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id, "name": row.name, "settings": {**DEFAULT_SETTINGS, **row.settings},
        "allowed_origins": row.allowed_origins, "created_at": row.created_at,
    }


def snippet(base_url: str, widget_id: uuid.UUID | str) -> str:
    """The one line a site pastes into its pages."""
    return f'<script src="{base_url}/widget.js" data-widget-id="{widget_id}" async></script>'


async def create_widget(
    conn: AsyncConnection, name: str, settings: dict[str, Any] | None = None, allowed_origins: list[str] | None = None
) -> dict[str, Any]:
    row = (
        await conn.execute(
            widgets.insert()
            .values(name=name.strip(), settings=settings or {}, allowed_origins=allowed_origins or [])
            .returning(*_COLUMNS)
        )
    ).one()
    return widget_json(row)


async def list_widgets(conn: AsyncConnection) -> list[dict[str, Any]]:
    rows = (await conn.execute(sa.select(*_COLUMNS).order_by(widgets.c.created_at))).all()
    return [widget_json(row) for row in rows]


async def get_widget(conn: AsyncConnection, widget_id: uuid.UUID) -> dict[str, Any]:
    row = (await conn.execute(sa.select(*_COLUMNS).where(widgets.c.id == widget_id))).first()
    if row is None:
        raise not_found("widget")
    return widget_json(row)


async def update_widget(conn: AsyncConnection, widget_id: uuid.UUID, changes: dict[str, Any]) -> dict[str, Any]:
    """Rename, change allowed origins, or merge new keys into the settings."""
    values: dict[str, Any] = {k: changes[k] for k in ("name", "allowed_origins") if k in changes}
    if changes.get("settings"):
        values["settings"] = widgets.c.settings.op("||")(sa.cast(changes["settings"], widgets.c.settings.type))
    if not values:
        return await get_widget(conn, widget_id)
    row = (
        await conn.execute(widgets.update().where(widgets.c.id == widget_id).values(**values).returning(*_COLUMNS))
    ).first()
    if row is None:
        raise not_found("widget")
    return widget_json(row)


def text_color_on(color: str) -> str:
    """Near-black or white, whichever reads better on `color` (#rrggbb): the widget's text on its accent."""
    red, green, blue = (int(color[at:at + 2], 16) for at in (1, 3, 5))
    return "#09090b" if red * .299 + green * .587 + blue * .114 > 160 else "#fff"


async def public_settings(conn: AsyncConnection, widget_id: uuid.UUID) -> dict[str, Any]:
    """What the widget needs before a chat starts (docs/api.md, The widget): `agents_online` when any
    department takes chats now, and which ones do (desk/availability.py)."""
    widget = await get_widget(conn, widget_id)
    dept_rows = (await conn.execute(
        sa.select(departments.c.id, departments.c.name).order_by(departments.c.is_default.desc(), departments.c.name)
    )).all()
    available = await open_departments(conn)
    settings = widget["settings"]
    return {
        "widget_id": widget["id"],
        **{key: settings[key] for key in DEFAULT_SETTINGS},
        "color_text": text_color_on(settings["color"]),
        "departments": [{"id": row.id, "name": row.name, "available": row.id in available} for row in dept_rows],
        "agents_online": bool(available),
    }


async def create_visitor(conn: AsyncConnection, widget_id: uuid.UUID, **values: Any) -> uuid.UUID:
    """Register a visitor of a widget; 404 for an unknown widget."""
    if (await conn.execute(sa.select(widgets.c.id).where(widgets.c.id == widget_id))).first() is None:
        raise not_found("widget")
    return (
        await conn.execute(
            visitors.insert().values(widget_id=widget_id, last_seen_at=sa.func.now(), **values).returning(visitors.c.id)
        )
    ).scalar_one()


class OriginList:
    """Which origins may call the API from a browser: the union of every widget's list.

    A widget with an empty list accepts any origin. The list is read from PostgreSQL at most
    every `ttl_s` seconds per process, so an edit in any process takes effect everywhere soon.
    """

    def __init__(self, engine: AsyncEngine, ttl_s: float = 15.0) -> None:
        self.engine = engine
        self.ttl_s = ttl_s
        self._origins: set[str] = set()
        self._any = False
        self._loaded_at = float("-inf")

    async def allows(self, origin: str) -> bool:
        if time.monotonic() - self._loaded_at > self.ttl_s:
            await self._load()
        return self._any or origin.rstrip("/") in self._origins

    async def _load(self) -> None:
        async with self.engine.connect() as conn:
            lists = (await conn.execute(sa.select(widgets.c.allowed_origins))).scalars().all()
        self._any = any(not origins for origins in lists)
        self._origins = {origin.rstrip("/") for origins in lists for origin in origins}
        self._loaded_at = time.monotonic()
