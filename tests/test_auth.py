"""Auth: sign-in, throttling, token lifetime, roles, CSRF."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from chatdesk.db.engine import create_engine
from chatdesk.db.tables import sessions
from tests.conftest import PASSWORD, bearer, run


def _visitor_token(client) -> str:
    widget_id = _any_widget(client)
    response = client.post(f"/api/v1/widgets/{widget_id}/visitors", json={"name": "Vi"})
    assert response.status_code == 201, response.text
    return response.json()["token"]


def _any_widget(client) -> str:
    from tests.test_admin_api import admin_headers

    headers = admin_headers(client)
    return client.post("/api/v1/widgets", json={"name": "Shop"}, headers=headers).json()["id"]


def test_login_returns_token_csrf_and_agent(client, make_agent):
    agent = make_agent()
    response = client.post("/api/v1/auth/login", json={"email": agent["email"].upper(), "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token"].startswith("cda_") and body["csrf_token"]
    assert body["agent"] == {k: agent[k] for k in ("id", "name", "email", "role", "status", "must_change_password")}
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_wrong_password_is_401(client, make_agent):
    agent = make_agent()
    response = client.post("/api/v1/auth/login", json={"email": agent["email"], "password": "wrong password"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_unknown_email_is_401_like_a_wrong_password(client):
    response = client.post("/api/v1/auth/login", json={"email": "nobody@example.com", "password": "whatever"})
    assert response.status_code == 401


def test_repeated_failures_are_throttled_even_with_the_right_password(client, make_agent):
    agent = make_agent()
    for _ in range(5):
        client.post("/api/v1/auth/login", json={"email": agent["email"], "password": "wrong password"})
    response = client.post("/api/v1/auth/login", json={"email": agent["email"], "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert int(response.headers["retry-after"]) > 0


def test_one_address_spraying_many_accounts_is_throttled(client):
    statuses = [
        client.post("/api/v1/auth/login", json={"email": f"u{i}@example.com", "password": "guess"}).status_code
        for i in range(31)
    ]
    assert statuses[:30] == [401] * 30 and statuses[30] == 429


def test_revoked_token_is_401(client, make_agent, login):
    token = login(make_agent())["token"]
    assert client.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 204
    assert client.get("/api/v1/agents/me", headers=bearer(token)).status_code == 401


def test_expired_token_is_401(client, make_agent, login, database_url):
    session = login(make_agent())
    assert client.get("/api/v1/agents/me", headers=bearer(session["token"])).status_code == 200

    async def expire() -> None:
        engine = create_engine(database_url, pool_size=1)
        async with engine.begin() as conn:
            await conn.execute(sessions.update().where(sessions.c.csrf_token == session["csrf_token"])
                               .values(expires_at=sa.func.now() - sa.text("interval '1 second'")))
        await engine.dispose()

    run(expire())
    assert client.get("/api/v1/agents/me", headers=bearer(session["token"])).status_code == 401


def test_deactivated_agent_token_is_401(client, make_agent, login):
    admin = login(make_agent("admin"))
    agent = make_agent()
    token = login(agent)["token"]
    assert client.delete(f"/api/v1/agents/{agent['id']}", headers=bearer(admin["token"])).status_code == 204
    assert client.get("/api/v1/agents/me", headers=bearer(token)).status_code == 401


def test_garbage_token_is_401(client):
    for token in ("cda_not-a-token", "cdv_forged.token", "nonsense"):
        assert client.get("/api/v1/agents/me", headers=bearer(token)).status_code == 401


def test_no_token_is_401(client):
    response = client.get("/api/v1/agents/me")
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"


def test_agent_token_on_admin_route_is_403(client, make_agent, login):
    token = login(make_agent())["token"]
    response = client.get("/api/v1/agents", headers=bearer(token))
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


def test_admin_token_on_admin_route_is_200(client, make_agent, login):
    token = login(make_agent("admin"))["token"]
    assert client.get("/api/v1/agents", headers=bearer(token)).status_code == 200


def test_cookie_request_without_csrf_header_is_403(client, make_agent, login):
    login(make_agent())  # the TestClient keeps the session cookie
    response = client.put("/api/v1/agents/me/status", json={"status": "online"})
    assert response.status_code == 403 and "CSRF" in response.json()["error"]["message"]


def test_cookie_request_with_csrf_header_passes(client, make_agent, login):
    session = login(make_agent())
    response = client.put("/api/v1/agents/me/status", json={"status": "online"},
                          headers={"X-CSRF-Token": session["csrf_token"]})
    assert response.status_code == 200 and response.json()["status"] == "online"


def test_cookie_get_needs_no_csrf(client, make_agent, login):
    login(make_agent())
    assert client.get("/api/v1/agents/me").status_code == 200


def test_visitor_token_on_agent_routes_is_403(client):
    token = _visitor_token(client)
    for method, path in [("GET", "/api/v1/agents/me"), ("GET", "/api/v1/departments"), ("GET", "/api/v1/agents")]:
        response = client.request(method, path, headers=bearer(token))
        assert response.status_code == 403, (path, response.text)


def test_visitor_token_signed_with_another_key_is_401(client, settings):
    import uuid

    from chatdesk.desk.auth.visitor_tokens import VisitorIdentity, issue_visitor_token

    forged = issue_visitor_token("some other key", VisitorIdentity(uuid.uuid4(), uuid.uuid4()))
    assert client.get("/api/v1/agents/me", headers=bearer(forged)).status_code == 401


FOREIGN = {"Origin": "https://attacker.example"}


@pytest.mark.parametrize(("content_type", "content"), [
    ("text/plain", '{"email": "x@example.com", "password": "whatever"}'),
    ("application/x-www-form-urlencoded", "email=x%40example.com&password=whatever"),
])
def test_sign_in_only_takes_json(client, content_type, content):
    """A cross-site form can send text/plain or form fields without a preflight, never JSON."""
    response = client.post("/api/v1/auth/login", content=content, headers={"Content-Type": content_type})
    assert response.status_code == 415 and response.json()["error"]["code"] == "unsupported_media_type"


@pytest.mark.parametrize("origin", ["https://attacker.example", "null"])
def test_sign_in_from_another_site_is_403(client, make_agent, origin):
    agent = make_agent()
    response = client.post("/api/v1/auth/login", json={"email": agent["email"], "password": PASSWORD},
                           headers={"Origin": origin})
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "This request came from another site, so it was refused."
    assert "set-cookie" not in response.headers


def test_cookie_write_from_another_site_is_403_even_with_the_csrf_token(client, make_agent, login):
    session = login(make_agent())
    response = client.put("/api/v1/agents/me/status", json={"status": "online"},
                          headers={"X-CSRF-Token": session["csrf_token"], **FOREIGN})
    assert response.status_code == 403 and "another site" in response.json()["error"]["message"]


@pytest.mark.parametrize("origin", ["http://testserver", "http://127.0.0.1:8000"])  # the page's, the public URL's
def test_same_origin_sign_in_and_cookie_write_pass(client, make_agent, origin):
    agent = make_agent()
    signed_in = client.post("/api/v1/auth/login", json={"email": agent["email"], "password": PASSWORD},
                            headers={"Origin": origin})
    assert signed_in.status_code == 200
    response = client.put("/api/v1/agents/me/status", json={"status": "online"},
                          headers={"X-CSRF-Token": signed_in.json()["csrf_token"], "Origin": origin})
    assert response.status_code == 200


def test_bearer_requests_from_other_sites_pass(client, make_agent, login):
    token = login(make_agent())["token"]
    client.cookies.clear()
    response = client.put("/api/v1/agents/me/status", json={"status": "online"}, headers={**bearer(token), **FOREIGN})
    assert response.status_code == 200


def test_every_tab_reads_the_csrf_token_from_a_cookie_until_sign_out(client, make_agent, login):
    session = login(make_agent())
    assert client.cookies["chatdesk_csrf"] == session["csrf_token"]
    cookie = next(c for c in client.cookies.jar if c.name == "chatdesk_csrf")
    assert not cookie.has_nonstandard_attr("HttpOnly")
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": session["csrf_token"]}).status_code == 204
    assert "chatdesk_csrf" not in client.cookies


def test_a_session_cookie_without_its_csrf_cookie_gets_it_back_on_start_up(client, make_agent, login):
    session = login(make_agent())
    client.cookies.delete("chatdesk_csrf")
    assert client.get("/api/v1/agents/me").status_code == 200
    assert client.cookies["chatdesk_csrf"] == session["csrf_token"]
