"""system lines' words

- messages.system_line: what a line chatdesk wrote in a thread says, as `{"key", "params"}`
  (desk/system_lines.py), so the widget and the transcript mail can say it in the visitor's
  language; NULL for every other message. `body` keeps the English line.

Revision ID: 0024
Revises: 0020
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = '0024'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable without a default: PostgreSQL only records the column, the table is not rewritten.
    op.add_column("messages", sa.Column("system_line", JSONB), schema="chatdesk")


def downgrade() -> None:
    op.drop_column("messages", "system_line", schema="chatdesk")
