"""The customer's link to a ticket's page: no account, the link is the credential.

A link is signed with the app's secret and names the ticket and the ticket's `link_version`; it
works for `CHATDESK_TICKET_LINK_DAYS` after it was made, and bumping the version (an agent's
"Revoke customer links") ends every link made before at once.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.config import Settings
from chatdesk.db.tables import tickets
from chatdesk.errors import ApiError

_SALT = "chatdesk.ticket-page"
PAGE_PATH = "/t/"


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret(), salt=_SALT)


def ticket_token(settings: Settings, ticket_id: uuid.UUID, version: int) -> str:
    """A signed token naming the ticket and the version of its links."""
    return _serializer(settings).dumps([str(ticket_id), version])


def ticket_link(settings: Settings, ticket_id: uuid.UUID, version: int) -> str:
    """The customer page's full address, as mails carry it."""
    return f"{settings.base_url}{PAGE_PATH}{ticket_token(settings, ticket_id, version)}"


def _unknown() -> ApiError:
    return ApiError(404, "This link does not lead to a ticket. Check that the whole link was copied from the email.",
                    code="link_unknown")


def _gone(message: str, code: str) -> ApiError:
    return ApiError(410, message, code=code)


async def ticket_of_token(conn: AsyncConnection, settings: Settings, token: str) -> Any:
    """The ticket a token names (its row), or 404 (not ours), 410 (expired or revoked) in plain words."""
    try:
        ticket_id, version = _serializer(settings).loads(token, max_age=settings.ticket_link_days * 86400)
        ticket_id = uuid.UUID(ticket_id)
    except SignatureExpired as error:
        raise _gone(f"This link has expired: links to a ticket work for {settings.ticket_link_days} days. "
                    "Reply to our latest email to get a new one.", "link_expired") from error
    except (BadSignature, ValueError, TypeError) as error:
        raise _unknown() from error
    row = (await conn.execute(sa.select(tickets).where(tickets.c.id == ticket_id))).first()
    if row is None:
        raise _unknown()
    if row.link_version != version:
        raise _gone("This link was withdrawn by our team. Reply to our latest email to get a new one.",
                    "link_revoked")
    return row
