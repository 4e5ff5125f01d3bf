"""visitor_last_seq: the last seq a chat's visitor can see (internal notes are hidden from them)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('chats', sa.Column('visitor_last_seq', sa.Integer(), server_default='0', nullable=False),
                  schema='chatdesk')
    op.execute("UPDATE chatdesk.chats c SET visitor_last_seq = COALESCE((SELECT max(seq) FROM chatdesk.messages m "
               "WHERE m.chat_id = c.id AND NOT m.internal), 0)")


def downgrade() -> None:
    op.drop_column('chats', 'visitor_last_seq', schema='chatdesk')
