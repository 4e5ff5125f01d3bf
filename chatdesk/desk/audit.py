"""The audit log of admin actions."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.db.tables import audit_log
from chatdesk.desk.auth.principal import Principal


async def record_admin_action(
    conn: AsyncConnection, actor: Principal | None, action: str, target_type: str, target_id: Any, details: dict
) -> None:
    """Write one audit row in the caller's transaction (so it exists exactly when the change does)."""
    await conn.execute(
        audit_log.insert().values(
            actor_id=actor.id if actor else None, action=action, target_type=target_type,
            target_id=str(target_id), details=details,
        )
    )
