"""triggers: proactive greetings, and each firing of one for one visitor

- triggers: an admin's rule of a widget: when its conditions hold (page address, seconds on the
  page, visits, returning or new, the department open), the widget opens with the greeting, as
  from the department.
- trigger_firings: one row per (visitor, trigger), so a rule greets a visitor once however many
  tabs or processes ask; `engaged_at` is set when that visitor then starts a chat.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'triggers',
        sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
        sa.Column('widget_id', sa.UUID(), nullable=False),
        sa.Column('department_id', sa.UUID(), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('greeting', sa.Text(), nullable=False),
        sa.Column('url_pattern', sa.Text(), server_default='', nullable=False),
        sa.Column('seconds_on_page', sa.Integer(), server_default='0', nullable=False),
        sa.Column('min_visits', sa.Integer(), server_default='1', nullable=False),
        sa.Column('returning_visitor', sa.Text(), server_default='any', nullable=False),
        sa.Column('only_when_open', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.CheckConstraint("returning_visitor IN ('any', 'new', 'returning')",
                           name=op.f('ck_triggers_returning_visitor')),
        sa.ForeignKeyConstraint(['widget_id'], ['chatdesk.widgets.id'], name=op.f('fk_triggers_widget_id_widgets'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['department_id'], ['chatdesk.departments.id'],
                                name=op.f('fk_triggers_department_id_departments'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_triggers')),
        schema='chatdesk',
    )
    op.create_index('ix_triggers_widget_id', 'triggers', ['widget_id'], schema='chatdesk')
    op.create_table(
        'trigger_firings',
        sa.Column('visitor_id', sa.UUID(), nullable=False),
        sa.Column('trigger_id', sa.UUID(), nullable=False),
        sa.Column('fired_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('engaged_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('chat_id', sa.UUID(), nullable=True),
        sa.ForeignKeyConstraint(['visitor_id'], ['chatdesk.visitors.id'],
                                name=op.f('fk_trigger_firings_visitor_id_visitors'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['trigger_id'], ['chatdesk.triggers.id'],
                                name=op.f('fk_trigger_firings_trigger_id_triggers'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['chat_id'], ['chatdesk.chats.id'], name=op.f('fk_trigger_firings_chat_id_chats'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('visitor_id', 'trigger_id', name=op.f('pk_trigger_firings')),
        schema='chatdesk',
    )
    op.create_index('ix_trigger_firings_trigger_id_fired_at', 'trigger_firings', ['trigger_id', 'fired_at'],
                    schema='chatdesk')
    op.execute("ALTER TABLE chatdesk.triggers ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE chatdesk.trigger_firings ENABLE ROW LEVEL SECURITY")
    op.execute("CREATE TRIGGER triggers_set_updated_at BEFORE UPDATE ON chatdesk.triggers "
               "FOR EACH ROW EXECUTE FUNCTION chatdesk.set_updated_at()")


def downgrade() -> None:
    op.drop_table('trigger_firings', schema='chatdesk')
    op.drop_table('triggers', schema='chatdesk')
