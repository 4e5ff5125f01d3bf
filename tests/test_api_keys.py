"""API keys: made by admins with scopes, shown once and kept as a hash, acting as a bot agent, limited to the
routes their scopes open, rate-limited per key, revoked at once, with the time of their last use."""

from __future__ import annotations

import hashlib

import pytest
from starlette.testclient import TestClient

from chatdesk.web.app import create_app
from tests.conftest import PASSWORD, bearer
from tests.workspace_helpers import sql


def _key(client, admin, *scopes: str, name: str = "Helpdesk sync") -> dict:
    created = client.post("/api/v1/api-keys", headers=admin, json={"name": name, "bot_name": "Order bot",
                                                                  "scopes": list(scopes)})
    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "no-store"
    return created.json()


def test_a_key_reads_what_its_scopes_open_and_nothing_else(client, make_agent, login, database_url):
    admin = bearer(login(make_agent(role="admin"))["token"])
    created = _key(client, admin, "chats:read", "tickets:read")
    token, key = created["token"], created["api_key"]
    assert token.startswith("cdk_") and key["hint"] == token[:10] and key["bot_name"] == "Order bot"
    assert key["scopes"] == ["chats:read", "tickets:read"] and key["last_used_at"] is None
    stored = sql(database_url, "SELECT token_hash FROM chatdesk.api_keys WHERE id = $1::uuid", key["id"])
    assert [row["token_hash"] for row in stored] == [hashlib.sha256(token.encode()).digest()]  # only the hash
    assert "token" not in client.get("/api/v1/api-keys", headers=admin).json()["api_keys"][0]

    assert client.get("/api/v1/chats", headers=bearer(token)).status_code == 200
    assert client.get("/api/v1/tickets", headers=bearer(token)).status_code == 200
    refused = client.patch("/api/v1/agents/me", headers=bearer(token), json={"name": "x"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "scope_missing"
    assert client.get("/api/v1/agents", headers=bearer(token)).status_code == 403  # an admin route: never
    listed = client.get("/api/v1/api-keys", headers=admin).json()["api_keys"]
    assert listed[0]["last_used_at"] is not None

    revoked = client.delete(f"/api/v1/api-keys/{key['id']}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert client.get("/api/v1/chats", headers=bearer(token)).status_code == 401
    assert client.delete(f"/api/v1/api-keys/{key['id']}", headers=admin).status_code == 200  # again: no error


def test_bad_scopes_are_refused_in_plain_words(client, make_agent, login):
    admin = bearer(login(make_agent(role="admin"))["token"])
    answer = client.post("/api/v1/api-keys", headers=admin, json={"name": "x", "bot_name": "Bot",
                                                                 "scopes": ["everything"]})
    assert answer.status_code == 422 and "scopes" in str(answer.json()["error"]["fields"])
    none = client.post("/api/v1/api-keys", headers=admin, json={"name": "x", "bot_name": "Bot", "scopes": []})
    assert none.status_code == 422


@pytest.fixture
def slow_client(settings, redis_url):
    with TestClient(create_app(settings.model_copy(update={"api_key_rate": "3 per minute"})),
                    raise_server_exceptions=False) as client:
        yield client


def test_each_key_has_its_own_rate_limit(slow_client, make_agent):
    account = make_agent(role="admin")
    login = slow_client.post("/api/v1/auth/login", json={"email": account["email"], "password": PASSWORD})
    admin = bearer(login.json()["token"])
    first, second = (_key(slow_client, admin, "chats:read", name=name)["token"] for name in ("One", "Two"))
    statuses = [slow_client.get("/api/v1/chats", headers=bearer(first)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert slow_client.get("/api/v1/chats", headers=bearer(second)).status_code == 200
