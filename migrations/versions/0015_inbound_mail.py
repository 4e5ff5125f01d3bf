"""inbound_mail: customers' replies by email, read from the support mailbox over IMAP

- tickets.source takes 'email': a mail from an unknown sender that matches no ticket opens one.
- ticket_attachments: the files a mail brought, linked to the comment it became.
- inbound_mail: one row per mail taken from the mailbox (its Message-ID), written with its comment,
  so that a mail is taken once however many processes read the mailbox.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint(op.f('ck_tickets_source'), 'tickets', schema='chatdesk')
    op.create_check_constraint(op.f('ck_tickets_source'), 'tickets', "source IN ('offline_message', 'chat', 'agent', 'email')",
                               schema='chatdesk')
    op.create_table(
        'ticket_attachments',
        sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
        sa.Column('ticket_id', sa.UUID(), nullable=False),
        sa.Column('comment_id', sa.UUID(), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('content_type', sa.Text(), nullable=False),
        sa.Column('storage_key', sa.Text(), nullable=False),
        sa.Column('sha256', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['chatdesk.tickets.id'],
                                name=op.f('fk_ticket_attachments_ticket_id_tickets'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['comment_id'], ['chatdesk.ticket_comments.id'],
                                name=op.f('fk_ticket_attachments_comment_id_ticket_comments'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_attachments')),
        sa.UniqueConstraint('storage_key', name=op.f('uq_ticket_attachments_storage_key')),
        schema='chatdesk',
    )
    op.create_index('ix_ticket_attachments_comment_id', 'ticket_attachments', ['comment_id'], schema='chatdesk')
    op.create_table(
        'inbound_mail',
        sa.Column('message_id', sa.Text(), nullable=False),
        sa.Column('ticket_id', sa.UUID(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['chatdesk.tickets.id'], name=op.f('fk_inbound_mail_ticket_id_tickets'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('message_id', name=op.f('pk_inbound_mail')),
        schema='chatdesk',
    )
    op.execute("ALTER TABLE chatdesk.ticket_attachments ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE chatdesk.inbound_mail ENABLE ROW LEVEL SECURITY")


def downgrade() -> None:
    op.drop_table('inbound_mail', schema='chatdesk')
    op.drop_table('ticket_attachments', schema='chatdesk')
    op.execute("DELETE FROM chatdesk.tickets WHERE source = 'email'")
    op.drop_constraint(op.f('ck_tickets_source'), 'tickets', schema='chatdesk')
    op.create_check_constraint(op.f('ck_tickets_source'), 'tickets', "source IN ('offline_message', 'chat', 'agent')",
                               schema='chatdesk')
