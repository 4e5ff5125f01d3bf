"""Visitor tokens: signed, naming one visitor of one widget. Nothing stored server-side.

A token cannot be revoked and never changes meaning, so a verified one is remembered (per secret,
the most recent 10,000): a visitor's every request no longer derives a key and checks an HMAC.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import lru_cache

from itsdangerous import BadSignature, URLSafeSerializer

VISITOR_TOKEN_PREFIX = "cdv_"
_SALT = "chatdesk.visitor"


@dataclass(frozen=True)
class VisitorIdentity:
    visitor_id: uuid.UUID
    widget_id: uuid.UUID


def issue_visitor_token(secret: str, identity: VisitorIdentity) -> str:
    """A token the widget keeps and presents as a bearer token."""
    return VISITOR_TOKEN_PREFIX + _serializer(secret).dumps([str(identity.visitor_id), str(identity.widget_id)])


@lru_cache(maxsize=8)
def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=_SALT)


@lru_cache(maxsize=10_000)
def read_visitor_token(secret: str, token: str) -> VisitorIdentity | None:
    """The identity a token names, or None if it is not one we signed."""
    if not token.startswith(VISITOR_TOKEN_PREFIX):
        return None
    try:
        visitor_id, widget_id = _serializer(secret).loads(token[len(VISITOR_TOKEN_PREFIX):])
        return VisitorIdentity(uuid.UUID(visitor_id), uuid.UUID(widget_id))
    except (BadSignature, ValueError, TypeError):
        return None
