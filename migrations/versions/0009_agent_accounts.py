"""agent_accounts: a display name customers see, and a password the agent must change at next sign-in

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('agents', sa.Column('display_name', sa.Text(), nullable=True), schema='chatdesk')
    op.add_column('agents', sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(),
                                      nullable=False), schema='chatdesk')


def downgrade() -> None:
    op.drop_column('agents', 'must_change_password', schema='chatdesk')
    op.drop_column('agents', 'display_name', schema='chatdesk')
