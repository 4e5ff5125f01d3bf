"""Settings: one object, read once from the environment and an optional `.env`."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import limits
from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_KEY_FILE = "secret_key"
# Each SMTP command's answer is awaited this long unless the URL says `?timeout=`.
SMTP_TIMEOUT_S = 30.0
# Each IMAP command's answer is awaited this long unless the URL says `?timeout=`.
IMAP_TIMEOUT_S = 30.0
# Supabase's transaction pooler (Supavisor, or the project's dedicated PgBouncer) listens on this port.
TRANSACTION_POOLER_PORT = 6543


def transaction_pooled(database_url: str) -> bool:
    """Whether connections to this PostgreSQL URL go through a pooler in transaction mode (PgBouncer's
    `pool_mode=transaction`): `?pgbouncer=true` says so (Prisma's spelling, which `CHATDESK_DB_POOLER`
    writes), `?pgbouncer=false` says not, else port 6543 does. Behind one, a connection's server changes
    from one transaction to the next: nothing may outlive a transaction (docs/architecture.md, PostgreSQL
    behind a pooler)."""
    parts = urlsplit(database_url)
    flag = parse_qs(parts.query).get("pgbouncer")
    if flag:
        return flag[-1].lower() == "true"
    try:
        return parts.port == TRANSACTION_POOLER_PORT
    except ValueError:  # no number: the engine says what is wrong with the URL
        return False


def _with_pooler_flag(database_url: str, transaction: bool) -> str:
    """The URL with `?pgbouncer=true|false`, which every connection made from it (here and in the
    processes it is handed to) reads."""
    parts = urlsplit(database_url)
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    query["pgbouncer"] = "true" if transaction else "false"
    return parts._replace(query=urlencode(query)).geturl()


def _url_options(url_query: str, what: str) -> tuple[dict[str, str], float]:
    """A server URL's `?tls=on|off&timeout=S`, checked: (the options, the timeout or 0 if not given)."""
    options = {name: values[-1] for name, values in parse_qs(url_query).items()}
    unknown = set(options) - {"tls", "timeout"}
    if unknown:
        raise ValueError(f"unknown {what} URL option(s): {', '.join(sorted(unknown))} (known: tls, timeout)")
    if options.get("tls", "on") not in ("on", "off"):
        raise ValueError("tls= takes on or off")
    try:
        timeout_s = float(options.get("timeout", 0))
    except ValueError:
        raise ValueError(f"the {what} URL's timeout must be a number") from None
    if "timeout" in options and timeout_s <= 0:
        raise ValueError("timeout= must be more than 0 seconds")
    return options, timeout_s


@dataclass(frozen=True)
class SmtpServer:
    """Where outgoing mail goes, from `CHATDESK_SMTP_URL`.

    `smtp://` upgrades with STARTTLS when the server offers it, and insists on it when a user and
    password are given (they never cross in clear); `smtps://` is TLS from the first byte (port 465);
    `?tls=off` never uses TLS (a relay or test server on loopback); `?timeout=S` bounds each command.
    """

    host: str
    port: int
    username: str | None
    password: str | None
    tls: Literal["implicit", "starttls", "if_offered", "off"]
    timeout_s: float

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError("the SMTP URL must start with smtp:// or smtps://")
        if not parts.hostname:
            raise ValueError("the SMTP URL names no host")
        options, timeout_s = _url_options(parts.query, "SMTP")
        try:
            port = parts.port
        except ValueError:
            raise ValueError("the SMTP URL's port must be a number") from None
        username = unquote(parts.username) if parts.username else None
        tls: Literal["implicit", "starttls", "if_offered", "off"]
        if options.get("tls") == "off":
            tls = "off"
        elif parts.scheme == "smtps":
            tls = "implicit"
        else:
            tls = "starttls" if username else "if_offered"
        return cls(host=parts.hostname, port=port or (465 if parts.scheme == "smtps" else 587), username=username,
                   password=unquote(parts.password) if parts.password else None, tls=tls,
                   timeout_s=timeout_s or SMTP_TIMEOUT_S)

    def __str__(self) -> str:
        who = f"{self.username}@" if self.username else ""
        return f"{who}{self.host}:{self.port} (TLS: {self.tls.replace('_', ' ')})"


@dataclass(frozen=True)
class ImapServer:
    """The support mailbox incoming mail is read from, from `CHATDESK_IMAP_URL`.

    `imaps://user:pass@host:993/INBOX` is TLS from the first byte; `imap://` upgrades with STARTTLS
    before signing in; `?tls=off` never uses TLS (a test server on loopback); the path names the
    folder (INBOX when left out); `?timeout=S` bounds each command.
    """

    host: str
    port: int
    username: str
    password: str
    folder: str
    tls: Literal["implicit", "starttls", "off"]
    timeout_s: float

    @classmethod
    def parse(cls, url: str) -> ImapServer:
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps"):
            raise ValueError("the IMAP URL must start with imap:// or imaps://")
        if not parts.hostname:
            raise ValueError("the IMAP URL names no host")
        if not parts.username or parts.password is None:
            raise ValueError("the IMAP URL needs a user and password (imaps://user:pass@host/INBOX)")
        options, timeout_s = _url_options(parts.query, "IMAP")
        try:
            port = parts.port
        except ValueError:
            raise ValueError("the IMAP URL's port must be a number") from None
        tls: Literal["implicit", "starttls", "off"] = (
            "off" if options.get("tls") == "off" else "implicit" if parts.scheme == "imaps" else "starttls")
        return cls(host=parts.hostname, port=port or (993 if parts.scheme == "imaps" else 143),
                   username=unquote(parts.username), password=unquote(parts.password),
                   folder=unquote(parts.path.strip("/")) or "INBOX", tls=tls, timeout_s=timeout_s or IMAP_TIMEOUT_S)

    def __str__(self) -> str:
        return f"{self.username}@{self.host}:{self.port}/{self.folder} (TLS: {self.tls})"


class Settings(BaseSettings):
    """Everything an operator can configure. Env names are in README's configuration table."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: SecretStr | None = Field(None, validation_alias="DATABASE_URL")
    redis_url: SecretStr | None = Field(None, validation_alias="REDIS_URL")
    data_dir: Path = Field(Path("~/.chatdesk"), validation_alias="CHATDESK_DATA_DIR")
    host: str = Field("127.0.0.1", validation_alias="CHATDESK_HOST")
    port: int = Field(8000, ge=0, le=65535, validation_alias="CHATDESK_PORT")
    public_url: str | None = Field(None, validation_alias="CHATDESK_PUBLIC_URL")
    trusted_proxies: str = Field("", validation_alias="CHATDESK_TRUSTED_PROXIES")
    secret_key: SecretStr | None = Field(None, validation_alias="CHATDESK_SECRET_KEY")
    upload_max_bytes: int = Field(
        10 * 1024 * 1024, gt=0, validation_alias="CHATDESK_UPLOAD_MAX_BYTES"
    )
    upload_rate: str = Field("20 per minute", validation_alias="CHATDESK_UPLOAD_RATE")
    request_max_bytes: int = Field(
        64 * 1024, gt=0, validation_alias="CHATDESK_REQUEST_MAX_BYTES"
    )
    session_ttl_hours: int = Field(12, gt=0, validation_alias="CHATDESK_SESSION_TTL_HOURS")
    visitor_message_rate: str = Field("20 per 10 seconds", validation_alias="CHATDESK_VISITOR_MESSAGE_RATE")
    agent_message_rate: str = Field("60 per 10 seconds", validation_alias="CHATDESK_AGENT_MESSAGE_RATE")
    api_key_rate: str = Field("600 per minute", validation_alias="CHATDESK_API_KEY_RATE")  # requests per API key
    # What one client address, and all visitors of one widget together, may create (429 beyond).
    address_visitor_rate: str = Field("100 per hour", validation_alias="CHATDESK_ADDRESS_VISITOR_RATE")
    widget_visitor_rate: str = Field("10000 per hour", validation_alias="CHATDESK_WIDGET_VISITOR_RATE")
    address_chat_rate: str = Field("30 per hour", validation_alias="CHATDESK_ADDRESS_CHAT_RATE")
    widget_chat_rate: str = Field("3000 per hour", validation_alias="CHATDESK_WIDGET_CHAT_RATE")
    offline_message_rate: str = Field("10 per hour", validation_alias="CHATDESK_OFFLINE_MESSAGE_RATE")
    password_reset_rate: str = Field("10 per 15 minutes", validation_alias="CHATDESK_PASSWORD_RESET_RATE")
    transcript_email_rate: str = Field("5 per hour", validation_alias="CHATDESK_TRANSCRIPT_EMAIL_RATE")
    address_upload_byte_rate: str = Field("100000000 per hour", validation_alias="CHATDESK_ADDRESS_UPLOAD_BYTE_RATE")
    widget_upload_byte_rate: str = Field("2000000000 per hour", validation_alias="CHATDESK_WIDGET_UPLOAD_BYTE_RATE")
    address_queued_chats: int = Field(10, gt=0, validation_alias="CHATDESK_ADDRESS_QUEUED_CHATS")
    presence_grace_s: float = Field(60, gt=0, validation_alias="CHATDESK_PRESENCE_GRACE_S")
    idle_end_minutes: float = Field(30, gt=0, validation_alias="CHATDESK_IDLE_END_MINUTES")
    sse_heartbeat_s: float = Field(10, gt=0, le=15, validation_alias="CHATDESK_SSE_HEARTBEAT_S")
    sse_send_timeout_s: float = Field(10, gt=0, validation_alias="CHATDESK_SSE_SEND_TIMEOUT_S")
    sse_max_streams: int = Field(20, gt=0, validation_alias="CHATDESK_SSE_MAX_STREAMS")
    # A PostgreSQL text search configuration (psql's `\dF` lists them) for history search; the indexes are
    # for `simple` (migration 0007): another one needs its own (docs/api.md, History).
    search_language: str = Field("simple", pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$",
                                 validation_alias="CHATDESK_SEARCH_LANGUAGE")
    db_pool_size: int = Field(20, gt=0, validation_alias="CHATDESK_DB_POOL_SIZE")
    # What sits between chatdesk and PostgreSQL: `transaction` (a pooler in transaction mode, such as
    # Supabase's on port 6543), `session` (a direct connection or a session pooler), or `auto`: read
    # from DATABASE_URL (`transaction_pooled`). Given, it is written into DATABASE_URL as `?pgbouncer=`.
    db_pooler: Literal["auto", "transaction", "session"] = Field("auto", validation_alias="CHATDESK_DB_POOLER")
    # Room for 10,000 event streams (docs/performance.md) and 2,000 requests besides.
    max_connections: int = Field(12_000, gt=0, validation_alias="CHATDESK_MAX_CONNECTIONS")
    smtp_url: SecretStr | None = Field(None, validation_alias="CHATDESK_SMTP_URL")
    mail_from: str | None = Field(None, validation_alias="CHATDESK_MAIL_FROM")
    # A mail the SMTP server could not take now is tried again after this, doubling each time (with
    # jitter, at most an hour apart), and marked failed after `mail_max_attempts` tries.
    mail_retry_s: float = Field(30, gt=0, validation_alias="CHATDESK_MAIL_RETRY_S")
    mail_max_attempts: int = Field(12, gt=0, validation_alias="CHATDESK_MAIL_MAX_ATTEMPTS")
    # The customer's link to a ticket's page (in every mail about it) works this long after it was sent.
    ticket_link_days: int = Field(90, gt=0, validation_alias="CHATDESK_TICKET_LINK_DAYS")
    # Chats (their text and files) are erased this many days after they began; None: kept (desk/privacy/retention.py).
    retention_days: int | None = Field(None, gt=0, validation_alias="CHATDESK_RETENTION_DAYS")
    ticket_reply_rate: str = Field("10 per 10 minutes", validation_alias="CHATDESK_TICKET_REPLY_RATE")
    # The support mailbox customers' replies are read from, and how often it is looked at when the
    # server offers no IDLE (with IDLE, this is how long one IDLE lasts before it is renewed).
    imap_url: SecretStr | None = Field(None, validation_alias="CHATDESK_IMAP_URL")
    imap_poll_s: float = Field(30, gt=0, validation_alias="CHATDESK_IMAP_POLL_S")
    # Webhooks (chatdesk/desk/webhooks/): each POST waits this long; a delivery not acknowledged is sent again
    # after `webhooks_retry_s`, doubling with jitter up to `webhooks_retry_max_s`, for `webhooks_give_up_hours`;
    # an endpoint failing without a success for `webhooks_disable_after_days` is disabled.
    webhooks_allow_private: bool = Field(False, validation_alias="CHATDESK_WEBHOOKS_ALLOW_PRIVATE")
    webhooks_timeout_s: float = Field(10, gt=0, le=60, validation_alias="CHATDESK_WEBHOOKS_TIMEOUT_S")
    webhooks_retry_s: float = Field(10, gt=0, validation_alias="CHATDESK_WEBHOOKS_RETRY_S")
    webhooks_retry_max_s: float = Field(3600, gt=0, validation_alias="CHATDESK_WEBHOOKS_RETRY_MAX_S")
    webhooks_give_up_hours: float = Field(24, gt=0, validation_alias="CHATDESK_WEBHOOKS_GIVE_UP_HOURS")
    webhooks_disable_after_days: float = Field(3, gt=0, validation_alias="CHATDESK_WEBHOOKS_DISABLE_AFTER_DAYS")
    # The brief's Next.js names are aliases: the project's URL and its public (anon) key are the same things.
    supabase_url: str | None = Field(None, validation_alias=AliasChoices("SUPABASE_URL", "NEXT_PUBLIC_SUPABASE_URL"))
    supabase_anon_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("SUPABASE_ANON_KEY", "NEXT_PUBLIC_SUPABASE_ANON_KEY")
    )
    supabase_service_role_key: SecretStr | None = Field(
        None, validation_alias="SUPABASE_SERVICE_ROLE_KEY"
    )
    supabase_bucket: str = Field("chatdesk", validation_alias="SUPABASE_BUCKET")
    # Agents signing in with the Supabase project's accounts (desk/auth/supabase.py): HS256 tokens verify with
    # the project's JWT secret, RS256/ES256 ones with its JWKS (by default `<SUPABASE_URL>/auth/v1/.well-known/...`).
    supabase_jwt_secret: SecretStr | None = Field(None, validation_alias="SUPABASE_JWT_SECRET")
    supabase_jwks_url: str | None = Field(None, validation_alias="SUPABASE_JWKS_URL")
    supabase_name: str = Field("Supabase", min_length=1, max_length=60, validation_alias="CHATDESK_SUPABASE_NAME")
    supabase_auto_provision: bool = Field(False, validation_alias="CHATDESK_SUPABASE_AUTO_PROVISION")
    # Where in the token an auto-provisioned agent's role is (dotted path; agent, supervisor or admin; else agent).
    supabase_role_claim: str = Field("app_metadata.chatdesk_role", validation_alias="CHATDESK_SUPABASE_ROLE_CLAIM")
    # Upstash's REST API is no Redis connection (no Streams over TCP, no pub/sub): these are read only to say
    # which REDIS_URL to set instead (`redis_advice`).
    upstash_redis_rest_url: str | None = Field(None, validation_alias="UPSTASH_REDIS_REST_URL")
    upstash_redis_rest_token: SecretStr | None = Field(None, validation_alias="UPSTASH_REDIS_REST_TOKEN")

    @field_validator("upload_rate", "visitor_message_rate", "agent_message_rate", "api_key_rate",
                     "address_visitor_rate", "widget_visitor_rate", "address_chat_rate", "widget_chat_rate",
                     "offline_message_rate", "ticket_reply_rate", "password_reset_rate", "transcript_email_rate",
                     "address_upload_byte_rate", "widget_upload_byte_rate")
    @classmethod
    def _rate(cls, value: str) -> str:
        try:
            limits.parse(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate like '20 per minute'") from None
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            SmtpServer.parse(value.get_secret_value())
        return value

    @field_validator("imap_url")
    @classmethod
    def _imap(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            ImapServer.parse(value.get_secret_value())
        return value

    @field_validator("mail_from")
    @classmethod
    def _sender(cls, value: str | None) -> str | None:
        if value is not None and "@" not in parseaddr(value)[1]:
            raise ValueError(f"{value!r} is not an address like 'Support <support@example.com>'")
        return value

    @model_validator(mode="after")
    def _pooler_in_url(self) -> Settings:
        if self.db_pooler != "auto" and self.database_url is not None:
            url = _with_pooler_flag(self.database_url.get_secret_value(), self.db_pooler == "transaction")
            self.database_url = SecretStr(url)
        return self

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        """Comma-separated addresses or CIDRs (`10.0.0.0/8, 127.0.0.1`), each checked, written as networks."""
        items = [item.strip() for item in value.split(",") if item.strip()]
        return ",".join(str(ipaddress.ip_network(item, strict=False)) for item in items)

    @property
    def base_url(self) -> str:
        """The URL people reach this server at (used in printed links and the widget snippet)."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"

    @property
    def transaction_pooler(self) -> bool:
        """PostgreSQL is behind a pooler in transaction mode: no statement may be prepared for later use
        on a connection (`chatdesk/db/engine.py`), nothing may outlive a transaction."""
        return self.database_url is not None and transaction_pooled(self.database_url.get_secret_value())

    @property
    def supabase_sign_in(self) -> bool:
        """Agents may sign in with Supabase: the project's URL, and its JWT secret or its anon key (with which
        the sign-in page asks Supabase for a token, verified through the project's JWKS)."""
        keys = self.supabase_jwt_secret or self.supabase_anon_key or self.supabase_jwks_url
        return bool(self.supabase_url and keys)

    @property
    def smtp(self) -> SmtpServer | None:
        """The SMTP server mail goes to, or None: then mail waits in the queue."""
        return SmtpServer.parse(self.smtp_url.get_secret_value()) if self.smtp_url else None

    @property
    def imap(self) -> ImapServer | None:
        """The support mailbox incoming mail is read from, or None: replies come by the ticket page only."""
        return ImapServer.parse(self.imap_url.get_secret_value()) if self.imap_url else None

    @property
    def mail_domain(self) -> str:
        """The domain of our Message-IDs: the sender's, else the public URL's host."""
        address = parseaddr(self.mail_from or "")[1]
        return address.rpartition("@")[2] if "@" in address else (urlsplit(self.base_url).hostname or "localhost")

    def required(self, name: Literal["database_url", "redis_url"]) -> str:
        """A server URL that must be set by now (`chatdesk up` fills unset ones with embedded servers')."""
        value: SecretStr | None = getattr(self, name)
        if value is None:
            env_name = env_name_of(name)
            raise RuntimeError(f"{env_name} is not set (chatdesk up starts embedded servers for you)")
        return value.get_secret_value()

    def secret(self) -> str:
        """The signing key: `CHATDESK_SECRET_KEY`, else one generated once and kept in the data dir."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.data_dir / SECRET_KEY_FILE
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return path.read_text().strip()

    def shown(self) -> dict[str, object]:
        """The settings for display, keyed by env name, with secrets hidden."""
        shown: dict[str, object] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = _hide(name, value.get_secret_value())
            shown[env_name_of(name)] = str(value) if isinstance(value, Path) else value
        return shown

    def redis_advice(self) -> str | None:
        """What to set instead when only Upstash's REST settings are given (no REDIS_URL), else None.

        chatdesk needs Redis Streams and pub/sub over TCP; Upstash serves them at `rediss://` on the REST
        URL's host, port 6379, user `default`, with the REST token as the password.
        """
        if self.redis_url is not None or not (self.upstash_redis_rest_url or self.upstash_redis_rest_token):
            return None
        host = urlsplit(self.upstash_redis_rest_url or "").hostname or "<your-database>.upstash.io"
        return ("UPSTASH_REDIS_REST_URL/UPSTASH_REDIS_REST_TOKEN are Upstash's REST API, but chatdesk needs Redis "
                "Streams and pub/sub over TCP. Set REDIS_URL to the same database's TLS address instead: "
                f"REDIS_URL=rediss://default:<UPSTASH_REDIS_REST_TOKEN>@{host}:6379 (in a shell: "
                f'export REDIS_URL="rediss://default:$UPSTASH_REDIS_REST_TOKEN@{host}:6379"). '
                "Unset both UPSTASH_ variables to use the embedded Redis.")


def env_name_of(field: str) -> str:
    """The environment name of a setting (its first one, when it has aliases)."""
    alias = Settings.model_fields[field].validation_alias
    return str(alias.choices[0]) if isinstance(alias, AliasChoices) else str(alias)


def _hide(name: str, value: str) -> str:
    """Keep a URL's scheme, host and path readable; drop its password. Hide any other secret."""
    if name.endswith("_url") and "://" in value:
        from sqlalchemy.engine import make_url

        try:
            return make_url(value).render_as_string(hide_password=True)
        except Exception:  # noqa: BLE001 - an unparsable URL is hidden whole
            return "********"
    return "********"
