"""The CLI through Typer's CliRunner, against this session's database."""

from __future__ import annotations

import json

import pytest

from chatdesk.bench.client import Client
from chatdesk.bench.server import ServerProcess
from chatdesk.config import Settings
from tests.conftest import PASSWORD, invoke_cli
from tests.realtime_helpers import connected_agent


@pytest.fixture(autouse=True)
def _env(monkeypatch, settings):
    monkeypatch.setenv("DATABASE_URL", settings.database_url.get_secret_value())
    monkeypatch.setenv("REDIS_URL", settings.redis_url.get_secret_value())
    monkeypatch.setenv("CHATDESK_DATA_DIR", str(settings.data_dir))


def invoke(*args: str, input: str | None = None):
    return invoke_cli(list(args), input=input)


def test_user_create_list_and_reset_password(client):
    created = invoke("user", "create", "cli.user@example.com", "--name", "Cli User", "--role", "admin",
                     "--display-name", "Team Cli", "--password", "a long password", "--json")
    assert created.exit_code == 0, created.output
    assert json.loads(created.output)["role"] == "admin"
    assert json.loads(created.output)["public_name"] == "Team Cli"
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
    assert again.json()["agent"]["must_change_password"] is True, "the printed password is one-time"


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


@pytest.mark.server
async def test_the_readme_production_path_takes_chats(monkeypatch, new_database, redis_url, tmp_path):
    """migrate, user create, widget create, serve on a fresh database: a visitor's chat reaches the agent."""
    fresh = Settings(DATABASE_URL=new_database(), REDIS_URL=redis_url, CHATDESK_DATA_DIR=str(tmp_path / "prod"),
                     CHATDESK_SECRET_KEY="prod-secret-" + "x" * 32)
    monkeypatch.setenv("DATABASE_URL", fresh.database_url.get_secret_value())
    assert invoke("migrate").exit_code == 0
    created = invoke("user", "create", "first.agent@example.com", "--name", "First", "--password", PASSWORD)
    assert created.exit_code == 0, created.output
    widget_id = json.loads(invoke("widget", "create", "Shop", "--json").output)["id"]
    server = ServerProcess(fresh, tmp_path / "serve.log").start()
    try:
        agent, agent_log = await connected_agent(server.base_url, {"email": "first.agent@example.com"})
        async with agent, Client(server.base_url) as visitor:
            await visitor.register_visitor(widget_id, name="Customer")
            chat = await visitor.start_chat()
            await agent_log.wait_for(lambda e: e.type == "chat.offered" and e.data["chat"]["id"] == chat["id"])
            assert (await agent.accept(chat["id"]))["status"] == "active"
            await agent_log.close()
    finally:
        server.stop()


def _department_ids_of(client, email: str) -> list[str]:
    token = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).json()["token"]
    return client.get("/api/v1/agents/me", headers={"Authorization": f"Bearer {token}"}).json()["department_ids"]


def test_department_list_create_add_and_remove_agent(client):
    listed = json.loads(invoke("department", "list", "--json").output)
    assert listed[0]["name"] == "Support" and listed[0]["is_default"] is True
    created = invoke("department", "create", "Billing", "--mode", "broadcast", "--accept-timeout", "45", "--json")
    assert created.exit_code == 0, created.output
    billing = json.loads(created.output)
    assert (billing["routing_mode"], billing["accept_timeout_s"], billing["is_default"]) == ("broadcast", 45, False)
    assert "Billing" in invoke("department", "list").output
    invoke("user", "create", "member@example.com", "--name", "Member", "--password", PASSWORD)
    added = invoke("department", "add-agent", "Billing", "member@example.com")
    assert added.exit_code == 0, added.output
    assert invoke("department", "add-agent", listed[0]["id"], "MEMBER@example.com").exit_code == 0  # by id
    assert sorted(_department_ids_of(client, "member@example.com")) == sorted([billing["id"], listed[0]["id"]])
    assert invoke("department", "remove-agent", "Billing", "member@example.com").exit_code == 0
    assert _department_ids_of(client, "member@example.com") == [listed[0]["id"]]
    again = invoke("department", "remove-agent", "Billing", "member@example.com")
    assert again.exit_code == 1 and "not a member of Billing" in again.output


@pytest.mark.parametrize(("args", "says"), [
    (("department", "add-agent", "Nowhere", "agent@example.com"), "No such department 'Nowhere'"),
    (("department", "add-agent", "Support", "ghost@example.com"), "No such account with email ghost@example.com"),
    (("department", "remove-agent", "Nowhere", "agent@example.com"), "No such department 'Nowhere'"),
    (("department", "create", "Support"), "exists already"),
])
def test_department_commands_fail_cleanly(args, says):
    result = invoke(*args)
    assert result.exit_code == 1 and says in result.output, result.output


@pytest.mark.parametrize("option", [("--mode", "sometimes"), ("--accept-timeout", "2")])
def test_department_create_refuses_a_bad_mode_or_timeout(option):
    result = invoke("department", "create", "Odd", *option)
    assert result.exit_code == 2 and "Invalid value" in result.output
