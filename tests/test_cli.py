"""The CLI through Typer's CliRunner, against this session's database."""

from __future__ import annotations

import json

import pytest
from tests.conftest import invoke_cli


@pytest.fixture(autouse=True)
def _env(monkeypatch, settings):
    monkeypatch.setenv("DATABASE_URL", settings.database_url.get_secret_value())
    monkeypatch.setenv("REDIS_URL", settings.redis_url.get_secret_value())
    monkeypatch.setenv("CHATDESK_DATA_DIR", str(settings.data_dir))


def invoke(*args: str, input: str | None = None):
    return invoke_cli(list(args), input=input)


def test_user_create_list_and_reset_password(client):
    created = invoke("user", "create", "cli.user@example.com", "--name", "Cli User", "--role", "admin",
                     "--password", "a long password", "--json")
    assert created.exit_code == 0, created.output
    assert json.loads(created.output)["role"] == "admin"
    listed = json.loads(invoke("user", "list", "--json").output)
    assert "cli.user@example.com" in [row["email"] for row in listed]
    ok = client.post("/api/v1/auth/login", json={"email": "cli.user@example.com", "password": "a long password"})
    assert ok.status_code == 200
    reset = invoke("user", "reset-password", "cli.user@example.com", "--json")
    assert reset.exit_code == 0
    new_password = json.loads(reset.output)["password"]
    assert client.get("/api/v1/agents/me", headers={"Authorization": f"Bearer {ok.json()['token']}"}).status_code == 401
    again = client.post("/api/v1/auth/login", json={"email": "cli.user@example.com", "password": new_password})
    assert again.status_code == 200


def test_user_create_prompts_for_the_password():
    result = invoke("user", "create", "prompted@example.com", "--name", "P", input="a long password\na long password\n")
    assert result.exit_code == 0, result.output
    assert "Created agent" in result.output


def test_user_create_refuses_a_short_password_and_a_duplicate():
    short = invoke("user", "create", "short@example.com", "--name", "S", "--password", "short")
    assert short.exit_code != 0 and "at least" in short.output
    invoke("user", "create", "dup@example.com", "--name", "D", "--password", "a long password")
    duplicate = invoke("user", "create", "DUP@example.com", "--name", "D", "--password", "a long password")
    assert duplicate.exit_code == 1 and "exists already" in duplicate.output


def test_reset_password_of_unknown_account_fails_cleanly():
    result = invoke("user", "reset-password", "ghost@example.com")
    assert result.exit_code == 1 and "No such account" in result.output


def test_widget_create_list_and_snippet():
    created = json.loads(invoke("widget", "create", "Docs site", "--json").output)
    assert created["snippet"].endswith(f'data-widget-id="{created["id"]}" async></script>')
    assert created["id"] in [row["id"] for row in json.loads(invoke("widget", "list", "--json").output)]
    snippet = invoke("widget", "snippet", created["id"])
    assert snippet.exit_code == 0 and snippet.output.strip() == created["snippet"]


def test_config_show_hides_secrets(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:hunter2@db.example.com:5432/chatdesk")
    monkeypatch.setenv("CHATDESK_SECRET_KEY", "very-secret-value")
    result = invoke("config", "show", "--json")
    shown = json.loads(result.output)
    assert "hunter2" not in result.output and "very-secret-value" not in result.output
    assert shown["DATABASE_URL"] == "postgresql://app:***@db.example.com:5432/chatdesk"
    assert shown["CHATDESK_SECRET_KEY"] == "********"
    assert shown["CHATDESK_PORT"] == 8000


def test_migrate_status_reports_head():
    result = invoke("migrate", "status", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["at_head"] is True
