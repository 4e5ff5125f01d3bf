"""Agent sessions: opaque random tokens, stored only as hashes, revocable, with an expiry."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from chatdesk.db.tables import agents, sessions
from chatdesk.desk.public_names import public_name

AGENT_TOKEN_PREFIX = "cda_"


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


@dataclass(frozen=True)
class AgentSession:
    session_id: uuid.UUID
    agent_id: uuid.UUID
    role: str
    name: str
    csrf_token: str
    expires_at: datetime
    public_name: str
    must_change_password: bool


async def create_session(
    engine: AsyncEngine, agent_id: uuid.UUID, *, ttl: timedelta, user_agent: str | None, ip: str | None
) -> tuple[str, str]:
    """Open a session for the agent; returns (token, csrf_token). Only the token's hash is kept."""
    token = AGENT_TOKEN_PREFIX + secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(24)
    async with engine.begin() as conn:
        await conn.execute(
            sessions.insert().values(
                agent_id=agent_id,
                token_hash=_digest(token),
                csrf_token=csrf_token,
                user_agent=(user_agent or "")[:400],
                ip=ip,
                expires_at=datetime.now(UTC) + ttl,
            )
        )
    return token, csrf_token


# A session that is neither revoked nor expired.
_LIVE = sa.and_(sessions.c.revoked_at.is_(None), sessions.c.expires_at > sa.func.now())

# Built once: every agent request runs it (a fresh statement would rebuild its cache key each time).
_LIVE_SESSION = (
    sa.select(sessions.c.id, sessions.c.csrf_token, sessions.c.expires_at, agents.c.id.label("agent_id"),
              agents.c.role, agents.c.name, public_name(agents).label("public_name"), agents.c.must_change_password)
    .join(agents, agents.c.id == sessions.c.agent_id)
    .where(sessions.c.token_hash == sa.bindparam("token_hash"), _LIVE, agents.c.is_active)
)


def signed_in(agent_id: sa.ColumnElement) -> sa.Exists:
    """True while the agent (a column or a value) has a live session."""
    return sa.exists().where(sessions.c.agent_id == agent_id, _LIVE)


async def find_session(engine: AsyncEngine, token: str) -> AgentSession | None:
    """The live session for `token`: not revoked, not expired, its agent still active.

    Looked up on every request, never cached: a sign-out or deactivation takes effect at once."""
    async with engine.connect() as conn:
        row = (await conn.execute(_LIVE_SESSION, {"token_hash": _digest(token)})).first()
    if row is None:
        return None
    return AgentSession(row.id, row.agent_id, row.role, row.name, row.csrf_token, row.expires_at, row.public_name,
                        row.must_change_password)


async def revoke_session(engine: AsyncEngine, session_id: uuid.UUID) -> None:
    """End one session now."""
    async with engine.begin() as conn:
        await conn.execute(
            sessions.update().where(sessions.c.id == session_id, sessions.c.revoked_at.is_(None))
            .values(revoked_at=sa.func.now())
        )


async def revoke_agent_sessions(conn, agent_id: uuid.UUID, keep: uuid.UUID | None = None) -> list[uuid.UUID]:
    """End every session of an agent (deactivation, password reset) but `keep`, inside the caller's
    transaction; returns the ids of those it ended."""
    query = sessions.update().where(sessions.c.agent_id == agent_id, sessions.c.revoked_at.is_(None))
    if keep is not None:
        query = query.where(sessions.c.id != keep)
    return list((await conn.execute(query.values(revoked_at=sa.func.now()).returning(sessions.c.id))).scalars())
