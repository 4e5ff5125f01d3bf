"""The brief's environment names: Supabase's Next.js aliases, and Upstash's REST settings refused with what to set."""

from __future__ import annotations

import json

from chatdesk.config import Settings
from tests.conftest import invoke_cli

UPSTASH = {"UPSTASH_REDIS_REST_URL": "https://eu1-brave-owl-31337.upstash.io",
           "UPSTASH_REDIS_REST_TOKEN": "AX1sAAIjcDE-token"}
WANTED = "REDIS_URL=rediss://default:<UPSTASH_REDIS_REST_TOKEN>@eu1-brave-owl-31337.upstash.io:6379"


def test_next_public_supabase_names_are_aliases(monkeypatch):
    monkeypatch.delenv("SUPABASE_URL", raising=False)
    monkeypatch.setenv("NEXT_PUBLIC_SUPABASE_URL", "https://abc.supabase.co")
    monkeypatch.setenv("NEXT_PUBLIC_SUPABASE_ANON_KEY", "anon-key")
    settings = Settings(_env_file=None)
    assert settings.supabase_url == "https://abc.supabase.co"
    assert settings.supabase_anon_key is not None and settings.supabase_anon_key.get_secret_value() == "anon-key"
    assert settings.shown()["SUPABASE_URL"] == "https://abc.supabase.co"
    assert settings.shown()["SUPABASE_ANON_KEY"] == "********"
    monkeypatch.setenv("SUPABASE_URL", "https://ours.supabase.co")
    assert Settings(_env_file=None).supabase_url == "https://ours.supabase.co"


def test_upstash_rest_without_redis_url_gets_the_url_to_set(monkeypatch):
    for name, value in UPSTASH.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REDIS_URL", raising=False)
    advice = Settings(_env_file=None).redis_advice()
    assert advice is not None and WANTED in advice and "Streams and pub/sub" in advice
    assert "AX1sAAIjcDE-token" not in advice
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert Settings(_env_file=None).redis_advice() is None


def test_doctor_and_serve_say_what_to_set_and_start_no_embedded_redis(monkeypatch, tmp_path):
    for name, value in UPSTASH.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("CHATDESK_DATA_DIR", str(tmp_path))
    result = invoke_cli(["doctor", "--json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 1 and not report["ok"]
    assert [check["name"] for check in report["checks"]] == ["Redis"] and WANTED in report["checks"][0]["detail"]
    for command in ("serve", "up"):
        result = invoke_cli([command, "--port", "0"])
        assert result.exit_code == 1, result.output
        assert WANTED in " ".join(result.stderr.split())
    assert not (tmp_path / "redis").exists() and not (tmp_path / "pg").exists()
