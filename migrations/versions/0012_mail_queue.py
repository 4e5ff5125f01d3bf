"""mail_queue: outgoing mail, queued in the transaction that causes it and sent by a worker

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'mail_outbox',
        sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
        sa.Column('message_id', sa.Text(), nullable=False),
        sa.Column('kind', sa.Text(), nullable=False),
        sa.Column('to_address', sa.Text(), nullable=False),
        sa.Column('subject', sa.Text(), nullable=False),
        sa.Column('text_body', sa.Text(), nullable=False),
        sa.Column('html_body', sa.Text(), nullable=True),
        sa.Column('headers', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"),
                  nullable=False),
        sa.Column('ticket_id', sa.UUID(), nullable=True),
        sa.Column('status', sa.Text(), server_default='queued', nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'sent', 'failed')", name=op.f('ck_mail_outbox_status')),
        sa.ForeignKeyConstraint(['ticket_id'], ['chatdesk.tickets.id'], name=op.f('fk_mail_outbox_ticket_id_tickets'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_outbox')),
        sa.UniqueConstraint('message_id', name=op.f('uq_mail_outbox_message_id')),
        schema='chatdesk',
    )
    op.create_index('ix_mail_outbox_due', 'mail_outbox', ['next_attempt_at'], unique=False, schema='chatdesk',
                    postgresql_where=sa.text("status = 'queued'"))
    op.create_index('ix_mail_outbox_failed', 'mail_outbox', ['last_attempt_at'], unique=False, schema='chatdesk',
                    postgresql_where=sa.text("status = 'failed'"))
    op.create_index('ix_mail_outbox_ticket_id', 'mail_outbox', ['ticket_id'], unique=False, schema='chatdesk',
                    postgresql_where=sa.text('ticket_id IS NOT NULL'))
    op.execute("ALTER TABLE chatdesk.mail_outbox ENABLE ROW LEVEL SECURITY")


def downgrade() -> None:
    op.drop_table('mail_outbox', schema='chatdesk')
