"""Argon2id password hashes, computed off the event loop."""

from __future__ import annotations

import secrets
from functools import cache

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


@cache
def _decoy_hash() -> str:
    """A valid hash of a random password: verifying against it costs what a real check costs, so
    a wrong email takes as long as a wrong password and timing tells nothing about accounts. Made
    at the first check that needs it, not at import (every process start, every CLI command)."""
    return _hasher.hash(secrets.token_urlsafe(16))

MIN_LENGTH = 10


async def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return await anyio.to_thread.run_sync(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing hash still costs one verification."""
    def check() -> bool:
        try:
            return _hasher.verify(password_hash or _decoy_hash(), password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(check)


def generate_password() -> str:
    """A one-time password for a new account, easy to copy (no ambiguous punctuation)."""
    return secrets.token_urlsafe(12)
