"""`chatdesk doctor`: healthy, Redis down, PostgreSQL down, migrations behind."""

from __future__ import annotations

import json

import pytest

from chatdesk.bench.server import free_port
from chatdesk.db import migrate
from tests.conftest import in_thread, invoke_cli


def _doctor(monkeypatch, tmp_path, database_url: str, redis_url: str) -> tuple[int, dict]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("CHATDESK_DATA_DIR", str(tmp_path))
    result = invoke_cli(["doctor", "--json"])
    report = json.loads(result.stdout)
    return result.exit_code, {check["name"]: check for check in report["checks"]}


def test_a_healthy_installation_passes_every_check(monkeypatch, tmp_path, database_url, redis_url):
    code, checks = _doctor(monkeypatch, tmp_path, database_url, redis_url)
    assert code == 0, checks
    assert all(check["ok"] and check["latency_ms"] is not None for check in checks.values())
    assert set(checks) == {"configuration", "PostgreSQL", "Redis", "migrations", "storage", "clock", "live round trip"}


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
