"""Every error has the shape docs/api.md gives (Conventions): JSON with a code and a plain message."""

from __future__ import annotations

import logging
import uuid

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


NUL = "before\x00after"


def _nul_cases(widget_id: str, chat_id: str) -> list[tuple[str, str, str, dict, str]]:
    """(who, method, path, body, field): text inputs of every kind, flat and nested, signed in or not."""
    chat = f"/api/v1/chats/{chat_id}"
    return [
        ("anonymous", "POST", "/api/v1/auth/login", {"email": NUL, "password": "x"}, "email"),
        ("anonymous", "POST", f"/api/v1/widgets/{widget_id}/visitors", {"name": NUL}, "name"),
        ("anonymous", "POST", f"/api/v1/widgets/{widget_id}/visitors", {"fields": {"company": NUL}}, "fields.company"),
        ("anonymous", "POST", f"/api/v1/widgets/{widget_id}/offline-messages",
         {"name": "Grace", "email": "grace@example.com", "body": NUL}, "body"),
        ("visitor", "POST", f"{chat}/messages", {"client_msg_id": "m1", "body": NUL}, "body"),
        ("visitor", "POST", "/api/v1/chats", {"message": {"client_msg_id": NUL, "body": "hi"}},
         "message.client_msg_id"),
        ("visitor", "POST", f"{chat}/rating", {"score": "good", "comment": NUL}, "comment"),
        ("agent", "POST", f"{chat}/transfer", {"department_id": str(uuid.uuid4()), "note": NUL}, "note"),
        ("agent", "POST", "/api/v1/quick-responses", {"shortcut": "hi", "title": NUL, "body": "Hello"}, "title"),
        ("admin", "POST", "/api/v1/departments", {"name": NUL}, "name"),
        ("admin", "POST", "/api/v1/widgets",
         {"name": "Shop", "settings": {"pre_chat_fields": [{"name": "company", "label": NUL}]}},
         "settings.pre_chat_fields.0.label"),
    ]


def test_nul_in_any_text_is_422_naming_the_field(client, active_chat, make_agent, login):
    admin = bearer(login(make_agent("admin"))["token"])
    widget_id = client.get("/api/v1/widgets", headers=admin).json()["widgets"][0]["id"]
    headers = {"anonymous": {}, "visitor": active_chat["visitor"], "agent": active_chat["agent"], "admin": admin}
    for who, method, path, body, field in _nul_cases(widget_id, active_chat["chat_id"]):
        response = client.request(method, path, json=body, headers=headers[who])
        error = _assert_shape(response, 422, "validation_error")
        assert error["fields"][field] == "Text may not contain the NUL character (\\u0000).", (path, error)


def test_seq_beyond_the_database_integer_is_422(client, active_chat):
    url = f"/api/v1/chats/{active_chat['chat_id']}"
    too_big = 2**31
    for params in ({"after_seq": too_big}, {"before_seq": too_big}):
        error = _assert_shape(client.get(url + "/messages", params=params, headers=active_chat["agent"]),
                              422, "validation_error")
        assert set(error["fields"]) == set(params)
    _assert_shape(client.post(url + "/read", json={"seq": too_big}, headers=active_chat["agent"]),
                  422, "validation_error")
    largest = client.get(url + "/messages", params={"after_seq": too_big - 1}, headers=active_chat["agent"])
    assert largest.status_code == 200 and largest.json()["messages"] == []


def test_ticket_status_null_is_422_and_leaving_it_out_keeps_it(client, active_chat):
    agent = active_chat["agent"]
    ticket_id = client.post(f"/api/v1/chats/{active_chat['chat_id']}/ticket", headers=agent).json()["ticket_id"]
    url = f"/api/v1/tickets/{ticket_id}"
    error = _assert_shape(client.patch(url, json={"status": None}, headers=agent), 422, "validation_error")
    assert set(error["fields"]) == {"status"}
    unchanged = client.patch(url, json={"assignee_id": None}, headers=agent)
    assert unchanged.status_code == 200 and unchanged.json()["status"] == "open"


def test_405_allow_names_every_method_of_the_path(client):
    response = client.delete("/api/v1/chats")
    _assert_shape(response, 405, "method_not_allowed")
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}
    assert set(client.put("/api/v1/agents/me").headers["allow"].split(", ")) == {"GET", "HEAD", "PATCH"}


def test_openapi_declares_the_200_of_a_repeated_create(client, active_chat):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    url = f"/api/v1/chats/{active_chat['chat_id']}"
    message = {"client_msg_id": "retry-1", "body": "Hello"}
    for path, call in (("/api/v1/chats/{chat_id}/messages", lambda: client.post(url + "/messages", json=message,
                                                                                   headers=active_chat["visitor"])),
                       ("/api/v1/chats/{chat_id}/ticket", lambda: client.post(url + "/ticket",
                                                                                 headers=active_chat["agent"]))):
        statuses = [call().status_code, call().status_code]
        assert statuses == [201, 200]
        declared = paths[path]["post"]["responses"]
        assert declared["200"] == declared["201"] and "content" in declared["200"], path


def test_openapi_declares_the_upload_body(client):
    upload = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/chats/{chat_id}/attachments"]["post"]
    schema = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["required"] == ["file"] and schema["properties"]["file"]["format"] == "binary"
