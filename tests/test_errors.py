"""Every error has API.md's shape (issue 2, acceptance 4)."""

from __future__ import annotations

import logging

from starlette.routing import Route

from tests.conftest import bearer


def _assert_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code and isinstance(error["message"], str) and error["message"]
    return error


def test_unknown_route_is_404_in_shape(client):
    _assert_shape(client.get("/api/v1/nope"), 404, "not_found")


def test_wrong_method_is_405_in_shape(client):
    _assert_shape(client.delete("/api/v1/auth/login"), 405, "method_not_allowed")


def test_invalid_json_is_422(client):
    response = client.post("/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"})
    _assert_shape(response, 422, "validation_error")


def test_missing_fields_are_named(client):
    error = _assert_shape(client.post("/api/v1/auth/login", json={}), 422, "validation_error")
    assert set(error["fields"]) == {"email", "password"}


def test_body_over_the_limit_is_413_before_reading_it(client):
    response = client.post("/api/v1/auth/login", content=b"x" * 70_000, headers={"content-type": "application/json"})
    _assert_shape(response, 413, "payload_too_large")


def test_chunked_body_over_the_limit_is_413(client):
    def chunks():
        for _ in range(20):
            yield b"x" * 8192

    response = client.post("/api/v1/auth/login", content=chunks(), headers={"content-type": "application/json"})
    _assert_shape(response, 413, "payload_too_large")


def test_unauthorized_and_forbidden_are_in_shape(client, make_agent, login):
    _assert_shape(client.get("/api/v1/agents/me"), 401, "unauthorized")
    token = login(make_agent())["token"]
    _assert_shape(client.get("/api/v1/agents", headers=bearer(token)), 403, "forbidden")


def test_exception_in_a_view_is_500_with_request_id_and_logged(client, caplog):
    async def boom(request):
        raise RuntimeError("kaboom in a view")

    client.app.router.routes.append(Route("/boom", boom))
    with caplog.at_level(logging.ERROR, logger="chatdesk.http"):
        response = client.get("/boom", headers={"X-Request-ID": "req-123"})
    error = _assert_shape(response, 500, "internal_error")
    assert error["request_id"] == "req-123" and response.headers["x-request-id"] == "req-123"
    assert "kaboom" not in response.text and "Traceback" not in response.text
    record = next(r for r in caplog.records if "req-123" in r.getMessage())
    assert record.exc_info and "kaboom in a view" in str(record.exc_info[1])


def test_responses_carry_security_headers_and_request_id(client):
    response = client.get("/healthz")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert len(response.headers["x-request-id"]) == 32


def test_readyz_and_metrics(client):
    assert client.get("/readyz").json()["checks"] == {"database": "ok", "redis": "ok"}
    client.get("/healthz")
    assert "chatdesk_http_request_seconds_bucket" in client.get("/metrics").text
