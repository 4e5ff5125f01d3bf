"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24

Also: the `set_updated_at` trigger on every table with `updated_at`, and row level
security on every table with no policy, so Supabase's `anon` / `authenticated` roles read nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agents',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('email', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('role', sa.Text(), server_default='agent', nullable=False),
    sa.Column('status', sa.Text(), server_default='offline', nullable=False),
    sa.Column('preferences', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('max_chats', sa.Integer(), server_default='3', nullable=False),
    sa.Column('active_chats', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'agent')", name=op.f('ck_agents_role')),
    sa.CheckConstraint("status IN ('online', 'away', 'offline')", name=op.f('ck_agents_status')),
    sa.CheckConstraint('active_chats >= 0', name=op.f('ck_agents_active_chats')),
    sa.CheckConstraint('max_chats >= 0 AND max_chats <= 100', name=op.f('ck_agents_max_chats')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agents')),
    schema='chatdesk'
    )
    op.create_index('uq_agents_lower_email', 'agents', [sa.literal_column('lower(email)')], unique=True, schema='chatdesk')
    op.create_table('departments',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('routing_mode', sa.Text(), server_default='auto', nullable=False),
    sa.Column('accept_timeout_s', sa.Integer(), server_default='30', nullable=False),
    sa.Column('is_default', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("routing_mode IN ('auto', 'broadcast')", name=op.f('ck_departments_routing_mode')),
    sa.CheckConstraint('accept_timeout_s BETWEEN 5 AND 3600', name=op.f('ck_departments_accept_timeout_s')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments')),
    sa.UniqueConstraint('name', name=op.f('uq_departments_name')),
    schema='chatdesk'
    )
    op.create_index('uq_departments_default', 'departments', ['is_default'], unique=True, schema='chatdesk', postgresql_where=sa.text('is_default'))
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('streams', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('event_type', sa.Text(), nullable=False),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    schema='chatdesk'
    )
    op.create_index('ix_outbox_created_at', 'outbox', ['created_at'], unique=False, schema='chatdesk')
    op.create_table('widgets',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('settings', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('allowed_origins', postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_widgets')),
    schema='chatdesk'
    )
    op.create_table('agent_departments',
    sa.Column('agent_id', sa.UUID(), nullable=False),
    sa.Column('department_id', sa.UUID(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['chatdesk.agents.id'], name=op.f('fk_agent_departments_agent_id_agents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['department_id'], ['chatdesk.departments.id'], name=op.f('fk_agent_departments_department_id_departments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agent_id', 'department_id', name=op.f('pk_agent_departments')),
    schema='chatdesk'
    )
    op.create_index('ix_agent_departments_department_id', 'agent_departments', ['department_id'], unique=False, schema='chatdesk')
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('actor_id', sa.UUID(), nullable=True),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('target_type', sa.Text(), nullable=False),
    sa.Column('target_id', sa.Text(), nullable=True),
    sa.Column('details', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['chatdesk.agents.id'], name=op.f('fk_audit_log_actor_id_agents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    schema='chatdesk'
    )
    op.create_index('ix_audit_log_created_at', 'audit_log', ['created_at'], unique=False, schema='chatdesk')
    op.create_table('quick_responses',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('owner_id', sa.UUID(), nullable=True),
    sa.Column('shortcut', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['chatdesk.agents.id'], name=op.f('fk_quick_responses_owner_id_agents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quick_responses')),
    schema='chatdesk'
    )
    op.create_index('uq_quick_responses_owner_shortcut', 'quick_responses', ['owner_id', 'shortcut'], unique=True, schema='chatdesk', postgresql_where=sa.text('owner_id IS NOT NULL'))
    op.create_index('uq_quick_responses_shared_shortcut', 'quick_responses', ['shortcut'], unique=True, schema='chatdesk', postgresql_where=sa.text('owner_id IS NULL'))
    op.create_table('sessions',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('agent_id', sa.UUID(), nullable=False),
    sa.Column('token_hash', sa.LargeBinary(), nullable=False),
    sa.Column('csrf_token', sa.Text(), nullable=False),
    sa.Column('user_agent', sa.Text(), nullable=True),
    sa.Column('ip', sa.Text(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['chatdesk.agents.id'], name=op.f('fk_sessions_agent_id_agents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sessions_token_hash')),
    schema='chatdesk'
    )
    op.create_index('ix_sessions_agent_id', 'sessions', ['agent_id'], unique=False, schema='chatdesk')
    op.create_table('visitors',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('widget_id', sa.UUID(), nullable=False),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('email', sa.Text(), nullable=True),
    sa.Column('page_url', sa.Text(), nullable=True),
    sa.Column('user_agent', sa.Text(), nullable=True),
    sa.Column('fields', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['widget_id'], ['chatdesk.widgets.id'], name=op.f('fk_visitors_widget_id_widgets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visitors')),
    schema='chatdesk'
    )
    op.create_index('ix_visitors_widget_id', 'visitors', ['widget_id'], unique=False, schema='chatdesk')
    op.create_table('chats',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('widget_id', sa.UUID(), nullable=False),
    sa.Column('visitor_id', sa.UUID(), nullable=False),
    sa.Column('department_id', sa.UUID(), nullable=False),
    sa.Column('agent_id', sa.UUID(), nullable=True),
    sa.Column('status', sa.Text(), server_default='queued', nullable=False),
    sa.Column('priority', sa.Integer(), server_default='0', nullable=False),
    sa.Column('offered_to_id', sa.UUID(), nullable=True),
    sa.Column('offered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by', sa.Text(), nullable=True),
    sa.Column('last_seq', sa.Integer(), server_default='0', nullable=False),
    sa.Column('visitor_read_seq', sa.Integer(), server_default='0', nullable=False),
    sa.Column('agent_read_seq', sa.Integer(), server_default='0', nullable=False),
    sa.Column('rating', sa.Text(), nullable=True),
    sa.Column('rating_comment', sa.Text(), nullable=True),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("rating IS NULL OR rating IN ('good', 'bad')", name=op.f('ck_chats_rating')),
    sa.CheckConstraint("status <> 'active' OR agent_id IS NOT NULL", name=op.f('ck_chats_active_has_agent')),
    sa.CheckConstraint("status IN ('queued', 'active', 'ended')", name=op.f('ck_chats_status')),
    sa.ForeignKeyConstraint(['agent_id'], ['chatdesk.agents.id'], name=op.f('fk_chats_agent_id_agents')),
    sa.ForeignKeyConstraint(['department_id'], ['chatdesk.departments.id'], name=op.f('fk_chats_department_id_departments')),
    sa.ForeignKeyConstraint(['offered_to_id'], ['chatdesk.agents.id'], name=op.f('fk_chats_offered_to_id_agents')),
    sa.ForeignKeyConstraint(['visitor_id'], ['chatdesk.visitors.id'], name=op.f('fk_chats_visitor_id_visitors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['widget_id'], ['chatdesk.widgets.id'], name=op.f('fk_chats_widget_id_widgets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chats')),
    schema='chatdesk'
    )
    op.create_index('ix_chats_agent_active', 'chats', ['agent_id'], unique=False, schema='chatdesk', postgresql_where=sa.text("status = 'active'"))
    op.create_index('ix_chats_queue', 'chats', ['department_id', sa.literal_column('priority DESC'), 'created_at'], unique=False, schema='chatdesk', postgresql_where=sa.text("status = 'queued'"))
    op.create_index('ix_chats_visitor_id', 'chats', ['visitor_id'], unique=False, schema='chatdesk')
    op.create_table('messages',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('chat_id', sa.UUID(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('client_msg_id', sa.Text(), nullable=False),
    sa.Column('sender_type', sa.Text(), nullable=False),
    sa.Column('sender_id', sa.UUID(), nullable=True),
    sa.Column('sender_name', sa.Text(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('internal', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("sender_type IN ('visitor', 'agent', 'system')", name=op.f('ck_messages_sender_type')),
    sa.CheckConstraint('seq >= 1', name=op.f('ck_messages_seq')),
    sa.ForeignKeyConstraint(['chat_id'], ['chatdesk.chats.id'], name=op.f('fk_messages_chat_id_chats'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('chat_id', 'client_msg_id', name=op.f('uq_messages_chat_id_client_msg_id')),
    sa.UniqueConstraint('chat_id', 'seq', name=op.f('uq_messages_chat_id_seq')),
    schema='chatdesk'
    )
    op.create_table('tickets',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('requester_name', sa.Text(), nullable=True),
    sa.Column('requester_email', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default='open', nullable=False),
    sa.Column('assignee_id', sa.UUID(), nullable=True),
    sa.Column('chat_id', sa.UUID(), nullable=True),
    sa.Column('widget_id', sa.UUID(), nullable=True),
    sa.Column('department_id', sa.UUID(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("source IN ('offline_message', 'chat', 'agent')", name=op.f('ck_tickets_source')),
    sa.CheckConstraint("status IN ('open', 'pending', 'solved')", name=op.f('ck_tickets_status')),
    sa.ForeignKeyConstraint(['assignee_id'], ['chatdesk.agents.id'], name=op.f('fk_tickets_assignee_id_agents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['chat_id'], ['chatdesk.chats.id'], name=op.f('fk_tickets_chat_id_chats'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['department_id'], ['chatdesk.departments.id'], name=op.f('fk_tickets_department_id_departments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['widget_id'], ['chatdesk.widgets.id'], name=op.f('fk_tickets_widget_id_widgets'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    schema='chatdesk'
    )
    op.create_index('ix_tickets_assignee_id', 'tickets', ['assignee_id'], unique=False, schema='chatdesk')
    op.create_index('ix_tickets_status_created_at', 'tickets', ['status', 'created_at'], unique=False, schema='chatdesk')
    op.create_index('uq_tickets_chat_id', 'tickets', ['chat_id'], unique=True, schema='chatdesk', postgresql_where=sa.text('chat_id IS NOT NULL'))
    op.create_table('attachments',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('chat_id', sa.UUID(), nullable=False),
    sa.Column('message_id', sa.UUID(), nullable=True),
    sa.Column('uploader_type', sa.Text(), nullable=False),
    sa.Column('uploader_id', sa.UUID(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('content_type', sa.Text(), nullable=False),
    sa.Column('storage_key', sa.Text(), nullable=False),
    sa.Column('thumbnail_key', sa.Text(), nullable=True),
    sa.Column('sha256', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("uploader_type IN ('visitor', 'agent')", name=op.f('ck_attachments_uploader_type')),
    sa.ForeignKeyConstraint(['chat_id'], ['chatdesk.chats.id'], name=op.f('fk_attachments_chat_id_chats'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['chatdesk.messages.id'], name=op.f('fk_attachments_message_id_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_attachments_storage_key')),
    schema='chatdesk'
    )
    op.create_index('ix_attachments_chat_id', 'attachments', ['chat_id'], unique=False, schema='chatdesk')
    op.create_index('ix_attachments_message_id', 'attachments', ['message_id'], unique=False, schema='chatdesk')
    op.create_index('ix_attachments_orphans', 'attachments', ['created_at'], unique=False, schema='chatdesk', postgresql_where=sa.text('message_id IS NULL'))
    op.create_table('ticket_comments',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('ticket_id', sa.UUID(), nullable=False),
    sa.Column('author_type', sa.Text(), nullable=False),
    sa.Column('author_id', sa.UUID(), nullable=True),
    sa.Column('author_name', sa.Text(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("author_type IN ('visitor', 'agent', 'system')", name=op.f('ck_ticket_comments_author_type')),
    sa.ForeignKeyConstraint(['ticket_id'], ['chatdesk.tickets.id'], name=op.f('fk_ticket_comments_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_comments')),
    schema='chatdesk'
    )
    op.create_index('ix_ticket_comments_ticket_id', 'ticket_comments', ['ticket_id', 'created_at'], unique=False, schema='chatdesk')

    _add_updated_at_triggers()
    _enable_row_level_security()

def downgrade() -> None:
    op.drop_index('ix_ticket_comments_ticket_id', table_name='ticket_comments', schema='chatdesk')
    op.drop_table('ticket_comments', schema='chatdesk')
    op.drop_index('ix_attachments_orphans', table_name='attachments', schema='chatdesk', postgresql_where=sa.text('message_id IS NULL'))
    op.drop_index('ix_attachments_message_id', table_name='attachments', schema='chatdesk')
    op.drop_index('ix_attachments_chat_id', table_name='attachments', schema='chatdesk')
    op.drop_table('attachments', schema='chatdesk')
    op.drop_index('uq_tickets_chat_id', table_name='tickets', schema='chatdesk', postgresql_where=sa.text('chat_id IS NOT NULL'))
    op.drop_index('ix_tickets_status_created_at', table_name='tickets', schema='chatdesk')
    op.drop_index('ix_tickets_assignee_id', table_name='tickets', schema='chatdesk')
    op.drop_table('tickets', schema='chatdesk')
    op.drop_table('messages', schema='chatdesk')
    op.drop_index('ix_chats_visitor_id', table_name='chats', schema='chatdesk')
    op.drop_index('ix_chats_queue', table_name='chats', schema='chatdesk', postgresql_where=sa.text("status = 'queued'"))
    op.drop_index('ix_chats_agent_active', table_name='chats', schema='chatdesk', postgresql_where=sa.text("status = 'active'"))
    op.drop_table('chats', schema='chatdesk')
    op.drop_index('ix_visitors_widget_id', table_name='visitors', schema='chatdesk')
    op.drop_table('visitors', schema='chatdesk')
    op.drop_index('ix_sessions_agent_id', table_name='sessions', schema='chatdesk')
    op.drop_table('sessions', schema='chatdesk')
    op.drop_index('uq_quick_responses_shared_shortcut', table_name='quick_responses', schema='chatdesk', postgresql_where=sa.text('owner_id IS NULL'))
    op.drop_index('uq_quick_responses_owner_shortcut', table_name='quick_responses', schema='chatdesk', postgresql_where=sa.text('owner_id IS NOT NULL'))
    op.drop_table('quick_responses', schema='chatdesk')
    op.drop_index('ix_audit_log_created_at', table_name='audit_log', schema='chatdesk')
    op.drop_table('audit_log', schema='chatdesk')
    op.drop_index('ix_agent_departments_department_id', table_name='agent_departments', schema='chatdesk')
    op.drop_table('agent_departments', schema='chatdesk')
    op.drop_table('widgets', schema='chatdesk')
    op.drop_index('ix_outbox_created_at', table_name='outbox', schema='chatdesk')
    op.drop_table('outbox', schema='chatdesk')
    op.drop_index('uq_departments_default', table_name='departments', schema='chatdesk', postgresql_where=sa.text('is_default'))
    op.drop_table('departments', schema='chatdesk')
    op.drop_index('uq_agents_lower_email', table_name='agents', schema='chatdesk')
    op.drop_table('agents', schema='chatdesk')
    op.execute("DROP FUNCTION chatdesk.set_updated_at()")


TABLES = [
    "agents", "departments", "agent_departments", "widgets", "visitors", "chats", "messages",
    "attachments", "quick_responses", "tickets", "ticket_comments", "sessions", "outbox", "audit_log",
]
TABLES_WITH_UPDATED_AT = ["agents", "departments", "widgets", "visitors", "chats", "quick_responses", "tickets"]


def _add_updated_at_triggers() -> None:
    op.execute(
        """
        CREATE FUNCTION chatdesk.set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.updated_at = now();
            RETURN NEW;
        END $$
        """
    )
    for table in TABLES_WITH_UPDATED_AT:
        op.execute(
            f"CREATE TRIGGER {table}_set_updated_at BEFORE UPDATE ON chatdesk.{table} "
            "FOR EACH ROW EXECUTE FUNCTION chatdesk.set_updated_at()"
        )


def _enable_row_level_security() -> None:
    for table in [*TABLES, "alembic_version"]:
        op.execute(f"ALTER TABLE chatdesk.{table} ENABLE ROW LEVEL SECURITY")
