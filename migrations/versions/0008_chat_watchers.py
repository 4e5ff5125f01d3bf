"""chat_watchers: supervisors who follow an active chat they do not own get its events

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('chats', sa.Column('watcher_ids', ARRAY(UUID(as_uuid=True)), server_default=sa.text("'{}'"),
                                     nullable=False), schema='chatdesk')


def downgrade() -> None:
    op.drop_column('chats', 'watcher_ids', schema='chatdesk')
