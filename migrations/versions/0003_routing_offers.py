"""routing offers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('chats', sa.Column('passed_over', postgresql.ARRAY(sa.UUID()), server_default=sa.text("'{}'"), nullable=False), schema='chatdesk')
    op.create_index('ix_chats_offers', 'chats', ['offered_at'], unique=False, schema='chatdesk', postgresql_where=sa.text('offered_to_id IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_chats_offers', table_name='chats', schema='chatdesk', postgresql_where=sa.text('offered_to_id IS NOT NULL'))
    op.drop_column('chats', 'passed_over', schema='chatdesk')
