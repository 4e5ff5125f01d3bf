"""Schemathesis hooks for tests/test_fuzz.py, loaded in the fuzzer's process through SCHEMATHESIS_HOOKS.

Fuzzing may end its own session (sign out, or an admin changing their own password). On a 401
the fuzzer asks again, and gets a new session for the same account, opened straight in the
database (no password needed). A visitor's token never ends, so it is passed as it is.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import timedelta

import schemathesis

from chatdesk.db.engine import create_engine
from chatdesk.desk.auth.sessions import create_session


async def _new_session() -> str:
    engine = create_engine(os.environ["FUZZ_DATABASE_URL"], pool_size=1)
    try:
        token, _ = await create_session(engine, uuid.UUID(os.environ["FUZZ_AGENT_ID"]), ttl=timedelta(hours=1),
                                        user_agent="schemathesis", ip=None)
    finally:
        await engine.dispose()
    return token


@schemathesis.auth()
class Bearer:
    """`Authorization: Bearer` for every request: the visitor's token, or an agent's session."""

    def get(self, case, context) -> str:
        return os.environ.get("FUZZ_VISITOR_TOKEN") or asyncio.run(_new_session())

    def set(self, case, token: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
