"""ticket_transcripts: a ticket made from a chat shows the chat's messages, so its stored text copy goes

Tickets made from a chat used to carry the chat's transcript as a text comment (UTC times, the chat
id). The workspace now renders the transcript from the chat's messages; while the chat exists, that
copy only repeats it, so it becomes a short timeline entry. Tickets whose chat was deleted keep it.

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE chatdesk.ticket_comments AS c SET body = 'This ticket was made from the chat' "
        "FROM chatdesk.tickets AS t WHERE c.ticket_id = t.id AND t.chat_id IS NOT NULL "
        "AND c.author_type = 'system' AND c.body LIKE 'Chat ' || t.chat_id::text || ' with %'"
    )


def downgrade() -> None:
    """The text copies are not made again: the chat's messages are still there to read."""
