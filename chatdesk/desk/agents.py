"""Agents and admins: accounts, roles, status, preferences."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.db.tables import agent_departments, agents
from chatdesk.desk.auth.passwords import generate_password, hash_password, verify_password
from chatdesk.desk.auth.sessions import revoke_agent_sessions
from chatdesk.desk.chats import all_agent_streams
from chatdesk.desk.events import publish
from chatdesk.desk.public_names import public_name
from chatdesk.desk.routing import withdraw_offers_of
from chatdesk.desk.transactions import Tx
from chatdesk.errors import ApiError, not_found
from chatdesk.realtime.streams import Streams

DEFAULT_PREFERENCES = {"sound": True, "desktop_notifications": False, "idle_minutes": 10,
                       "email_notifications": False}

_COLUMNS = [
    agents.c.id, agents.c.name, agents.c.email, agents.c.role, agents.c.status, agents.c.preferences,
    agents.c.max_chats, agents.c.active_chats, agents.c.is_active, agents.c.created_at, agents.c.display_name,
    public_name(agents).label("public_name"), agents.c.must_change_password, agents.c.invited_at,
]


async def set_departments(conn: AsyncConnection, agent_id: uuid.UUID, department_ids: list[uuid.UUID]) -> None:
    """Make the agent a member of exactly these departments (none: they serve the default one)."""
    await conn.execute(agent_departments.delete().where(agent_departments.c.agent_id == agent_id))
    if department_ids:
        try:
            async with conn.begin_nested():
                await conn.execute(agent_departments.insert(),
                                   [{"agent_id": agent_id, "department_id": d} for d in set(department_ids)])
        except IntegrityError:
            raise ApiError(422, "Unknown department.", fields={"department_ids": "No such department."}) from None


async def departments_of(conn: AsyncConnection, agent_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await conn.execute(
        sa.select(agent_departments.c.department_id).where(agent_departments.c.agent_id == agent_id))
    return list(rows.scalars().all())


def agent_json(row: Any) -> dict[str, Any]:
    """An agent as the API shows it; `max_chats` also appears inside `preferences` (docs/api.md)."""
    preferences = {**DEFAULT_PREFERENCES, **row.preferences, "max_chats": row.max_chats}
    return {
        "id": row.id, "name": row.name, "email": row.email, "role": row.role, "status": row.status,
        "preferences": preferences, "max_chats": row.max_chats, "active_chats": row.active_chats,
        "is_active": row.is_active, "created_at": row.created_at, "display_name": row.display_name,
        "public_name": row.public_name, "must_change_password": row.must_change_password,
        "invited_at": row.invited_at,
    }


async def create_agent(
    conn: AsyncConnection, *, email: str, name: str, role: str, password: str, max_chats: int = 3,
    display_name: str | None = None, must_change_password: bool = False,
) -> dict[str, Any]:
    """Create an account; 409 when the email is taken (case-insensitively). `must_change_password`:
    the password is one-time (someone else chose or saw it), to be changed at the first sign-in."""
    try:
        async with conn.begin_nested():
            row = (
                await conn.execute(
                    agents.insert()
                    .values(email=email.strip(), name=name.strip(), role=role, display_name=_display(display_name),
                            password_hash=await hash_password(password), max_chats=max_chats,
                            must_change_password=must_change_password)
                    .returning(*_COLUMNS)
                )
            ).one()
    except IntegrityError:
        raise ApiError(409, f"An agent with email {email} exists already.", code="conflict") from None
    return agent_json(row)


async def get_agent(conn: AsyncConnection, agent_id: uuid.UUID) -> dict[str, Any]:
    row = (await conn.execute(sa.select(*_COLUMNS).where(agents.c.id == agent_id))).first()
    if row is None:
        raise not_found("agent")
    return agent_json(row)


async def find_agent_by_email(conn: AsyncConnection, email: str) -> Any | None:
    """The account row (with its password hash) for an email, any case."""
    query = sa.select(*_COLUMNS, agents.c.password_hash).where(
        sa.func.lower(agents.c.email) == email.strip().lower()
    )
    return (await conn.execute(query)).first()


async def list_agents(conn: AsyncConnection) -> list[dict[str, Any]]:
    rows = (await conn.execute(sa.select(*_COLUMNS).order_by(agents.c.name, agents.c.email))).all()
    return [agent_json(row) for row in rows]


async def list_colleagues(conn: AsyncConnection) -> list[dict[str, Any]]:
    """Active agents with presence and load: whom a chat can be transferred to."""
    rows = (await conn.execute(
        sa.select(agents.c.id, agents.c.name, agents.c.status, agents.c.max_chats, agents.c.active_chats)
        .where(agents.c.is_active).order_by(agents.c.name)
    )).all()
    return [dict(row._mapping) for row in rows]


def signs_out(changes: dict[str, Any]) -> bool:
    """Whether these changes end every session of the agent: deactivation or a new password."""
    return changes.get("is_active") is False or "password" in changes


def _display(display_name: str | None) -> str | None:
    """A display name as stored: trimmed, NULL when empty (customers then see the account name)."""
    return (display_name or "").strip() or None


async def update_agent(conn: AsyncConnection, agent_id: uuid.UUID, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply column changes and preference keys; deactivating or a new password ends the agent's sessions.

    A password set here (an admin's, the CLI's) is one-time unless `must_change_password` says otherwise."""
    values = {k: v for k, v in changes.items() if k in ("role", "status", "max_chats", "is_active",
                                                        "must_change_password")}
    if "name" in changes:
        values["name"] = changes["name"].strip()
    if "display_name" in changes:
        values["display_name"] = _display(changes["display_name"])
    if "password" in changes:  # an invitation still open is superseded (its link stops working)
        values.update(password_hash=await hash_password(changes["password"]), invited_at=None)
        values.setdefault("must_change_password", True)
    preferences = {k: v for k, v in changes.items() if k in DEFAULT_PREFERENCES}
    if preferences:
        values["preferences"] = agents.c.preferences.op("||")(sa.cast(preferences, agents.c.preferences.type))
    if changes.get("is_active") is False:
        values["status"] = "offline"
    if not values:
        return await get_agent(conn, agent_id)
    row = (
        await conn.execute(agents.update().where(agents.c.id == agent_id).values(**values).returning(*_COLUMNS))
    ).first()
    if row is None:
        raise not_found("agent")
    if signs_out(changes):
        await revoke_agent_sessions(conn, agent_id)
    return agent_json(row)


async def reset_password(conn: AsyncConnection, agent_id: uuid.UUID) -> tuple[dict[str, Any], str]:
    """Give the agent a generated one-time password (they must change it at their next sign-in) and end
    their sessions: (agent, password). The password is returned once and stored only as a hash."""
    password = generate_password()
    return await update_agent(conn, agent_id, {"password": password}), password


async def change_own_password(conn: AsyncConnection, agent_id: uuid.UUID, session_id: uuid.UUID | None,
                              current: str, new: str) -> list[uuid.UUID]:
    """The agent's own change, their current password required (422 `wrong_password` otherwise); the
    new one must differ. Every other session of theirs ends; returns those sessions' ids."""
    row = (await conn.execute(sa.select(agents.c.password_hash).where(agents.c.id == agent_id))).first()
    if row is None or not await verify_password(row.password_hash, current):
        raise ApiError(422, "Your current password is not right.", code="wrong_password",
                       fields={"current_password": "This is not your current password."})
    if current == new:
        raise ApiError(422, "Choose a new password, not the one you have now.",
                       fields={"new_password": "Choose a password different from your current one."})
    await conn.execute(agents.update().where(agents.c.id == agent_id).values(
        password_hash=await hash_password(new), must_change_password=False))
    return await revoke_agent_sessions(conn, agent_id, keep=session_id)


async def change_agent(tx: Tx, agent_id: uuid.UUID, changes: dict[str, Any],
                       department_ids: list[uuid.UUID] | None = None) -> dict[str, Any]:
    """`update_agent`, and membership when `department_ids` is given. An agent going away, offline or
    deactivated loses their offers; when what they can take changed, the router looks again after commit."""
    if changes.get("status") in ("away", "offline") or changes.get("is_active") is False:
        # Chats before the agent row, the lock order every chat transaction uses.
        await withdraw_offers_of(tx, agent_id)
    agent = await update_agent(tx.conn, agent_id, changes)
    if department_ids is not None:
        await set_departments(tx.conn, agent_id, department_ids)
    if department_ids is not None or changes.keys() & {"status", "max_chats", "is_active"}:
        tx.capacity_changed()
    return agent


async def announce_presence(conn: AsyncConnection, streams: Streams, agent: dict[str, Any]) -> None:
    """After an agent's status changed: every agent and admin connected now hears `presence`
    `{agent_id, status}` (ephemeral, never stored: invariant 7 in docs/architecture.md)."""
    await publish(streams, await all_agent_streams(conn), "presence",
                  {"agent_id": agent["id"], "status": agent["status"]})
