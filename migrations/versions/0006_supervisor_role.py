"""supervisor_role: a role between agent and admin that watches the team's work live

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    _roles("'admin', 'supervisor', 'agent'")


def downgrade() -> None:
    op.execute("UPDATE chatdesk.agents SET role = 'agent' WHERE role = 'supervisor'")
    _roles("'admin', 'agent'")


def _roles(allowed: str) -> None:
    op.execute("ALTER TABLE chatdesk.agents DROP CONSTRAINT ck_agents_role, "
               f"ADD CONSTRAINT ck_agents_role CHECK (role IN ({allowed}))")
