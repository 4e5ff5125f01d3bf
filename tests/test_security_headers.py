"""Security headers: the workspace's Content-Security-Policy, and HSTS when chatdesk is reached over https."""

from __future__ import annotations

from starlette.testclient import TestClient

from chatdesk.web.app import create_app


def test_workspace_page_carries_a_policy_without_inline_code(client):
    policy = client.get("/workspace/").headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_hsts_when_the_public_url_is_https(settings):
    https = settings.model_copy(update={"public_url": "https://chat.example.com"})
    with TestClient(create_app(https)) as client:
        assert client.get("/workspace/").headers["strict-transport-security"] == "max-age=31536000"


def test_no_hsts_when_the_public_url_is_plain_http(client):
    assert "strict-transport-security" not in client.get("/workspace/").headers
