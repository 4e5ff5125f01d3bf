"""Turn a presented token into the principal behind it: an agent session or a visitor."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncEngine

from chatdesk.desk.auth.api_keys import API_KEY_PREFIX, find_api_key
from chatdesk.desk.auth.sessions import AGENT_TOKEN_PREFIX, find_session
from chatdesk.desk.auth.visitor_tokens import read_visitor_token


@dataclass(frozen=True)
class Principal:
    """An authenticated caller. Agents carry their role and session, and `public_name` (what customers
    see of them; `name` is their account name); visitors their widget."""

    kind: Literal["agent", "visitor"]
    id: uuid.UUID
    role: Literal["admin", "supervisor", "agent", "visitor"]
    name: str | None = None
    widget_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    csrf_token: str | None = None
    session_expires_at: datetime | None = None
    public_name: str | None = None
    must_change_password: bool = False  # signed in with a one-time password: only changing it is allowed
    # An API key (as its bot agent): the key, and the scopes of the routes it may call. None: not a key.
    api_key_id: uuid.UUID | None = None
    scopes: frozenset[str] | None = None

    @property
    def is_agent(self) -> bool:
        return self.kind == "agent"


async def identify(engine: AsyncEngine, secret: str, token: str) -> Principal | None:
    """The principal a token stands for, or None for an unknown, expired or revoked one."""
    if token.startswith(AGENT_TOKEN_PREFIX):
        session = await find_session(engine, token)
        if session is None:
            return None
        return Principal(
            kind="agent",
            id=session.agent_id,
            role=session.role,  # type: ignore[arg-type]
            name=session.name,
            session_id=session.session_id,
            csrf_token=session.csrf_token,
            session_expires_at=session.expires_at,
            public_name=session.public_name,
            must_change_password=session.must_change_password,
        )
    if token.startswith(API_KEY_PREFIX):
        key = await find_api_key(engine, token)
        if key is None:
            return None
        return Principal(kind="agent", id=key.agent_id, role="agent", name=key.bot_name, public_name=key.bot_name,
                         api_key_id=key.id, scopes=key.scopes)
    visitor = read_visitor_token(secret, token)
    if visitor is None:
        return None
    return Principal(kind="visitor", id=visitor.visitor_id, role="visitor", widget_id=visitor.widget_id)
