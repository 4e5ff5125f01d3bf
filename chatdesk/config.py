"""Settings: one object, read once from the environment and an optional `.env`."""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Literal

import limits
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_KEY_FILE = "secret_key"


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
    # What one client address, and all visitors of one widget together, may create (429 beyond).
    address_visitor_rate: str = Field("100 per hour", validation_alias="CHATDESK_ADDRESS_VISITOR_RATE")
    widget_visitor_rate: str = Field("10000 per hour", validation_alias="CHATDESK_WIDGET_VISITOR_RATE")
    address_chat_rate: str = Field("30 per hour", validation_alias="CHATDESK_ADDRESS_CHAT_RATE")
    widget_chat_rate: str = Field("3000 per hour", validation_alias="CHATDESK_WIDGET_CHAT_RATE")
    address_upload_byte_rate: str = Field("100000000 per hour", validation_alias="CHATDESK_ADDRESS_UPLOAD_BYTE_RATE")
    widget_upload_byte_rate: str = Field("2000000000 per hour", validation_alias="CHATDESK_WIDGET_UPLOAD_BYTE_RATE")
    address_queued_chats: int = Field(10, gt=0, validation_alias="CHATDESK_ADDRESS_QUEUED_CHATS")
    presence_grace_s: float = Field(60, gt=0, validation_alias="CHATDESK_PRESENCE_GRACE_S")
    idle_end_minutes: float = Field(30, gt=0, validation_alias="CHATDESK_IDLE_END_MINUTES")
    sse_heartbeat_s: float = Field(10, gt=0, le=15, validation_alias="CHATDESK_SSE_HEARTBEAT_S")
    sse_send_timeout_s: float = Field(10, gt=0, validation_alias="CHATDESK_SSE_SEND_TIMEOUT_S")
    sse_max_streams: int = Field(20, gt=0, validation_alias="CHATDESK_SSE_MAX_STREAMS")
    db_pool_size: int = Field(20, gt=0, validation_alias="CHATDESK_DB_POOL_SIZE")
    # Room for 10,000 event streams (docs/performance.md) and 2,000 requests besides.
    max_connections: int = Field(12_000, gt=0, validation_alias="CHATDESK_MAX_CONNECTIONS")
    supabase_url: str | None = Field(None, validation_alias="SUPABASE_URL")
    supabase_service_role_key: SecretStr | None = Field(
        None, validation_alias="SUPABASE_SERVICE_ROLE_KEY"
    )
    supabase_bucket: str = Field("chatdesk", validation_alias="SUPABASE_BUCKET")

    @field_validator("upload_rate", "visitor_message_rate", "agent_message_rate", "address_visitor_rate",
                     "widget_visitor_rate", "address_chat_rate", "widget_chat_rate", "address_upload_byte_rate",
                     "widget_upload_byte_rate")
    @classmethod
    def _rate(cls, value: str) -> str:
        try:
            limits.parse(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate like '20 per minute'") from None
        return value

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

    def required(self, name: Literal["database_url", "redis_url"]) -> str:
        """A server URL that must be set by now (`chatdesk up` fills unset ones with embedded servers')."""
        value: SecretStr | None = getattr(self, name)
        if value is None:
            env_name = type(self).model_fields[name].validation_alias
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
        for name, field in type(self).model_fields.items():
            env_name = str(field.validation_alias)
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = _hide(name, value.get_secret_value())
            shown[env_name] = str(value) if isinstance(value, Path) else value
        return shown


def _hide(name: str, value: str) -> str:
    """Keep a URL's scheme, host and path readable; drop its password. Hide any other secret."""
    if name.endswith("_url") and "://" in value:
        from sqlalchemy.engine import make_url

        try:
            return make_url(value).render_as_string(hide_password=True)
        except Exception:  # noqa: BLE001 - an unparsable URL is hidden whole
            return "********"
    return "********"
