"""The signature a receiver checks: `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh endpoint secret (shown to the admin once)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Chatdesk-Signature` header of `body` sent at `timestamp` (Unix seconds, as sent)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Whether `signature` is ours for this body and timestamp (compared in constant time)."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)
