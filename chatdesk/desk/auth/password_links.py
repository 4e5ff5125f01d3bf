"""Signed links that let an agent set a password without signing in: a password reset (1 hour) and
an invitation (7 days).

Nothing is stored: the token names the agent, its purpose and when it expires, and carries a stamp
of the agent's password hash at issue. Setting a password changes the hash, so a token works once,
and a newer invitation (which draws a new unusable password) voids the older ones.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass
from typing import Literal

from itsdangerous import BadSignature, URLSafeSerializer

from chatdesk.errors import ApiError

Purpose = Literal["reset", "invite"]
VALID_FOR_S: dict[Purpose, int] = {"reset": 3600, "invite": 7 * 24 * 3600}
_SALT = "chatdesk.password-link."


@dataclass(frozen=True)
class LinkClaim:
    agent_id: uuid.UUID
    stamp: str


def password_stamp(password_hash: str) -> str:
    """What a token remembers of the password it was issued under (a changed password voids it)."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:20]


def issue_link_token(secret: str, purpose: Purpose, agent_id: uuid.UUID, password_hash: str,
                     valid_for_s: float | None = None) -> str:
    expires = int(time.time() + (VALID_FOR_S[purpose] if valid_for_s is None else valid_for_s))
    return URLSafeSerializer(secret, salt=_SALT + purpose).dumps([str(agent_id), password_stamp(password_hash),
                                                                  expires])


def read_link_token(secret: str, purpose: Purpose, token: str) -> LinkClaim:
    """The agent and stamp a valid, unexpired token names; 400 in plain words otherwise."""
    try:
        agent_id, stamp, expires = URLSafeSerializer(secret, salt=_SALT + purpose).loads(token)
        claim = LinkClaim(uuid.UUID(agent_id), str(stamp))
    except (BadSignature, ValueError, TypeError):
        raise ApiError(400, "This link is not valid. Copy the whole link from the email, or ask for a new one.",
                       code="invalid_link") from None
    if expires < time.time():
        raise ApiError(400, "This link has expired. Ask for a new one.", code="expired_link")
    return claim
