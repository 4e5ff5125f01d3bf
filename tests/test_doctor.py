"""`chatdesk doctor`: healthy, Redis down, PostgreSQL down, migrations behind."""

from __future__ import annotations

import json

import pytest

from chatdesk.bench.server import free_port
from chatdesk.bench.smtp_sink import SmtpSink
from chatdesk.db import migrate
from tests.conftest import in_thread, invoke_cli


def _doctor(monkeypatch, tmp_path, database_url: str, redis_url: str, **env: str) -> tuple[int, dict]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("CHATDESK_DATA_DIR", str(tmp_path))
    result = invoke_cli(["doctor", "--json"])
    report = json.loads(result.stdout)
    return result.exit_code, {check["name"]: check for check in report["checks"]}


def test_a_healthy_installation_passes_every_check(monkeypatch, tmp_path, database_url, redis_url, sink, mailbox):
    code, checks = _doctor(monkeypatch, tmp_path, database_url, redis_url, CHATDESK_SMTP_URL=sink.url,
                           CHATDESK_MAIL_FROM="Support <support@example.com>", CHATDESK_IMAP_URL=mailbox.url)
    assert code == 0, checks
    assert all(check["ok"] and not check["warning"] and check["latency_ms"] is not None for check in checks.values())
    assert set(checks) == {"configuration", "PostgreSQL", "Redis", "migrations", "search", "storage", "clock",
                           "live round trip", "SMTP", "IMAP"}
    assert checks["SMTP"]["detail"].startswith(f"127.0.0.1:{sink.port} (TLS: off)")
    assert checks["IMAP"]["detail"] == f"support@127.0.0.1:{mailbox.port}/INBOX (TLS: off), signed in; 0 unread; IDLE"


def test_imap_not_set_up_is_a_warning_and_a_wrong_password_fails(monkeypatch, tmp_path, database_url, redis_url,
                                                                 mailbox):
    code, checks = _doctor(monkeypatch, tmp_path, database_url, redis_url)
    assert code == 0 and checks["IMAP"]["ok"] and checks["IMAP"]["warning"]
    assert "CHATDESK_IMAP_URL" in checks["IMAP"]["detail"]
    code, checks = _doctor(monkeypatch, tmp_path, database_url, redis_url,
                           CHATDESK_IMAP_URL=mailbox.url.replace("imap-secret", "wrong"))
    assert code == 1 and [name for name, check in checks.items() if not check["ok"]] == ["IMAP"]
    assert "LOGIN refused" in checks["IMAP"]["detail"], checks["IMAP"]


def test_smtp_not_set_up_is_a_warning_not_a_failure(monkeypatch, tmp_path, database_url, redis_url):
    code, checks = _doctor(monkeypatch, tmp_path, database_url, redis_url)
    assert code == 0 and checks["SMTP"]["ok"] and checks["SMTP"]["warning"]
    assert "not set up" in checks["SMTP"]["detail"] and "CHATDESK_SMTP_URL" in checks["SMTP"]["detail"]


def test_smtp_signs_in_and_a_wrong_password_fails_in_plain_words(monkeypatch, tmp_path, database_url, redis_url):
    server = SmtpSink(credentials=("relay", "s3cret")).start()
    try:
        code, checks = _doctor(monkeypatch, tmp_path, database_url, redis_url, CHATDESK_SMTP_URL=server.url,
                               CHATDESK_MAIL_FROM="support@example.com")
        assert code == 0 and "relay@127.0.0.1" in checks["SMTP"]["detail"] and "signed in" in checks["SMTP"]["detail"]
        code, checks = _doctor(monkeypatch, tmp_path, database_url, redis_url,
                               CHATDESK_SMTP_URL=server.url.replace("s3cret", "wrong"))
        assert code == 1 and not checks["SMTP"]["ok"]
        assert "refused the user name or password: 535" in checks["SMTP"]["detail"]
    finally:
        server.stop()


def test_smtp_down_fails_and_says_where(monkeypatch, tmp_path, database_url, redis_url):
    port = free_port()
    code, checks = _doctor(monkeypatch, tmp_path, database_url, redis_url,
                           CHATDESK_SMTP_URL=f"smtp://127.0.0.1:{port}?tls=off", CHATDESK_MAIL_FROM="a@example.com")
    assert code == 1 and [name for name, check in checks.items() if not check["ok"]] == ["SMTP"]
    assert f"could not connect to 127.0.0.1:{port}" in checks["SMTP"]["detail"]


def test_redis_down_fails_and_names_redis(monkeypatch, tmp_path, database_url):
    code, checks = _doctor(monkeypatch, tmp_path, database_url, f"redis://127.0.0.1:{free_port()}/0")
    assert code == 1
    assert not checks["Redis"]["ok"] and not checks["live round trip"]["ok"] and checks["PostgreSQL"]["ok"]


def test_postgres_down_fails_and_names_postgres(monkeypatch, tmp_path, redis_url):
    down = f"postgresql://postgres@127.0.0.1:{free_port()}/chatdesk"
    code, checks = _doctor(monkeypatch, tmp_path, down, redis_url)
    assert code == 1
    assert not checks["PostgreSQL"]["ok"] and not checks["migrations"]["ok"] and checks["Redis"]["ok"]


@pytest.mark.timeout(120)
def test_migrations_behind_fail_and_say_what_to_run(monkeypatch, tmp_path, new_database, redis_url):
    behind = new_database()
    in_thread(migrate.upgrade, behind, "0002")
    code, checks = _doctor(monkeypatch, tmp_path, behind, redis_url)
    assert code == 1 and not checks["migrations"]["ok"]
    assert "chatdesk migrate" in checks["migrations"]["detail"]
    assert [name for name, check in checks.items() if not check["ok"]] == ["migrations"]


def test_an_unknown_search_language_fails_and_an_unindexed_one_is_named(monkeypatch, tmp_path, database_url,
                                                                         redis_url):
    monkeypatch.setenv("CHATDESK_SEARCH_LANGUAGE", "klingon")
    code, checks = _doctor(monkeypatch, tmp_path, database_url, redis_url)
    assert code == 1 and not checks["search"]["ok"] and "'klingon' is not a text search configuration" in \
        checks["search"]["detail"]
    monkeypatch.setenv("CHATDESK_SEARCH_LANGUAGE", "english")
    code, checks = _doctor(monkeypatch, tmp_path, database_url, redis_url)
    assert code == 0 and checks["search"]["detail"].startswith("english, but no index of messages")
    monkeypatch.delenv("CHATDESK_SEARCH_LANGUAGE")
    assert _doctor(monkeypatch, tmp_path, database_url, redis_url)[1]["search"]["detail"] == "simple, indexed"
