"""business hours

departments.hours: a department's business hours, `{time_zone, weekly: [{day, start, end}],
holidays: [date]}` (desk/hours.py); NULL, as for every existing department, is always open.

Revision ID: 0019
Revises: 0022
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = '0019'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("departments", sa.Column("hours", JSONB), schema="chatdesk")


def downgrade() -> None:
    op.drop_column("departments", "hours", schema="chatdesk")
