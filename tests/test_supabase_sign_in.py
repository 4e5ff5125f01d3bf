"""Agents sign in with the helpdesk's Supabase accounts: tokens signed as Supabase signs them (HS256 with the
project's JWT secret; RS256 and ES256 through its JWKS, served on loopback), refused in plain words when expired,
signed by someone else or meant for another project; password sign-in keeps working."""

from __future__ import annotations

from collections.abc import Iterator

import jwt
import pytest
from playwright.sync_api import Page, expect
from pydantic import SecretStr
from starlette.testclient import TestClient

from chatdesk.web.app import create_app
from tests.conftest import PASSWORD, bearer
from tests.screenshots import assert_screenshot
from tests.supabase_helpers import ANON_KEY, JWT_SECRET, FakeSupabase


@pytest.fixture
def supabase() -> Iterator[FakeSupabase]:
    fake = FakeSupabase()
    yield fake
    fake.close()


def _client(settings, supabase: FakeSupabase, **more) -> TestClient:
    configured = settings.model_copy(update={"supabase_url": supabase.url, "supabase_anon_key": SecretStr(ANON_KEY),
                                             "supabase_name": "Acme Helpdesk", **more})
    return TestClient(create_app(configured), raise_server_exceptions=False)


@pytest.fixture
def hs_client(settings, supabase) -> Iterator[TestClient]:
    with _client(settings, supabase, supabase_jwt_secret=SecretStr(JWT_SECRET)) as client:
        yield client


def _sign_in(client: TestClient, token: str):
    return client.post("/api/v1/auth/supabase", json={"access_token": token})


@pytest.mark.parametrize("algorithm", ["HS256", "RS256", "ES256"])
def test_a_supabase_token_opens_a_session_for_the_agent_with_its_email(hs_client, supabase, make_agent, algorithm):
    agent = make_agent(email=f"grace-{algorithm.lower()}@example.com")
    answer = _sign_in(hs_client, supabase.token(agent["email"].upper(), algorithm=algorithm))
    assert answer.status_code == 200, answer.text
    assert answer.json()["agent"]["id"] == agent["id"] and "chatdesk_session" in answer.cookies
    me = hs_client.get("/api/v1/agents/me", headers=bearer(answer.json()["token"]))
    assert me.status_code == 200 and me.json()["email"] == agent["email"]


def test_tokens_are_refused_in_plain_words(hs_client, supabase, make_agent):
    agent = make_agent(email="ada@example.com")
    cases = {
        supabase.token(agent["email"], lifetime_s=-120): "Your Acme Helpdesk sign-in has expired. Sign in again.",
        supabase.token(agent["email"], secret="another-projects-secret-of-32-characters"):
            "This token is not signed by Acme Helpdesk: sign in again.",
        supabase.token(agent["email"], iss="https://other.supabase.co/auth/v1"):
            "This token is not a sign-in to Acme Helpdesk's project.",
        supabase.token(agent["email"], aud="anon"): "This token is not a sign-in to Acme Helpdesk's project.",
        jwt.encode({"email": agent["email"]}, "x", algorithm="HS384"):
            "This token is not signed the way Acme Helpdesk signs its sign-ins (HS384).",
        "not.a.token": "This is not a Acme Helpdesk sign-in token.",
    }
    for token, message in cases.items():
        answer = _sign_in(hs_client, token)
        assert answer.status_code == 401 and answer.json()["error"]["message"] == message, answer.text
    stranger = _sign_in(hs_client, supabase.token("nobody@example.com"))
    assert stranger.status_code == 403 and stranger.json()["error"]["code"] == "no_agent"
    assert "nobody@example.com" in stranger.json()["error"]["message"]
    password = hs_client.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
    assert password.status_code == 200  # password sign-in keeps working


def test_without_the_jwt_secret_hs256_is_refused_and_the_jwks_verifies(settings, supabase, make_agent):
    agent = make_agent(email="alan@example.com")
    with _client(settings, supabase) as client:
        assert _sign_in(client, supabase.token(agent["email"], algorithm="ES256")).status_code == 200
        refused = _sign_in(client, supabase.token(agent["email"], algorithm="HS256"))
        assert refused.status_code == 401 and "(HS256)" in refused.json()["error"]["message"]
        forged = jwt.encode({"email": agent["email"]}, supabase.keys["rsa-1"], algorithm="RS256",
                            headers={"kid": "unknown"})
        message = _sign_in(client, forged).json()["error"]["message"]
        assert message == "This token is not signed by Acme Helpdesk: sign in again."
        providers = client.get("/api/v1/auth/providers").json()
        assert providers == {"supabase": {"name": "Acme Helpdesk", "url": supabase.url, "anon_key": ANON_KEY}}
        policy = client.get("/workspace/").headers["content-security-policy"]
        assert f"connect-src 'self' {supabase.url}" in policy


def test_auto_provisioning_makes_the_agent_with_the_role_claimed(settings, supabase):
    with _client(settings, supabase, supabase_jwt_secret=SecretStr(JWT_SECRET), supabase_auto_provision=True) as client:
        answer = _sign_in(client, supabase.token("new.lead@example.com", app_metadata={"chatdesk_role": "supervisor"},
                                                 user_metadata={"full_name": "Nia Lead"}))
        assert answer.status_code == 200, answer.text
        assert (answer.json()["agent"]["role"], answer.json()["agent"]["name"]) == ("supervisor", "Nia Lead")
        odd = _sign_in(client, supabase.token("new.hand@example.com", app_metadata={"chatdesk_role": "owner"}))
        assert odd.json()["agent"]["role"] == "agent"
        again = _sign_in(client, supabase.token("new.lead@example.com"))
        assert again.json()["agent"]["id"] == answer.json()["agent"]["id"]


def test_an_agent_signs_in_with_supabase_in_the_browser(page: Page, serve, supabase, make_agent):
    agent = make_agent(email="grace@example.com", name="Grace Hopper")
    supabase.users["grace@example.com"] = "helpdesk-password"
    server = serve(SUPABASE_URL=supabase.url, SUPABASE_JWT_SECRET=JWT_SECRET,
                   NEXT_PUBLIC_SUPABASE_ANON_KEY=ANON_KEY, CHATDESK_SUPABASE_NAME="Acme Helpdesk")
    page.goto(server.base_url + "/workspace/")
    button = page.get_by_role("button", name="Sign in with Acme Helpdesk")
    expect(button).to_be_visible()
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Password").fill("wrong")
    button.click()
    expect(page.get_by_role("alert")).to_have_text("Invalid login credentials")  # Supabase's own words

    supabase.lifetime_s = -120  # Supabase hands out a token that has already expired
    page.get_by_label("Password").fill("helpdesk-password")
    button.click()
    expect(page.get_by_role("alert")).to_have_text("Your Acme Helpdesk sign-in has expired. Sign in again.")

    forged = supabase.token("grace@example.com", secret="not-the-projects-secret-at-all-32-chars")
    page.goto("about:blank")  # a new load of the page, as after Supabase's redirect
    page.goto(f"{server.base_url}/workspace/#access_token={forged}&token_type=bearer")
    expect(page.get_by_role("alert")).to_have_text("This token is not signed by Acme Helpdesk: sign in again.")
    assert "access_token" not in page.url

    supabase.lifetime_s = 3600
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Password").fill("helpdesk-password")
    page.get_by_role("button", name="Sign in with Acme Helpdesk").click()
    expect(page.locator("#agent-name")).to_have_text(agent["name"])

    page.context.clear_cookies()  # signed out: the next load signs in with the redirected token alone
    page.goto("about:blank")
    page.goto(f"{server.base_url}/workspace/#access_token={supabase.token('grace@example.com', algorithm='RS256')}")
    expect(page.locator("#agent-name")).to_have_text(agent["name"])  # a token Supabase redirected back with


@pytest.mark.parametrize("viewport", [(1440, 900), (390, 844)], ids=["1440x900", "390x844"])
def test_sign_in_page_with_supabase_screenshots(page: Page, serve, supabase, viewport):
    server = serve(SUPABASE_URL=supabase.url, NEXT_PUBLIC_SUPABASE_ANON_KEY=ANON_KEY,
                   CHATDESK_SUPABASE_NAME="Acme Helpdesk")
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.goto(server.base_url + "/workspace/")
    expect(page.get_by_role("button", name="Sign in with Acme Helpdesk")).to_be_visible()
    assert_screenshot(page, f"workspace/signin-supabase-{viewport[0]}x{viewport[1]}")
