"""API keys: admins' scoped tokens for other systems. A token is shown once (only its hash is kept,
desk/auth/api_keys.py); each key acts as a bot agent of its own (the name customers see on what it sends),
and can be revoked."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.db.tables import agents, api_keys
from chatdesk.desk.agents import create_agent
from chatdesk.desk.auth.api_keys import API_KEY_PREFIX, token_digest
from chatdesk.desk.auth.passwords import generate_password
from chatdesk.errors import not_found

# Bots are agents no one signs in as: an address that can receive no mail.
BOT_EMAIL_DOMAIN = "api-keys.chatdesk.invalid"
HINT_CHARS = 10

_COLUMNS = [api_keys.c.id, api_keys.c.name, api_keys.c.hint, api_keys.c.scopes, api_keys.c.agent_id,
            agents.c.name.label("bot_name"), api_keys.c.created_at, api_keys.c.last_used_at, api_keys.c.revoked_at]


def _json(row: Any) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "hint": row.hint, "scopes": list(row.scopes),
            "agent_id": row.agent_id, "bot_name": row.bot_name, "created_at": row.created_at,
            "last_used_at": row.last_used_at, "revoked_at": row.revoked_at}


async def _one(conn: AsyncConnection, key_id: uuid.UUID) -> dict[str, Any]:
    row = (await conn.execute(sa.select(*_COLUMNS).join(agents, agents.c.id == api_keys.c.agent_id)
                              .where(api_keys.c.id == key_id))).first()
    if row is None:
        raise not_found("API key")
    return _json(row)


async def create_api_key(conn: AsyncConnection, *, name: str, scopes: list[str], bot_name: str,
                         created_by: uuid.UUID) -> tuple[str, dict[str, Any]]:
    """A new key and its bot agent; returns (the token, shown this once; the key)."""
    token = API_KEY_PREFIX + secrets.token_urlsafe(32)
    bot = await create_agent(conn, email=f"bot-{secrets.token_hex(6)}@{BOT_EMAIL_DOMAIN}", name=bot_name.strip(),
                             role="agent", password=generate_password())
    key_id = (await conn.execute(api_keys.insert().values(
        name=name.strip(), token_hash=token_digest(token), hint=token[:HINT_CHARS], scopes=sorted(set(scopes)),
        agent_id=bot["id"], created_by=created_by).returning(api_keys.c.id))).scalar_one()
    return token, await _one(conn, key_id)


async def list_api_keys(conn: AsyncConnection) -> list[dict[str, Any]]:
    rows = (await conn.execute(sa.select(*_COLUMNS).join(agents, agents.c.id == api_keys.c.agent_id)
                               .order_by(api_keys.c.created_at.desc()))).all()
    return [_json(row) for row in rows]


async def revoke_api_key(conn: AsyncConnection, key_id: uuid.UUID) -> dict[str, Any]:
    """Revoke at once (the next request with it is 401); revoking twice is no error."""
    await conn.execute(api_keys.update().where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
                       .values(revoked_at=sa.func.now()))
    return await _one(conn, key_id)
