"""Supabase access tokens: verified the way Supabase signs them, and mapped to an agent by email.

HS256 tokens are signed with the project's JWT secret (`SUPABASE_JWT_SECRET`); RS256 and ES256 ones
with a key of the project's JWKS (`<SUPABASE_URL>/auth/v1/.well-known/jwks.json` unless
`SUPABASE_JWKS_URL` says otherwise), fetched once and cached. Issuer `<SUPABASE_URL>/auth/v1`,
audience `authenticated` and expiry are checked too.
"""

from __future__ import annotations

import asyncio
from typing import Any

import jwt
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.config import Settings
from chatdesk.desk.agents import create_agent, find_agent_by_email
from chatdesk.desk.auth.passwords import generate_password
from chatdesk.errors import ApiError, unauthorized

AUDIENCE = "authenticated"
ASYMMETRIC = ("RS256", "ES256")
ROLES = ("agent", "supervisor", "admin")
# A key set is fetched again after this long, or when a token names a key it does not hold.
JWKS_CACHE_S = 600
LEEWAY_S = 30  # clocks disagree a little


class SupabaseTokens:
    """Verifies a project's access tokens; one per server (the JWKS client caches its keys)."""

    def __init__(self, settings: Settings) -> None:
        url = (settings.supabase_url or "").rstrip("/")
        self.name = settings.supabase_name
        self.issuer = f"{url}/auth/v1"
        self.secret = settings.supabase_jwt_secret.get_secret_value() if settings.supabase_jwt_secret else None
        self.jwks = jwt.PyJWKClient(settings.supabase_jwks_url or f"{self.issuer}/.well-known/jwks.json",
                                    cache_keys=True, lifespan=JWKS_CACHE_S, timeout=5)

    async def claims(self, token: str) -> dict[str, Any]:
        """The token's claims; 401 in plain words when it is expired, not signed by the project, or not for it."""
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
            if algorithm == "HS256" and self.secret:
                key: Any = self.secret
            elif algorithm in ASYMMETRIC:
                key = (await asyncio.to_thread(self.jwks.get_signing_key_from_jwt, token)).key
            else:
                raise unauthorized(f"This token is not signed the way {self.name} signs its sign-ins ({algorithm}).")
            return jwt.decode(token, key, algorithms=[algorithm], audience=AUDIENCE, issuer=self.issuer,
                              leeway=LEEWAY_S, options={"require": ["exp", "iss", "aud", "sub"]})
        except jwt.ExpiredSignatureError:
            raise unauthorized(f"Your {self.name} sign-in has expired. Sign in again.") from None
        except (jwt.InvalidSignatureError, jwt.PyJWKClientError):
            raise unauthorized(f"This token is not signed by {self.name}: sign in again.") from None
        except (jwt.InvalidIssuerError, jwt.InvalidAudienceError):
            raise unauthorized(f"This token is not a sign-in to {self.name}'s project.") from None
        except jwt.PyJWTError:
            raise unauthorized(f"This is not a {self.name} sign-in token.") from None


def _claim(claims: dict[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


async def agent_for(conn: AsyncConnection, settings: Settings, claims: dict[str, Any]) -> Any:
    """The active agent with the token's email; made (CHATDESK_SUPABASE_AUTO_PROVISION), with the role the
    role claim names, when there is none."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise unauthorized(f"This {settings.supabase_name} account has no email address to sign in with.")
    row = await find_agent_by_email(conn, email)
    if row is None and settings.supabase_auto_provision:
        role = _claim(claims, settings.supabase_role_claim)
        metadata = claims.get("user_metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        name = str(metadata.get("full_name") or metadata.get("name") or email.split("@")[0])[:120]
        await create_agent(conn, email=email, name=name, role=role if role in ROLES else "agent",
                           password=generate_password())
        row = await find_agent_by_email(conn, email)
    if row is None:
        raise ApiError(403, f"No chatdesk agent has the email {email}. Ask an admin to add you.", code="no_agent")
    if not row.is_active:
        raise ApiError(403, "This chatdesk account is deactivated. Ask an admin.", code="deactivated")
    return row
