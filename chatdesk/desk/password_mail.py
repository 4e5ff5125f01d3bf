"""Passwords chosen by a link in a mail: "forgot your password" and the invitation of a new agent.

An invited agent's account has a random password nobody knows (`invited_at` set) until they follow
the link; a reset link goes only to an active account, and the caller learns nothing either way.
Following a link (`set_password_by_link`) sets the password, ends every session of the agent and
voids the link (see `chatdesk.desk.auth.password_links`).
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from chatdesk.config import Settings
from chatdesk.db.tables import agents
from chatdesk.desk.agents import create_agent, find_agent_by_email, get_agent, set_departments
from chatdesk.desk.auth.password_links import Purpose, issue_link_token, password_stamp, read_link_token
from chatdesk.desk.auth.passwords import generate_password, hash_password
from chatdesk.desk.auth.sessions import revoke_agent_sessions
from chatdesk.desk.mail.queue import OutgoingMail, enqueue_mail
from chatdesk.desk.mail.templates import invitation, password_reset
from chatdesk.desk.transactions import Tx
from chatdesk.errors import ApiError


def link_url(settings: Settings, purpose: Purpose, token: str) -> str:
    """Where a link sends the agent: the workspace's set-password screen (the token stays after `#`,
    out of server logs and Referer headers)."""
    return f"{settings.base_url}/workspace/#/{purpose}/{token}"


async def request_password_reset(tx: Tx, settings: Settings, secret: str, email: str) -> None:
    """Queue a reset link to the active account with this email, if there is one."""
    row = await find_agent_by_email(tx.conn, email)
    if row is None or not row.is_active:
        return
    token = issue_link_token(secret, "reset", row.id, row.password_hash)
    await enqueue_mail(tx, settings, OutgoingMail(to=row.email, kind="password_reset", content=password_reset(
        email=row.email, url=link_url(settings, "reset", token), site=settings.base_url)))


async def _send_invitation(tx: Tx, settings: Settings, secret: str, inviter: str, agent: dict[str, Any],
                           password_hash: str) -> None:
    token = issue_link_token(secret, "invite", agent["id"], password_hash)
    await enqueue_mail(tx, settings, OutgoingMail(to=agent["email"], kind="invitation", content=invitation(
        name=agent["name"], email=agent["email"], inviter=inviter, url=link_url(settings, "invite", token),
        site=settings.base_url)))


async def _password_hash(tx: Tx, agent_id: uuid.UUID) -> str:
    return (await tx.conn.execute(sa.select(agents.c.password_hash).where(agents.c.id == agent_id))).scalar_one()


async def invite_agent(tx: Tx, settings: Settings, secret: str, inviter: str, values: dict[str, Any],
                       department_ids: list[uuid.UUID]) -> dict[str, Any]:
    """Create an account with no usable password and queue its invitation; 409 when the email is taken."""
    agent = await create_agent(tx.conn, **values, password=generate_password())
    await tx.conn.execute(agents.update().where(agents.c.id == agent["id"]).values(invited_at=sa.func.now()))
    await set_departments(tx.conn, agent["id"], department_ids)
    await _send_invitation(tx, settings, secret, inviter, agent, await _password_hash(tx, agent["id"]))
    return await get_agent(tx.conn, agent["id"])


async def resend_invitation(tx: Tx, settings: Settings, secret: str, inviter: str,
                            agent_id: uuid.UUID) -> dict[str, Any]:
    """A new invitation link (older ones stop working); 409 once the agent has chosen a password."""
    agent = await get_agent(tx.conn, agent_id)
    if agent["invited_at"] is None or not agent["is_active"]:
        raise ApiError(409, f"{agent['name']} has chosen a password already; there is no invitation to resend.",
                       code="conflict")
    password_hash = await hash_password(generate_password())
    await tx.conn.execute(agents.update().where(agents.c.id == agent_id)
                          .values(password_hash=password_hash, invited_at=sa.func.now()))
    await _send_invitation(tx, settings, secret, inviter, agent, password_hash)
    return await get_agent(tx.conn, agent_id)


async def set_password_by_link(tx: Tx, secret: str, purpose: Purpose, token: str,
                               new_password: str) -> tuple[dict[str, Any], list[uuid.UUID]]:
    """Set the password a valid link allows (once), end every session of the agent; returns the agent
    and the sessions ended. 400 for a link that is forged, expired, used or replaced by a newer one."""
    claim = read_link_token(secret, purpose, token)
    row = (await tx.conn.execute(sa.select(agents.c.password_hash, agents.c.is_active)
                                 .where(agents.c.id == claim.agent_id).with_for_update())).first()
    if row is None or not row.is_active or password_stamp(row.password_hash) != claim.stamp:
        raise ApiError(400, "This link was used already or replaced by a newer one. Ask for a new one.",
                       code="used_link")
    await tx.conn.execute(agents.update().where(agents.c.id == claim.agent_id).values(
        password_hash=await hash_password(new_password), must_change_password=False, invited_at=None))
    ended = await revoke_agent_sessions(tx.conn, claim.agent_id)
    return await get_agent(tx.conn, claim.agent_id), ended
