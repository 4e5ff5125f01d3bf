"""one open chat per visitor

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('uq_chats_visitor_open', 'chats', ['visitor_id'], unique=True, schema='chatdesk', postgresql_where=sa.text("status <> 'ended'"))


def downgrade() -> None:
    op.drop_index('uq_chats_visitor_open', table_name='chats', schema='chatdesk', postgresql_where=sa.text("status <> 'ended'"))
