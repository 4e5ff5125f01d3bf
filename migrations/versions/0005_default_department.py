"""default_department: a migrated database takes chats at once, in a default "Support" department

Agents in no department serve the default one, so an agent made with `chatdesk user create`
gets chats from a database that only ever saw `chatdesk migrate`. This migration is the one
place that creates it; `chatdesk up` makes its first admin a member.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("INSERT INTO chatdesk.departments (name, is_default) SELECT 'Support', true "
               "WHERE NOT EXISTS (SELECT 1 FROM chatdesk.departments)")


def downgrade() -> None:
    """Nothing to undo: the department may hold chats and tickets by now, so it stays."""
