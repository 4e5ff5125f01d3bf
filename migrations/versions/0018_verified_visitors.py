"""verified visitors and API keys

Verified visitors: each widget's identity secret, and visitors bound to the host site's user id.

- widgets.identity_secret: the key of `user_hash = HMAC-SHA256(secret, user_id)` (hex) that the host
  page's server computes; 64 hex digits from PostgreSQL's strong random source, for existing
  widgets too.
- visitors.user_id: set only when the hash was right; one visitor per (widget, user_id), so a
  verified user is the same visitor on every device and browser.

- api_keys: admins' scoped keys, stored as the token's SHA-256 only, each acting as a bot agent,
  revocable, with the time of their last use.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("widgets", sa.Column(
        "identity_secret", sa.Text, nullable=False,
        server_default=sa.text("replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')")),
        schema="chatdesk")
    op.add_column("visitors", sa.Column("user_id", sa.Text), schema="chatdesk")
    op.create_index("uq_visitors_widget_user", "visitors", ["widget_id", "user_id"], unique=True,
                    schema="chatdesk", postgresql_where=sa.text("user_id IS NOT NULL"))
    op.create_table(
        "api_keys",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(), nullable=False),
        sa.Column("hint", sa.Text(), nullable=False),
        sa.Column("scopes", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("agent_id", sa.UUID(), nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agent_id"], ["chatdesk.agents.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["chatdesk.agents.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
        schema="chatdesk",
    )
    op.execute("ALTER TABLE chatdesk.api_keys ENABLE ROW LEVEL SECURITY")


def downgrade() -> None:
    op.drop_table("api_keys", schema="chatdesk")
    op.drop_index("uq_visitors_widget_user", table_name="visitors", schema="chatdesk")
    op.drop_column("visitors", "user_id", schema="chatdesk")
    op.drop_column("widgets", "identity_secret", schema="chatdesk")
