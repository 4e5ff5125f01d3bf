"""Agents, departments and widgets through the API; public widget settings and visitors."""

from __future__ import annotations

import secrets

import pytest

from tests.conftest import PASSWORD, bearer


def admin_headers(client) -> dict[str, str]:
    """Create and sign in a fresh admin through the database helper and the API."""
    from chatdesk.db.engine import create_engine
    from chatdesk.desk.agents import create_agent
    from tests.conftest import run

    email = f"admin-{secrets.token_hex(4)}@example.com"
    url = client.app.state.runtime.settings.database_url.get_secret_value()

    async def create() -> None:
        engine = create_engine(url, pool_size=1)
        async with engine.begin() as conn:
            await create_agent(conn, email=email, name="Admin", role="admin", password=PASSWORD)
        await engine.dispose()

    run(create())
    token = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).json()["token"]
    return bearer(token)


def test_me_has_preferences(client, make_agent, login):
    token = login(make_agent(max_chats=4))["token"]
    me = client.get("/api/v1/agents/me", headers=bearer(token)).json()
    assert me["preferences"] == {"max_chats": 4, "sound": True, "desktop_notifications": False, "idle_minutes": 10,
                                 "email_notifications": False}


def test_preferences_patch_keeps_other_keys(client, make_agent, login):
    token = login(make_agent())["token"]
    response = client.patch("/api/v1/agents/me/preferences", json={"sound": False, "max_chats": 7},
                            headers=bearer(token))
    assert response.status_code == 200
    assert response.json()["preferences"] | {} == {"max_chats": 7, "sound": False, "desktop_notifications": False,
                                                   "idle_minutes": 10, "email_notifications": False}


@pytest.mark.parametrize("minutes", [0, 240])
def test_idle_minutes_0_turns_auto_away_off_and_240_is_the_most(client, make_agent, login, minutes):
    headers = bearer(login(make_agent())["token"])
    changed = client.patch("/api/v1/agents/me/preferences", json={"idle_minutes": minutes}, headers=headers)
    assert changed.status_code == 200
    assert client.get("/api/v1/agents/me", headers=headers).json()["preferences"]["idle_minutes"] == minutes


@pytest.mark.parametrize("value", [-1, 241, "ten", 2.5])
def test_idle_minutes_outside_0_to_240_is_422(client, make_agent, login, value):
    response = client.patch("/api/v1/agents/me/preferences", json={"idle_minutes": value},
                            headers=bearer(login(make_agent())["token"]))
    assert response.status_code == 422 and "idle_minutes" in response.json()["error"]["fields"]


def test_status_rejects_unknown_value_with_field_message(client, make_agent, login):
    token = login(make_agent())["token"]
    response = client.put("/api/v1/agents/me/status", json={"status": "busy"}, headers=bearer(token))
    assert response.status_code == 422
    assert "status" in response.json()["error"]["fields"]


def test_admin_creates_lists_and_deactivates_agents(client):
    headers = admin_headers(client)
    created = client.post("/api/v1/agents", headers=headers, json={
        "email": "new.agent@example.com", "name": "New Agent", "password": "long enough pw"})
    assert created.status_code == 201 and created.json()["role"] == "agent"
    emails = [a["email"] for a in client.get("/api/v1/agents", headers=headers).json()["agents"]]
    assert "new.agent@example.com" in emails
    duplicate = client.post("/api/v1/agents", headers=headers, json={
        "email": "NEW.agent@example.com", "name": "Again", "password": "long enough pw"})
    assert duplicate.status_code == 409
    agent_id = created.json()["id"]
    assert client.delete(f"/api/v1/agents/{agent_id}", headers=headers).status_code == 204
    login = client.post("/api/v1/auth/login", json={"email": "new.agent@example.com", "password": "long enough pw"})
    assert login.status_code == 401


def test_admin_cannot_demote_themselves(client):
    headers = admin_headers(client)
    me = client.get("/api/v1/agents/me", headers=headers).json()
    response = client.patch(f"/api/v1/agents/{me['id']}", json={"role": "agent"}, headers=headers)
    assert response.status_code == 409


def test_unknown_agent_id_is_404(client):
    headers = admin_headers(client)
    assert client.patch("/api/v1/agents/00000000-0000-0000-0000-000000000000", json={"name": "x"},
                        headers=headers).status_code == 404
    assert client.patch("/api/v1/agents/not-a-uuid", json={"name": "x"}, headers=headers).status_code == 404


def test_departments_crud(client, make_agent, login):
    headers = admin_headers(client)
    name = f"Sales {secrets.token_hex(3)}"
    created = client.post("/api/v1/departments", json={"name": name, "routing_mode": "broadcast"}, headers=headers)
    assert created.status_code == 201
    changed = client.patch(f"/api/v1/departments/{created.json()['id']}", json={"accept_timeout_s": 45},
                           headers=headers)
    assert changed.json()["accept_timeout_s"] == 45 and changed.json()["routing_mode"] == "broadcast"
    assert client.post("/api/v1/departments", json={"name": name}, headers=headers).status_code == 409
    agent_token = login(make_agent())["token"]
    names = [d["name"] for d in client.get("/api/v1/departments", headers=bearer(agent_token)).json()["departments"]]
    assert name in names
    assert client.post("/api/v1/departments", json={"name": "x"}, headers=bearer(agent_token)).status_code == 403


def test_widget_settings_and_visitor_registration(client):
    headers = admin_headers(client)
    widget = client.post("/api/v1/widgets", headers=headers, json={
        "name": "Shop", "settings": {"title": "Need help?", "color": "#ff0066"}}).json()
    assert widget["snippet"] == (f'<script src="http://127.0.0.1:8000/widget.js" data-widget-id="{widget["id"]}" '
                                 'async></script>')
    public = client.get(f"/api/v1/widgets/{widget['id']}/settings")
    assert public.status_code == 200
    body = public.json()
    assert body["title"] == "Need help?" and body["color"] == "#ff0066" and body["position"] == "right"
    assert set(body) == {"widget_id", "title", "greeting", "color", "position", "pre_chat_fields",
                         "offline_message", "departments", "agents_online", "upload_max_bytes", "color_text",
                         "typing_preview", "consent_text", "consent_url", "consent_required", "opens_at",
                         "language", "dir", "launcher", "triggers"}
    visitor = client.post(f"/api/v1/widgets/{widget['id']}/visitors",
                          json={"name": "Ada", "email": "ada@example.com", "page_url": "https://shop.example/p/1"})
    assert visitor.status_code == 201 and visitor.json()["token"].startswith("cdv_")


def test_widget_settings_validation(client):
    headers = admin_headers(client)
    response = client.post("/api/v1/widgets", headers=headers, json={"name": "W", "settings": {"color": "red"}})
    assert response.status_code == 422 and "settings.color" in response.json()["error"]["fields"]


def test_unknown_widget_is_404(client):
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/api/v1/widgets/{missing}/settings").status_code == 404
    assert client.post(f"/api/v1/widgets/{missing}/visitors", json={}).status_code == 404


def test_cors_allows_listed_origins_only(client):
    headers = admin_headers(client)
    # Every widget must list origins for the list to restrict anything: make all widgets restrictive.
    for widget in client.get("/api/v1/widgets", headers=headers).json()["widgets"]:
        client.patch(f"/api/v1/widgets/{widget['id']}", json={"allowed_origins": ["https://shop.example"]},
                     headers=headers)
    preflight = {"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"}
    # The origin cache is per process with a short TTL; a fresh app instance reads it now.
    from starlette.testclient import TestClient

    from chatdesk.web.app import create_app

    with TestClient(create_app(client.app.state.runtime.settings)) as fresh:
        allowed = fresh.options("/api/v1/auth/login", headers=preflight)
        assert allowed.status_code == 204
        assert allowed.headers["access-control-allow-origin"] == "https://shop.example"
        other = fresh.get("/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        denied = fresh.get("/api/v1/departments", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in denied.headers


def test_openapi_lists_every_endpoint_with_models(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert document["paths"]["/api/v1/auth/login"]["post"]["requestBody"]
    assert "/api/v1/widgets/{widget_id}/visitors" in document["paths"]
    assert "LoginIn" in document["components"]["schemas"]
    routes = {(m, p) for p, ops in document["paths"].items() for m in ops}
    assert ("patch", "/api/v1/agents/me/preferences") in routes


def test_agents_join_departments(client):
    headers = admin_headers(client)
    department = client.post("/api/v1/departments", json={"name": f"Billing {secrets.token_hex(3)}"},
                             headers=headers).json()
    created = client.post("/api/v1/agents", headers=headers, json={
        "email": f"member-{secrets.token_hex(3)}@example.com", "name": "Member", "password": "long enough pw",
        "department_ids": [department["id"]]}).json()
    assert created["department_ids"] == [department["id"]]
    cleared = client.patch(f"/api/v1/agents/{created['id']}", json={"department_ids": []}, headers=headers)
    assert cleared.json()["department_ids"] == []
    unknown = client.patch(f"/api/v1/agents/{created['id']}", headers=headers,
                           json={"department_ids": ["00000000-0000-0000-0000-000000000000"]})
    assert unknown.status_code == 422
