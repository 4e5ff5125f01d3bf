"""The schema as SQLAlchemy Core tables. Alembic owns the database; a test checks they agree."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

SCHEMA = "chatdesk"

metadata = sa.MetaData(
    schema=SCHEMA,
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    },
)


def _id() -> sa.Column:
    return sa.Column(
        "id", UUID(as_uuid=True), primary_key=True, server_default=sa.text("gen_random_uuid()")
    )


def _created_at() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def _updated_at() -> sa.Column:
    """Kept current by the `set_updated_at` trigger on every UPDATE."""
    return sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def _fk(column: str, target: str, *, nullable: bool = True, ondelete: str | None = None) -> sa.Column:
    return sa.Column(
        column, UUID(as_uuid=True), sa.ForeignKey(f"{SCHEMA}.{target}.id", ondelete=ondelete), nullable=nullable
    )


agents = sa.Table(
    "agents",
    metadata,
    _id(),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False, server_default="agent"),
    sa.Column("status", sa.Text, nullable=False, server_default="offline"),
    sa.Column("preferences", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("max_chats", sa.Integer, nullable=False, server_default="3"),
    sa.Column("active_chats", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_assigned_at", sa.DateTime(timezone=True)),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    _created_at(),
    _updated_at(),
    sa.CheckConstraint("role IN ('admin', 'agent')", name="role"),
    sa.CheckConstraint("status IN ('online', 'away', 'offline')", name="status"),
    sa.CheckConstraint("max_chats >= 0 AND max_chats <= 100", name="max_chats"),
    sa.CheckConstraint("active_chats >= 0", name="active_chats"),
    sa.Index("uq_agents_lower_email", sa.text("lower(email)"), unique=True),
)

departments = sa.Table(
    "departments",
    metadata,
    _id(),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("routing_mode", sa.Text, nullable=False, server_default="auto"),
    sa.Column("accept_timeout_s", sa.Integer, nullable=False, server_default="30"),
    sa.Column("is_default", sa.Boolean, nullable=False, server_default=sa.false()),
    _created_at(),
    _updated_at(),
    sa.CheckConstraint("routing_mode IN ('auto', 'broadcast')", name="routing_mode"),
    sa.CheckConstraint("accept_timeout_s BETWEEN 5 AND 3600", name="accept_timeout_s"),
    sa.Index("uq_departments_default", "is_default", unique=True, postgresql_where=sa.text("is_default")),
)

agent_departments = sa.Table(
    "agent_departments",
    metadata,
    _fk("agent_id", "agents", nullable=False, ondelete="CASCADE"),
    _fk("department_id", "departments", nullable=False, ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("agent_id", "department_id"),
    sa.Index("ix_agent_departments_department_id", "department_id"),
)

widgets = sa.Table(
    "widgets",
    metadata,
    _id(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("settings", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("allowed_origins", ARRAY(sa.Text), nullable=False, server_default=sa.text("'{}'")),
    _created_at(),
    _updated_at(),
)

visitors = sa.Table(
    "visitors",
    metadata,
    _id(),
    _fk("widget_id", "widgets", nullable=False, ondelete="CASCADE"),
    sa.Column("name", sa.Text),
    sa.Column("email", sa.Text),
    sa.Column("page_url", sa.Text),
    sa.Column("user_agent", sa.Text),
    sa.Column("fields", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("last_seen_at", sa.DateTime(timezone=True)),
    _created_at(),
    _updated_at(),
    sa.Index("ix_visitors_widget_id", "widget_id"),
)

chats = sa.Table(
    "chats",
    metadata,
    _id(),
    _fk("widget_id", "widgets", nullable=False, ondelete="CASCADE"),
    _fk("visitor_id", "visitors", nullable=False, ondelete="CASCADE"),
    _fk("department_id", "departments", nullable=False),
    _fk("agent_id", "agents"),
    sa.Column("status", sa.Text, nullable=False, server_default="queued"),
    sa.Column("priority", sa.Integer, nullable=False, server_default="0"),
    _fk("offered_to_id", "agents"),
    sa.Column("offered_at", sa.DateTime(timezone=True)),
    # Agents who declined this chat or let its offer time out: offered to others first.
    sa.Column("passed_over", ARRAY(UUID(as_uuid=True)), nullable=False, server_default=sa.text("'{}'")),
    sa.Column("assigned_at", sa.DateTime(timezone=True)),
    sa.Column("ended_at", sa.DateTime(timezone=True)),
    sa.Column("ended_by", sa.Text),
    sa.Column("last_seq", sa.Integer, nullable=False, server_default="0"),
    # The last seq the visitor can see: internal notes (agents only) move last_seq but not this.
    sa.Column("visitor_last_seq", sa.Integer, nullable=False, server_default="0"),
    sa.Column("visitor_read_seq", sa.Integer, nullable=False, server_default="0"),
    sa.Column("agent_read_seq", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rating", sa.Text),
    sa.Column("rating_comment", sa.Text),
    sa.Column("rated_at", sa.DateTime(timezone=True)),
    _created_at(),
    _updated_at(),
    sa.CheckConstraint("status IN ('queued', 'active', 'ended')", name="status"),
    sa.CheckConstraint("rating IS NULL OR rating IN ('good', 'bad')", name="rating"),
    sa.CheckConstraint("status <> 'active' OR agent_id IS NOT NULL", name="active_has_agent"),
    sa.Index(
        "ix_chats_queue",
        "department_id",
        sa.text("priority DESC"),
        "created_at",
        postgresql_where=sa.text("status = 'queued'"),
    ),
    sa.Index("ix_chats_agent_active", "agent_id", postgresql_where=sa.text("status = 'active'")),
    sa.Index("ix_chats_offers", "offered_at", postgresql_where=sa.text("offered_to_id IS NOT NULL")),
    sa.Index("ix_chats_visitor_id", "visitor_id"),
    # A visitor has at most one open chat: the widget resumes it instead of opening another.
    sa.Index("uq_chats_visitor_open", "visitor_id", unique=True, postgresql_where=sa.text("status <> 'ended'")),
)

messages = sa.Table(
    "messages",
    metadata,
    _id(),
    _fk("chat_id", "chats", nullable=False, ondelete="CASCADE"),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("client_msg_id", sa.Text, nullable=False),
    sa.Column("sender_type", sa.Text, nullable=False),
    sa.Column("sender_id", UUID(as_uuid=True)),
    sa.Column("sender_name", sa.Text),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("internal", sa.Boolean, nullable=False, server_default=sa.false()),
    _created_at(),
    sa.CheckConstraint("sender_type IN ('visitor', 'agent', 'system')", name="sender_type"),
    sa.CheckConstraint("seq >= 1", name="seq"),
    sa.UniqueConstraint("chat_id", "seq"),
    sa.UniqueConstraint("chat_id", "client_msg_id"),
)

attachments = sa.Table(
    "attachments",
    metadata,
    _id(),
    _fk("chat_id", "chats", nullable=False, ondelete="CASCADE"),
    _fk("message_id", "messages", ondelete="CASCADE"),
    sa.Column("uploader_type", sa.Text, nullable=False),
    sa.Column("uploader_id", UUID(as_uuid=True), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("content_type", sa.Text, nullable=False),
    sa.Column("storage_key", sa.Text, nullable=False, unique=True),
    sa.Column("thumbnail_key", sa.Text),
    sa.Column("sha256", sa.Text, nullable=False),
    _created_at(),
    sa.CheckConstraint("uploader_type IN ('visitor', 'agent')", name="uploader_type"),
    sa.Index("ix_attachments_chat_id", "chat_id"),
    sa.Index("ix_attachments_message_id", "message_id"),
    sa.Index("ix_attachments_orphans", "created_at", postgresql_where=sa.text("message_id IS NULL")),
)

quick_responses = sa.Table(
    "quick_responses",
    metadata,
    _id(),
    _fk("owner_id", "agents", ondelete="CASCADE"),
    sa.Column("shortcut", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    _created_at(),
    _updated_at(),
    sa.Index(
        "uq_quick_responses_shared_shortcut",
        "shortcut",
        unique=True,
        postgresql_where=sa.text("owner_id IS NULL"),
    ),
    sa.Index(
        "uq_quick_responses_owner_shortcut",
        "owner_id",
        "shortcut",
        unique=True,
        postgresql_where=sa.text("owner_id IS NOT NULL"),
    ),
)

tickets = sa.Table(
    "tickets",
    metadata,
    _id(),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("requester_name", sa.Text),
    sa.Column("requester_email", sa.Text),
    sa.Column("status", sa.Text, nullable=False, server_default="open"),
    _fk("assignee_id", "agents", ondelete="SET NULL"),
    _fk("chat_id", "chats", ondelete="SET NULL"),
    _fk("widget_id", "widgets", ondelete="SET NULL"),
    _fk("department_id", "departments", ondelete="SET NULL"),
    sa.Column("source", sa.Text, nullable=False),
    _created_at(),
    _updated_at(),
    sa.CheckConstraint("status IN ('open', 'pending', 'solved')", name="status"),
    sa.CheckConstraint("source IN ('offline_message', 'chat', 'agent')", name="source"),
    sa.Index("ix_tickets_status_created_at", "status", "created_at"),
    sa.Index("ix_tickets_assignee_id", "assignee_id"),
    sa.Index("uq_tickets_chat_id", "chat_id", unique=True, postgresql_where=sa.text("chat_id IS NOT NULL")),
)

ticket_comments = sa.Table(
    "ticket_comments",
    metadata,
    _id(),
    _fk("ticket_id", "tickets", nullable=False, ondelete="CASCADE"),
    sa.Column("author_type", sa.Text, nullable=False),
    sa.Column("author_id", UUID(as_uuid=True)),
    sa.Column("author_name", sa.Text),
    sa.Column("body", sa.Text, nullable=False),
    _created_at(),
    sa.CheckConstraint("author_type IN ('visitor', 'agent', 'system')", name="author_type"),
    sa.Index("ix_ticket_comments_ticket_id", "ticket_id", "created_at"),
)

sessions = sa.Table(
    "sessions",
    metadata,
    _id(),
    _fk("agent_id", "agents", nullable=False, ondelete="CASCADE"),
    sa.Column("token_hash", sa.LargeBinary, nullable=False, unique=True),
    sa.Column("csrf_token", sa.Text, nullable=False),
    sa.Column("user_agent", sa.Text),
    sa.Column("ip", sa.Text),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    _created_at(),
    sa.Index("ix_sessions_agent_id", "agent_id"),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("streams", ARRAY(sa.Text), nullable=False),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("payload", JSONB, nullable=False),
    _created_at(),
    sa.Index("ix_outbox_created_at", "created_at"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    _fk("actor_id", "agents", ondelete="SET NULL"),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("target_type", sa.Text, nullable=False),
    sa.Column("target_id", sa.Text),
    sa.Column("details", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    _created_at(),
    sa.Index("ix_audit_log_created_at", "created_at"),
)

TABLES_WITH_UPDATED_AT = [t.name for t in metadata.sorted_tables if "updated_at" in t.c]
