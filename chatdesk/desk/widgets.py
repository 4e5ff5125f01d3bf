"""Widgets: the embeddable chat boxes, their settings, visitors and the snippet that embeds one."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chatdesk.db.tables import IDENTITY_SECRET_DEFAULT, departments, visitors, widgets
from chatdesk.desk.availability import open_departments, opens_at
from chatdesk.desk.languages import DEFAULT_LANGUAGE, direction, negotiate
from chatdesk.desk.triggers import widget_triggers
from chatdesk.desk.widget_words import WIDGET_WORDS, in_language
from chatdesk.errors import not_found

_ENGLISH = WIDGET_WORDS["en"]
DEFAULT_SETTINGS: dict[str, Any] = {
    "title": _ENGLISH["title"],
    "greeting": _ENGLISH["greeting"],
    "color": "#2563eb",
    "position": "right",
    "pre_chat_fields": [
        {"name": "name", "label": _ENGLISH["field.name"], "type": "text", "required": True},
        {"name": "email", "label": _ENGLISH["field.email"], "type": "email", "required": True},
    ],
    "offline_message": _ENGLISH["offline_message"],
    # Agents see what a visitor types before it is sent (desk/messages.py, set_typing).
    "typing_preview": True,
    # The pre-chat form's consent line and its privacy policy link; none while the text is empty
    # (desk/consent.py).
    "consent_text": "",
    "consent_url": "",
    "consent_required": False,
    # The visitor's language: `language` "auto" follows the browser, falling back to `default_language`;
    # any other value is the one language this widget speaks (README, Languages).
    "language": "auto",
    "default_language": DEFAULT_LANGUAGE,
}
_LANGUAGE_KEYS = ("language", "default_language")

_COLUMNS = [widgets.c.id, widgets.c.name, widgets.c.settings, widgets.c.allowed_origins, widgets.c.identity_secret,
            widgets.c.created_at]


def widget_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id, "name": row.name, "settings": {**DEFAULT_SETTINGS, **row.settings},
        "allowed_origins": row.allowed_origins, "identity_secret": row.identity_secret, "created_at": row.created_at,
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


async def rotate_identity_secret(conn: AsyncConnection, widget_id: uuid.UUID) -> dict[str, Any]:
    """A new identity secret: hashes made with the old one no longer verify anyone."""
    row = (await conn.execute(
        widgets.update().where(widgets.c.id == widget_id)
        .values(identity_secret=sa.text(IDENTITY_SECRET_DEFAULT)).returning(*_COLUMNS)
    )).first()
    if row is None:
        raise not_found("widget")
    return widget_json(row)


async def typing_preview_on(conn: AsyncConnection, widget_id: uuid.UUID) -> bool:
    """Whether the widget lets agents see what its visitors type before they send it."""
    settings = (await conn.execute(sa.select(widgets.c.settings).where(widgets.c.id == widget_id))).scalar_one()
    return bool({**DEFAULT_SETTINGS, **settings}["typing_preview"])


def user_hash(secret: str, user_id: str) -> str:
    """What the host site's server computes for a verified visitor: HMAC-SHA256(secret, user_id), hex."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def text_color_on(color: str) -> str:
    """Near-black or white, whichever reads better on `color` (#rrggbb): the widget's text on its accent."""
    red, green, blue = (int(color[at:at + 2], 16) for at in (1, 3, 5))
    return "#09090b" if red * .299 + green * .587 + blue * .114 > 160 else "#fff"


async def public_settings(conn: AsyncConnection, widget_id: uuid.UUID, accept_language: str | None = None,
                          page_url: str | None = None, visits: int | None = None) -> dict[str, Any]:
    """What the widget needs before a chat starts (docs/api.md, The widget): `agents_online` when any
    department takes chats now, and which ones do (desk/availability.py); when none does, `opens_at`: the
    soonest a department closed by its business hours opens again; the `language` to speak, from the
    widget's override, else the browser's `accept_language`, else the widget's default; the proactive
    greetings for the visitor's page and visits (desk/triggers.py)."""
    widget = await get_widget(conn, widget_id)
    dept_rows = (await conn.execute(
        sa.select(departments.c.id, departments.c.name, departments.c.hours)
        .order_by(departments.c.is_default.desc(), departments.c.name)
    )).all()
    available = await open_departments(conn)
    settings = widget["settings"]
    language = settings["language"]
    if language == "auto":
        language = negotiate(accept_language, settings["default_language"])
    now = datetime.now(UTC)
    openings = {row.id: opens_at(row.hours, now) for row in dept_rows}
    return {
        "widget_id": widget["id"],
        **{key: settings[key] for key in DEFAULT_SETTINGS if key not in _LANGUAGE_KEYS},
        **in_language(settings, language),
        "language": language,
        "dir": direction(language),
        "color_text": text_color_on(settings["color"]),
        "departments": [{"id": row.id, "name": row.name, "available": row.id in available,
                         "opens_at": openings[row.id]} for row in dept_rows],
        "agents_online": bool(available),
        "opens_at": None if available else min(filter(None, openings.values()), default=None),
        "triggers": await widget_triggers(conn, widget["id"], page_url, visits),
    }


async def create_visitor(conn: AsyncConnection, widget_id: uuid.UUID, user_id: str | None = None,
                         user_hash_hex: str | None = None, known: uuid.UUID | None = None,
                         **values: Any) -> uuid.UUID:
    """Register a visitor of a widget; 404 for an unknown widget.

    With a `user_id` and its right `user_hash_hex`, the visitor is the one bound to (widget, user_id), the same
    on every device, its name and email brought up to date; a wrong or missing hash makes an ordinary
    (unverified) visitor, and says nothing about why. Otherwise a `known` visitor of the widget (one a
    proactive greeting registered, desk/triggers.py) is brought up to date instead of a new one made.
    """
    secret = (await conn.execute(sa.select(widgets.c.identity_secret).where(widgets.c.id == widget_id))).scalar()
    if secret is None:
        raise not_found("widget")
    verified = bool(user_id and user_hash_hex
                    and hmac.compare_digest(user_hash(secret, user_id).encode(), user_hash_hex.lower().encode()))
    if known is not None and not verified:
        updated = (await conn.execute(
            visitors.update().where(visitors.c.id == known, visitors.c.widget_id == widget_id)
            .values(last_seen_at=sa.func.now(), **{name: value for name, value in values.items() if value})
            .returning(visitors.c.id))).scalar()
        if updated is not None:
            return updated
    insert = pg_insert(visitors).values(widget_id=widget_id, last_seen_at=sa.func.now(),
                                        user_id=user_id if verified else None, **values)
    if verified:
        seen = {name: value for name, value in values.items() if value} | {"last_seen_at": sa.func.now()}
        insert = insert.on_conflict_do_update(index_elements=["widget_id", "user_id"],
                                              index_where=visitors.c.user_id.isnot(None), set_=seen)
    return (await conn.execute(insert.returning(visitors.c.id))).scalar_one()


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
