"""agent_invitations: an invited agent has no password of their own until they follow their link

Revision ID: 0016
Revises: 0018
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('agents', sa.Column('invited_at', sa.DateTime(timezone=True), nullable=True), schema='chatdesk')


def downgrade() -> None:
    op.drop_column('agents', 'invited_at', schema='chatdesk')
