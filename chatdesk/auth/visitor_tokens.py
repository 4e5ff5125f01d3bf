"""Visitor tokens: signed, naming one visitor of one widget. Nothing stored server-side."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

VISITOR_TOKEN_PREFIX = "cdv_"
_SALT = "chatdesk.visitor"


@dataclass(frozen=True)
class VisitorIdentity:
    visitor_id: uuid.UUID
    widget_id: uuid.UUID


def issue_visitor_token(secret: str, identity: VisitorIdentity) -> str:
    """A token the widget keeps and presents as a bearer token."""
    serializer = URLSafeSerializer(secret, salt=_SALT)
    return VISITOR_TOKEN_PREFIX + serializer.dumps([str(identity.visitor_id), str(identity.widget_id)])


def read_visitor_token(secret: str, token: str) -> VisitorIdentity | None:
    """The identity a token names, or None if it is not one we signed."""
    if not token.startswith(VISITOR_TOKEN_PREFIX):
        return None
    try:
        visitor_id, widget_id = URLSafeSerializer(secret, salt=_SALT).loads(token[len(VISITOR_TOKEN_PREFIX):])
        return VisitorIdentity(uuid.UUID(visitor_id), uuid.UUID(widget_id))
    except (BadSignature, ValueError, TypeError):
        return None
