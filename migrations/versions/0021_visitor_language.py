"""visitors' and tickets' language

- visitors.language: the language the widget spoke to the visitor (a BCP 47 tag such as "de" or
  "pt-BR"), sent when the visitor registers or is identified; agents see it, customer mails use it.
- tickets.language: the customer's language for mail about the ticket and its page: the offline
  message's, or the chat's visitor's; NULL (English) for tickets opened by mail or by an agent.

Revision ID: 0021
Revises: 0023
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0023'
branch_labels = None
depends_on = None

# desk/languages.py:TAG_PATTERN, as PostgreSQL writes it.
_TAG_CHECK = "language ~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,5}$' AND length(language) <= 35"


def upgrade() -> None:
    for table in ("visitors", "tickets"):
        op.add_column(table, sa.Column("language", sa.Text), schema="chatdesk")
        op.create_check_constraint(op.f(f"ck_{table}_language"), table, sa.text(_TAG_CHECK), schema="chatdesk")


def downgrade() -> None:
    for table in ("visitors", "tickets"):
        op.drop_constraint(op.f(f"ck_{table}_language"), table, type_="check", schema="chatdesk")
        op.drop_column(table, "language", schema="chatdesk")
