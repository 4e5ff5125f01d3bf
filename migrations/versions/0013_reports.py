"""reports: what the figures need that the records did not keep

- chats.first_assigned_at / first_agent_id: the first answer survives transfers (which move
  assigned_at and agent_id); set by a trigger whenever assigned_at is written.
- chats.transfers: how many times agents handed the chat on (desk/chats.py:transfer_chat).
- chats.message_count / first_reply_at: a rollup written by a trigger whenever an ended chat's
  status or ended_at is written (a chat takes no messages after it ends), so that reports over
  ended chats read no messages.
- chat_assignments: who held which chat from when to when (a trigger on chats' agent_id and
  status), for each agent's time in chats.
- agent_status_log: each agent's status and capacity from when (a trigger on agents), for online
  time and utilisation.
- indexes for date ranges.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# Each trigger's function, then the trigger: (table, trigger, function, body, when it fires).
_TRIGGERS = [
    ("chats", "chats_remember_first_answer", "remember_first_answer", """
        IF NEW.first_assigned_at IS NULL AND NEW.assigned_at IS NOT NULL THEN
            NEW.first_assigned_at := NEW.assigned_at;
            NEW.first_agent_id := NEW.agent_id;
        END IF;
        RETURN NEW;""", "BEFORE UPDATE OF assigned_at"),
    ("chats", "chats_sum_up_ended", "sum_up_ended_chat", """
        IF NEW.status = 'ended' THEN
            NEW.message_count := (SELECT count(*) FROM chatdesk.messages
                                  WHERE chat_id = NEW.id AND sender_type <> 'system' AND NOT internal);
            NEW.first_reply_at := (SELECT min(created_at) FROM chatdesk.messages
                                   WHERE chat_id = NEW.id AND sender_type = 'agent' AND NOT internal
                                     AND created_at >= NEW.first_assigned_at);
        END IF;
        RETURN NEW;""", "BEFORE UPDATE OF status, ended_at"),
    ("chats", "chats_log_assignment", "log_chat_assignment", """
        IF OLD.agent_id IS NOT NULL AND (NEW.agent_id IS DISTINCT FROM OLD.agent_id
                                         OR (NEW.status = 'ended' AND OLD.status <> 'ended')) THEN
            UPDATE chatdesk.chat_assignments SET released_at = now()
            WHERE chat_id = OLD.id AND released_at IS NULL;
        END IF;
        IF NEW.agent_id IS NOT NULL AND NEW.agent_id IS DISTINCT FROM OLD.agent_id THEN
            INSERT INTO chatdesk.chat_assignments (chat_id, agent_id, assigned_at) VALUES (NEW.id, NEW.agent_id, now());
        END IF;
        RETURN NULL;""", "AFTER UPDATE OF agent_id, status"),
    ("agents", "agents_log_status", "log_agent_status", """
        IF TG_OP = 'INSERT' OR NEW.max_chats IS DISTINCT FROM OLD.max_chats
           OR (CASE WHEN NEW.is_active THEN NEW.status ELSE 'offline' END)
              IS DISTINCT FROM (CASE WHEN OLD.is_active THEN OLD.status ELSE 'offline' END) THEN
            INSERT INTO chatdesk.agent_status_log (agent_id, status, max_chats)
            VALUES (NEW.id, CASE WHEN NEW.is_active THEN NEW.status ELSE 'offline' END, NEW.max_chats);
        END IF;
        RETURN NULL;""", "AFTER INSERT OR UPDATE OF status, max_chats, is_active"),
]


def upgrade() -> None:
    op.add_column('chats', sa.Column('first_assigned_at', sa.DateTime(timezone=True)), schema='chatdesk')
    op.add_column('chats', sa.Column('first_agent_id', sa.UUID(), nullable=True), schema='chatdesk')
    op.add_column('chats', sa.Column('transfers', sa.Integer(), server_default='0', nullable=False),
                  schema='chatdesk')
    op.add_column('chats', sa.Column('message_count', sa.Integer()), schema='chatdesk')
    op.add_column('chats', sa.Column('first_reply_at', sa.DateTime(timezone=True)), schema='chatdesk')
    op.create_foreign_key('fk_chats_first_agent_id_agents', 'chats', 'agents', ['first_agent_id'], ['id'],
                          source_schema='chatdesk', referent_schema='chatdesk')
    op.execute("UPDATE chatdesk.chats SET first_assigned_at = assigned_at, first_agent_id = agent_id "
               "WHERE assigned_at IS NOT NULL")
    op.create_index('ix_tickets_created_at', 'tickets', ['created_at'], schema='chatdesk')
    op.create_table(
        'chat_assignments',
        sa.Column('id', sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column('chat_id', sa.UUID(), nullable=False),
        sa.Column('agent_id', sa.UUID(), nullable=False),
        sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['chat_id'], ['chatdesk.chats.id'], name='fk_chat_assignments_chat_id_chats',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['agent_id'], ['chatdesk.agents.id'], name='fk_chat_assignments_agent_id_agents',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_chat_assignments'),
        schema='chatdesk',
    )
    op.create_index('ix_chat_assignments_chat_id', 'chat_assignments', ['chat_id'], schema='chatdesk')
    op.create_index('ix_chat_assignments_assigned_at', 'chat_assignments', ['assigned_at'], schema='chatdesk')
    op.create_table(
        'agent_status_log',
        sa.Column('id', sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column('agent_id', sa.UUID(), nullable=False),
        sa.Column('status', sa.Text(), nullable=False),
        sa.Column('max_chats', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.ForeignKeyConstraint(['agent_id'], ['chatdesk.agents.id'], name='fk_agent_status_log_agent_id_agents',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_agent_status_log'),
        schema='chatdesk',
    )
    op.create_index('ix_agent_status_log_agent_id_at', 'agent_status_log', ['agent_id', 'at'], schema='chatdesk')
    op.execute("INSERT INTO chatdesk.agent_status_log (agent_id, status, max_chats) "
               "SELECT id, CASE WHEN is_active THEN status ELSE 'offline' END, max_chats FROM chatdesk.agents")
    op.execute("INSERT INTO chatdesk.chat_assignments (chat_id, agent_id, assigned_at, released_at) "
               "SELECT id, agent_id, assigned_at, ended_at FROM chatdesk.chats WHERE agent_id IS NOT NULL "
               "AND assigned_at IS NOT NULL")
    op.execute("""UPDATE chatdesk.chats ch SET
        message_count = (SELECT count(*) FROM chatdesk.messages m
                         WHERE m.chat_id = ch.id AND m.sender_type <> 'system' AND NOT m.internal),
        first_reply_at = (SELECT min(m.created_at) FROM chatdesk.messages m
                          WHERE m.chat_id = ch.id AND m.sender_type = 'agent' AND NOT m.internal
                            AND m.created_at >= ch.first_assigned_at)
        WHERE ch.status = 'ended'""")
    for table in ('chat_assignments', 'agent_status_log'):
        op.execute(f"ALTER TABLE chatdesk.{table} ENABLE ROW LEVEL SECURITY")
    for table, trigger, function, body, when in _TRIGGERS:
        op.execute(f"CREATE FUNCTION chatdesk.{function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}\nEND $$")
        op.execute(f"CREATE TRIGGER {trigger} {when} ON chatdesk.{table} "
                   f"FOR EACH ROW EXECUTE FUNCTION chatdesk.{function}()")


def downgrade() -> None:
    for table, trigger, function, _, _ in reversed(_TRIGGERS):
        op.execute(f"DROP TRIGGER {trigger} ON chatdesk.{table}")
        op.execute(f"DROP FUNCTION chatdesk.{function}()")
    op.drop_table('agent_status_log', schema='chatdesk')
    op.drop_table('chat_assignments', schema='chatdesk')
    op.drop_index('ix_tickets_created_at', table_name='tickets', schema='chatdesk')
    op.drop_constraint('fk_chats_first_agent_id_agents', 'chats', schema='chatdesk', type_='foreignkey')
    op.drop_column('chats', 'first_reply_at', schema='chatdesk')
    op.drop_column('chats', 'message_count', schema='chatdesk')
    op.drop_column('chats', 'transfers', schema='chatdesk')
    op.drop_column('chats', 'first_agent_id', schema='chatdesk')
    op.drop_column('chats', 'first_assigned_at', schema='chatdesk')
