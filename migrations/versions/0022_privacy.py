"""privacy: erased visitors and chats, and stored files waiting to be deleted

- visitors.erased_at, chats.erased_at: when an erasure (an admin's, or the retention job's) took
  their personal data; the retention job claims chats not erased yet (`ix_chats_retention`).
- ix_webhook_deliveries_ordering_key: an erasure finds the deliveries about a chat or ticket.
- file_deletions: the storage keys of files whose rows an erasure deleted, written in its
  transaction and deleted from the storage after commit; a key whose deletion failed stays and is
  tried again (desk/privacy/files.py).

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("visitors", sa.Column("erased_at", sa.DateTime(timezone=True)), schema="chatdesk")
    op.add_column("chats", sa.Column("erased_at", sa.DateTime(timezone=True)), schema="chatdesk")
    op.create_index("ix_chats_retention", "chats", ["created_at"], schema="chatdesk",
                    postgresql_where=sa.text("erased_at IS NULL AND status = 'ended'"))
    op.create_index("ix_webhook_deliveries_ordering_key", "webhook_deliveries", ["ordering_key"], schema="chatdesk")
    op.create_table(
        "file_deletions",
        sa.Column("storage_key", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("storage_key"),
        schema="chatdesk",
    )
    op.create_index("ix_file_deletions_next_attempt_at", "file_deletions", ["next_attempt_at"], schema="chatdesk")
    op.execute("ALTER TABLE chatdesk.file_deletions ENABLE ROW LEVEL SECURITY")


def downgrade() -> None:
    op.drop_table("file_deletions", schema="chatdesk")
    op.drop_index("ix_webhook_deliveries_ordering_key", table_name="webhook_deliveries", schema="chatdesk")
    op.drop_index("ix_chats_retention", table_name="chats", schema="chatdesk")
    op.drop_column("chats", "erased_at", schema="chatdesk")
    op.drop_column("visitors", "erased_at", schema="chatdesk")
