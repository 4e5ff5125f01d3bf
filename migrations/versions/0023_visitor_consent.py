"""visitor consent

- visitors.consented_at: when the visitor last ticked the widget's consent line (its text and
  privacy policy link are widget settings); NULL when they never did.

Revision ID: 0023
Revises: 0016
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("visitors", sa.Column("consented_at", sa.DateTime(timezone=True)), schema="chatdesk")


def downgrade() -> None:
    op.drop_column("visitors", "consented_at", schema="chatdesk")
