"""`chatdesk mail test ADDRESS` and `chatdesk mail status`, against a real SMTP server."""

from __future__ import annotations

import json

from tests.conftest import invoke_cli
from tests.mail_helpers import MAIL_FROM


def _env(monkeypatch, settings, smtp_url: str | None) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url.get_secret_value())
    monkeypatch.setenv("REDIS_URL", settings.redis_url.get_secret_value())
    monkeypatch.setenv("CHATDESK_DATA_DIR", str(settings.data_dir))
    if smtp_url:
        monkeypatch.setenv("CHATDESK_SMTP_URL", smtp_url)
        monkeypatch.setenv("CHATDESK_MAIL_FROM", MAIL_FROM)


def test_mail_test_sends_the_test_message_now(monkeypatch, settings, sink):
    _env(monkeypatch, settings, sink.url)
    result = invoke_cli(["mail", "test", "admin@example.com"])
    assert result.exit_code == 0, result.output
    [message] = sink.messages()
    assert message["To"] == "admin@example.com" and message["Subject"] == "Test message from chatdesk"
    assert f"Message-ID: {message['Message-ID']}" in " ".join(result.stdout.split())
    assert message.get_body(("plain",)).get_content().startswith("Email works")


def test_mail_test_reports_a_refusal_in_plain_words(monkeypatch, settings, sink):
    _env(monkeypatch, settings, sink.url)
    sink.refuse["nobody@example.com"] = "550 5.1.1 No such user here"
    result = invoke_cli(["mail", "test", "nobody@example.com"])
    assert result.exit_code == 1 and sink.messages() == []
    assert "Not sent: the server refused the recipient nobody@example.com: 550 5.1.1 No such user here" in " ".join(
        result.output.split())


def test_mail_test_without_smtp_says_email_is_not_set_up(monkeypatch, settings):
    _env(monkeypatch, settings, None)
    monkeypatch.delenv("CHATDESK_SMTP_URL", raising=False)
    result = invoke_cli(["mail", "test", "admin@example.com"])
    assert result.exit_code == 1 and "Email is not set up" in result.output


def test_mail_status_counts_the_queue(monkeypatch, settings):
    _env(monkeypatch, settings, None)
    result = invoke_cli(["mail", "status", "--json"])
    assert result.exit_code == 0, result.output
    state = json.loads(result.stdout)
    assert state["configured"] is False and {"queued", "failed", "last_error"} <= set(state)


def test_mail_status_names_the_mailbox_replies_are_read_from_never_its_password(monkeypatch, settings):
    _env(monkeypatch, settings, None)
    assert "replies by mail: not read (CHATDESK_IMAP_URL)" in invoke_cli(["mail", "status"]).stdout
    monkeypatch.setenv("CHATDESK_IMAP_URL", "imaps://help%40shop.example:hunter2@imap.shop.example/Support")
    result = invoke_cli(["mail", "status"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())  # the console wraps long lines
    assert "replies by mail: read from help@shop.example@imap.shop.example:993/Support (TLS: implicit)" in said
    assert "hunter2" not in said
