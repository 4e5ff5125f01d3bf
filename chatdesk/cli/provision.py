"""Provisioning: what `chatdesk up` does before it serves."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from pydantic import SecretStr

from chatdesk.cli.embedded import EmbeddedServices
from chatdesk.config import Settings
from chatdesk.db.engine import create_engine
from chatdesk.db.tables import agents
from chatdesk.desk.agents import create_agent
from chatdesk.desk.auth.passwords import generate_password
from chatdesk.desk.departments import add_member, default_department
from chatdesk.desk.widgets import create_widget

FIRST_ADMIN_EMAIL = "admin@chatdesk.local"
# What customers see of the first admin until they pick a display name of their own: never "Admin".
FIRST_ADMIN_DISPLAY_NAME = "Support"


@contextmanager
def embedded_as_needed(settings: Settings, *, redis: bool = True) -> Iterator[Settings]:
    """Settings with DATABASE_URL / REDIS_URL filled in, starting embedded servers for unset ones
    (without `redis`, only the database: REDIS_URL stays as it was).

    The URLs are also put in the environment, so worker processes that read it find them.
    The embedded servers stop when the block ends. Upstash's REST settings without a REDIS_URL are refused
    (`Settings.redis_advice`), never replaced by the embedded Redis.
    """
    advice = settings.redis_advice() if redis else None
    if advice is not None:
        raise RuntimeError(advice)
    embedded = EmbeddedServices(settings.data_dir)
    urls = embedded.start(database=settings.database_url is None, redis=redis and settings.redis_url is None)
    try:
        os.environ.update(urls)
        filled = {"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url}
        filled.update({name: SecretStr(url) for name, url in urls.items()})
        yield settings.model_copy(update={"database_url": filled["DATABASE_URL"], "redis_url": filled["REDIS_URL"]})
    finally:
        for name in urls:
            os.environ.pop(name, None)
        embedded.stop()


@dataclass(frozen=True)
class FirstRun:
    """What an empty database was given: the first admin (with a one-time password, to be changed at the
    first sign-in), made a member of the default department, and a widget."""

    admin_email: str
    admin_password: str
    department: dict[str, Any]
    widget: dict[str, Any]


async def seed_if_empty(database_url: str, admin_email: str = FIRST_ADMIN_EMAIL) -> FirstRun | None:
    """On a migrated database with no agents: create the first admin, a member of the default department
    (which the migrations created), and a demo widget."""
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            # One provisioner at a time: a second `chatdesk up` racing this one waits, then sees agents.
            await conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('chatdesk.provision'))"))
            if (await conn.execute(sa.select(sa.exists().where(agents.c.id.isnot(None))))).scalar_one():
                return None
            password = generate_password()
            admin = await create_agent(conn, email=admin_email, name="Admin", role="admin", password=password,
                                       display_name=FIRST_ADMIN_DISPLAY_NAME, must_change_password=True)
            department = await default_department(conn)
            await add_member(conn, department["id"], admin["id"])
            widget = await create_widget(conn, "Website")
        return FirstRun(admin_email, password, department, widget)
    finally:
        await engine.dispose()
