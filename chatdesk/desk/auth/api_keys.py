"""API key tokens as callers: a live key's bot agent and scopes (desk/api_keys.py makes and revokes keys).
Only a token's SHA-256 is kept, as for sessions; when a key was last used is written at most once a minute."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from chatdesk.db.tables import agents, api_keys
from chatdesk.desk.auth.sessions import _digest as token_digest  # hashed as session tokens are

API_KEY_PREFIX = "cdk_"
LAST_USED_EVERY_S = 60


@dataclass(frozen=True)
class ApiKey:
    """A live key as a caller: its id, its bot agent and what it may do."""

    id: uuid.UUID
    agent_id: uuid.UUID
    bot_name: str
    scopes: frozenset[str]


_LIVE_KEY = (sa.select(api_keys.c.id, api_keys.c.agent_id, api_keys.c.scopes, agents.c.name)
             .join(agents, agents.c.id == api_keys.c.agent_id)
             .where(api_keys.c.token_hash == sa.bindparam("token_hash"), api_keys.c.revoked_at.is_(None),
                    agents.c.is_active))
_TOUCH = (api_keys.update().where(api_keys.c.id == sa.bindparam("key_id"), sa.or_(
    api_keys.c.last_used_at.is_(None),
    api_keys.c.last_used_at < sa.func.now() - sa.text(f"interval '{LAST_USED_EVERY_S} seconds'")))
    .values(last_used_at=sa.func.now()))


async def find_api_key(engine: AsyncEngine, token: str) -> ApiKey | None:
    """The live key a token is, or None; marks it used."""
    async with engine.begin() as conn:
        row = (await conn.execute(_LIVE_KEY, {"token_hash": token_digest(token)})).first()
        if row is None:
            return None
        await conn.execute(_TOUCH, {"key_id": row.id})
    return ApiKey(row.id, row.agent_id, row.name, frozenset(row.scopes))
