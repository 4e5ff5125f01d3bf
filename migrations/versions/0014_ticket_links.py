"""ticket_links: a version per ticket for the customer's signed links; bumping it revokes them

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('tickets', sa.Column('link_version', sa.Integer(), server_default='0', nullable=False),
                  schema='chatdesk')


def downgrade() -> None:
    op.drop_column('tickets', 'link_version', schema='chatdesk')
