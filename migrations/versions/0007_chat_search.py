"""chat_search: full-text indexes for history search (message bodies, visitors' names and emails) and
chats by creation time

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# The same expressions as chatdesk/db/tables.py's MESSAGE_DOCUMENT and VISITOR_DOCUMENT: a search
# uses these indexes only when its expression is exactly the index's.
_VISITOR = ("(((COALESCE(name, ''::text) || ' '::text) || COALESCE(email, ''::text)) || ' '::text) "
            "|| translate(COALESCE(email, ''::text), '@.+_-'::text, '     '::text)")


def upgrade() -> None:
    op.execute("CREATE INDEX ix_messages_search ON chatdesk.messages "
               "USING gin (to_tsvector('simple'::regconfig, body))")
    op.execute(f"CREATE INDEX ix_visitors_search ON chatdesk.visitors "
               f"USING gin (to_tsvector('simple'::regconfig, {_VISITOR}))")
    op.execute("CREATE INDEX ix_chats_created_at_id ON chatdesk.chats (created_at, id)")


def downgrade() -> None:
    op.execute("DROP INDEX chatdesk.ix_chats_created_at_id")
    op.execute("DROP INDEX chatdesk.ix_visitors_search")
    op.execute("DROP INDEX chatdesk.ix_messages_search")
