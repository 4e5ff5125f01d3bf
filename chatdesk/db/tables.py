"""The schema as SQLAlchemy Core tables. Alembic owns the database; a test checks they agree."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

SCHEMA = "chatdesk"
# A BCP 47 tag, as desk/languages.py:TAG_PATTERN (db sits below desk, so the pattern is repeated here).
LANGUAGE_CHECK = "language ~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,5}$' AND length(language) <= 35"

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


# What history search matches (chatdesk/desk/history.py), as text search documents over these
# expressions; GIN indexes cover them in the `simple` configuration (migration 0007). An email is
# also split at @ . + _ - so that "jane" or "example" finds jane.doe@example.com.
MESSAGE_DOCUMENT = "body"
# Spelled as PostgreSQL prints it back (less its outer parentheses, as alembic reads it), so that
# tests/test_migrations.py finds the index unchanged.
VISITOR_DOCUMENT = ("(((COALESCE(name, ''::text) || ' '::text) || COALESCE(email, ''::text)) || ' '::text) "
                    "|| translate(COALESCE(email, ''::text), '@.+_-'::text, '     '::text)")


def search_document(expression: str, config: str = "simple") -> str:
    """`to_tsvector` of a document expression, as its index spells it (SQL)."""
    return f"to_tsvector('{config}'::regconfig, {expression})"


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
    sa.Column("display_name", sa.Text),  # what customers see; None: `name`
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("invited_at", sa.DateTime(timezone=True)),  # invited, no password of their own yet
    sa.Column("role", sa.Text, nullable=False, server_default="agent"),
    sa.Column("status", sa.Text, nullable=False, server_default="offline"),
    sa.Column("preferences", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("max_chats", sa.Integer, nullable=False, server_default="3"),
    sa.Column("active_chats", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_assigned_at", sa.DateTime(timezone=True)),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    _created_at(),
    _updated_at(),
    sa.CheckConstraint("role IN ('admin', 'supervisor', 'agent')", name="role"),
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
    # Business hours (desk/hours.py); NULL: always open.
    sa.Column("hours", JSONB),
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

# 64 hex digits from two v4 UUIDs (PostgreSQL's strong random source): 244 random bits.
IDENTITY_SECRET_DEFAULT = "replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')"

widgets = sa.Table(
    "widgets",
    metadata,
    _id(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("settings", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("allowed_origins", ARRAY(sa.Text), nullable=False, server_default=sa.text("'{}'")),
    # The key of verified visitors' user_hash = HMAC-SHA256(identity_secret, user_id) (desk/widgets.py).
    sa.Column("identity_secret", sa.Text, nullable=False, server_default=sa.text(IDENTITY_SECRET_DEFAULT)),
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
    sa.Column("user_id", sa.Text),  # the host site's user, set only for a verified visitor
    # When the visitor last ticked the widget's consent line (desk/consent.py); NULL: never.
    sa.Column("consented_at", sa.DateTime(timezone=True)),
    sa.Column("language", sa.Text),  # BCP 47 tag: the widget's language for them (desk/languages.py)
    sa.Column("erased_at", sa.DateTime(timezone=True)),  # personal data erased (desk/privacy/)
    _created_at(),
    _updated_at(),
    sa.CheckConstraint(LANGUAGE_CHECK, name="language"),
    sa.Index("ix_visitors_widget_id", "widget_id"),
    sa.Index("uq_visitors_widget_user", "widget_id", "user_id", unique=True,
             postgresql_where=sa.text("user_id IS NOT NULL")),
    sa.Index("ix_visitors_search", sa.text(search_document(VISITOR_DOCUMENT)), postgresql_using="gin"),
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
    # Supervisors following the chat from the Live view: they get its events as its agent does.
    sa.Column("watcher_ids", ARRAY(UUID(as_uuid=True)), nullable=False, server_default=sa.text("'{}'")),
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
    # The first answer, kept through transfers by a trigger (migration 0013), for reports.
    sa.Column("first_assigned_at", sa.DateTime(timezone=True)),
    _fk("first_agent_id", "agents"),
    sa.Column("transfers", sa.Integer, nullable=False, server_default="0"),
    # Once ended (a trigger, migration 0013): visitor and agent messages, and the first agent reply.
    sa.Column("message_count", sa.Integer),
    sa.Column("first_reply_at", sa.DateTime(timezone=True)),
    sa.Column("erased_at", sa.DateTime(timezone=True)),  # messages, files and comment erased (desk/privacy/)
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
    sa.Index("ix_chats_created_at_id", "created_at", "id"),  # history, newest first
    # A visitor has at most one open chat: the widget resumes it instead of opening another.
    sa.Index("uq_chats_visitor_open", "visitor_id", unique=True, postgresql_where=sa.text("status <> 'ended'")),
    # Ended chats the retention job has yet to erase, oldest first (desk/privacy/retention.py).
    sa.Index("ix_chats_retention", "created_at", postgresql_where=sa.text("erased_at IS NULL AND status = 'ended'")),
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
    # A system line's words, {"key", "params"} (desk/system_lines.py); NULL for every other message.
    sa.Column("system_line", JSONB(none_as_null=True)),
    sa.CheckConstraint("sender_type IN ('visitor', 'agent', 'system')", name="sender_type"),
    sa.CheckConstraint("seq >= 1", name="seq"),
    sa.UniqueConstraint("chat_id", "seq"),
    sa.UniqueConstraint("chat_id", "client_msg_id"),
    sa.Index("ix_messages_search", sa.text(search_document(MESSAGE_DOCUMENT)), postgresql_using="gin"),
)

# Who held which chat from when until when: written by a trigger on chats (migration 0013).
chat_assignments = sa.Table(
    "chat_assignments",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    _fk("chat_id", "chats", nullable=False, ondelete="CASCADE"),
    _fk("agent_id", "agents", nullable=False, ondelete="CASCADE"),
    sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("released_at", sa.DateTime(timezone=True)),
    sa.Index("ix_chat_assignments_chat_id", "chat_id"),
    sa.Index("ix_chat_assignments_assigned_at", "assigned_at"),
)

# Each agent's status (offline while deactivated) and capacity from `at` on: written by a trigger
# on agents (migration 0013).
agent_status_log = sa.Table(
    "agent_status_log",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    _fk("agent_id", "agents", nullable=False, ondelete="CASCADE"),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("max_chats", sa.Integer, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Index("ix_agent_status_log_agent_id_at", "agent_id", "at"),
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
    # The customer's links (desk/ticket_links.py) name this version; bumping it revokes them all.
    sa.Column("link_version", sa.Integer, nullable=False, server_default="0"),
    sa.Column("language", sa.Text),  # the customer's, for mail and the ticket's page; NULL: English
    _created_at(),
    _updated_at(),
    sa.CheckConstraint(LANGUAGE_CHECK, name="language"),
    sa.CheckConstraint("status IN ('open', 'pending', 'solved')", name="status"),
    sa.CheckConstraint("source IN ('offline_message', 'chat', 'agent', 'email')", name="source"),
    sa.Index("ix_tickets_status_created_at", "status", "created_at"),
    sa.Index("ix_tickets_created_at", "created_at"),
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

# Files that came with a ticket's comment (a customer's mail), kept in the storage like chat uploads.
ticket_attachments = sa.Table(
    "ticket_attachments",
    metadata,
    _id(),
    _fk("ticket_id", "tickets", nullable=False, ondelete="CASCADE"),
    _fk("comment_id", "ticket_comments", nullable=False, ondelete="CASCADE"),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("content_type", sa.Text, nullable=False),
    sa.Column("storage_key", sa.Text, nullable=False, unique=True),
    sa.Column("sha256", sa.Text, nullable=False),
    _created_at(),
    sa.Index("ix_ticket_attachments_comment_id", "comment_id"),
)

# Each mail read from the support mailbox, by its Message-ID: written in the transaction of the
# comment it became, so that of any number of processes reading the mailbox, one takes each mail.
inbound_mail = sa.Table(
    "inbound_mail",
    metadata,
    sa.Column("message_id", sa.Text, primary_key=True),
    _fk("ticket_id", "tickets", ondelete="SET NULL"),
    _created_at(),
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

# Admins' API keys (desk/auth/api_keys.py): only the token's hash is kept; each acts as its bot agent.
api_keys = sa.Table(
    "api_keys",
    metadata,
    _id(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("token_hash", sa.LargeBinary, nullable=False, unique=True),
    sa.Column("hint", sa.Text, nullable=False),  # the token's first characters, to tell keys apart
    sa.Column("scopes", ARRAY(sa.Text), nullable=False),
    _fk("agent_id", "agents", nullable=False, ondelete="CASCADE"),
    _fk("created_by", "agents", ondelete="SET NULL"),
    _created_at(),
    sa.Column("last_used_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
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

mail_outbox = sa.Table(
    "mail_outbox",
    metadata,
    _id(),
    sa.Column("message_id", sa.Text, nullable=False, unique=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("to_address", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("text_body", sa.Text, nullable=False),
    sa.Column("html_body", sa.Text),
    sa.Column("headers", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    _fk("ticket_id", "tickets", ondelete="SET NULL"),
    sa.Column("status", sa.Text, nullable=False, server_default="queued"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
    sa.Column("last_error", sa.Text),
    sa.Column("last_attempt_at", sa.DateTime(timezone=True)),
    _created_at(),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    sa.CheckConstraint("status IN ('queued', 'sent', 'failed')", name="status"),
    sa.Index("ix_mail_outbox_due", "next_attempt_at", postgresql_where=sa.text("status = 'queued'")),
    sa.Index("ix_mail_outbox_failed", "last_attempt_at", postgresql_where=sa.text("status = 'failed'")),
    sa.Index("ix_mail_outbox_ticket_id", "ticket_id", postgresql_where=sa.text("ticket_id IS NOT NULL")),
)

# Webhooks (chatdesk/desk/webhooks/): endpoints admins register, and one delivery per (endpoint, event),
# written in the transaction of the change and sent by every serving process's sender.
webhook_endpoints = sa.Table(
    "webhook_endpoints",
    metadata,
    _id(),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("events", ARRAY(sa.Text), nullable=False),
    sa.Column("secret", sa.Text, nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("disabled_reason", sa.Text),
    sa.Column("failing_since", sa.DateTime(timezone=True)),
    _created_at(),
)

webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    _id(),
    sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
    _fk("endpoint_id", "webhook_endpoints", nullable=False, ondelete="CASCADE"),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("ordering_key", UUID(as_uuid=True)),
    sa.Column("payload", JSONB, nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("responses", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
    sa.Column("last_status_code", sa.Integer),
    sa.Column("last_error", sa.Text),
    sa.Column("last_attempt_at", sa.DateTime(timezone=True)),
    _created_at(),
    sa.Column("delivered_at", sa.DateTime(timezone=True)),
    sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status"),
    sa.Index("ix_webhook_deliveries_due", "next_attempt_at", postgresql_where=sa.text("status = 'pending'")),
    sa.Index("ix_webhook_deliveries_in_order", "endpoint_id", "ordering_key", "seq",
             postgresql_where=sa.text("status = 'pending'")),
    sa.Index("ix_webhook_deliveries_log", "endpoint_id", "seq"),
    sa.Index("ix_webhook_deliveries_ordering_key", "ordering_key"),  # an erasure's (desk/privacy/erasure.py)
)

# Stored files whose rows an erasure deleted: deleted from the storage after commit, tried again
# until that succeeds (desk/privacy/files.py).
file_deletions = sa.Table(
    "file_deletions",
    metadata,
    sa.Column("storage_key", sa.Text, primary_key=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    _created_at(),
    sa.Index("ix_file_deletions_next_attempt_at", "next_attempt_at"),
)

# Proactive greetings (chatdesk/desk/triggers.py): an admin's rules per widget, and one firing per
# (visitor, trigger): the primary key is what makes a rule greet a visitor once (migration 0020).
triggers = sa.Table(
    "triggers",
    metadata,
    _id(),
    _fk("widget_id", "widgets", nullable=False, ondelete="CASCADE"),
    _fk("department_id", "departments", nullable=False, ondelete="CASCADE"),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("greeting", sa.Text, nullable=False),
    sa.Column("url_pattern", sa.Text, nullable=False, server_default=""),
    sa.Column("seconds_on_page", sa.Integer, nullable=False, server_default="0"),
    sa.Column("min_visits", sa.Integer, nullable=False, server_default="1"),
    sa.Column("returning_visitor", sa.Text, nullable=False, server_default="any"),
    sa.Column("only_when_open", sa.Boolean, nullable=False, server_default=sa.true()),
    _created_at(),
    _updated_at(),
    sa.CheckConstraint("returning_visitor IN ('any', 'new', 'returning')", name="returning_visitor"),
    sa.Index("ix_triggers_widget_id", "widget_id"),
)

trigger_firings = sa.Table(
    "trigger_firings",
    metadata,
    _fk("visitor_id", "visitors", nullable=False, ondelete="CASCADE"),
    _fk("trigger_id", "triggers", nullable=False, ondelete="CASCADE"),
    sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("engaged_at", sa.DateTime(timezone=True)),
    _fk("chat_id", "chats", ondelete="SET NULL"),
    sa.PrimaryKeyConstraint("visitor_id", "trigger_id"),
    sa.Index("ix_trigger_firings_trigger_id_fired_at", "trigger_id", "fired_at"),
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
