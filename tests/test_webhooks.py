"""Webhooks end to end against a real HTTP receiver on loopback (tests/webhook_helpers.py): every
subscribed event arrives signed, once, in order per chat, through receiver outages and a SIGKILL of
chatdesk; the guard keeps webhooks off private addresses; the README's examples verify signatures."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid

import httpx
import orjson
import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from chatdesk.config import Settings
from chatdesk.db.engine import create_engine
from chatdesk.db.tables import audit_log, webhook_deliveries, webhook_endpoints
from chatdesk.desk.transactions import Tx
from chatdesk.desk.webhooks import guard
from chatdesk.desk.webhooks.queue import EVENT_TYPES, webhook_events
from chatdesk.desk.webhooks.signing import sign, verify
from chatdesk.realtime.streams import agent_stream, visitor_stream
from chatdesk.web.app import create_app
from tests.catalogue_helpers import payload_errors
from tests.conftest import PASSWORD, bearer, create_account, migrated_database, run
from tests.realtime_helpers import wait_until
from tests.webhook_helpers import Receiver, chat_key, every_event, readme_example, readme_verifier

QUICK = {"CHATDESK_WEBHOOKS_ALLOW_PRIVATE": "true", "CHATDESK_WEBHOOKS_RETRY_S": "0.2",
         "CHATDESK_WEBHOOKS_RETRY_MAX_S": "1", "CHATDESK_WEBHOOKS_TIMEOUT_S": "2"}


@pytest.fixture(scope="module")
def database_url(new_database) -> str:
    """A database of this module's own: its endpoints get no other module's events."""
    return migrated_database(new_database)


@pytest.fixture
def settings(database_url, redis_url, tmp_path) -> Settings:
    return Settings(DATABASE_URL=database_url, REDIS_URL=redis_url, CHATDESK_DATA_DIR=str(tmp_path / "data"),
                    CHATDESK_SECRET_KEY="test-secret-" + "x" * 32, **QUICK)


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _no_endpoints_left(database_url):
    """Each test registers its own endpoints; an earlier test's are removed."""
    async def clear() -> None:
        engine = create_engine(database_url, pool_size=1)
        try:
            async with engine.begin() as conn:
                await conn.execute(webhook_endpoints.delete())
        finally:
            await engine.dispose()

    run(clear())


async def _rows(database_url: str, query):
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(query)).all()
    finally:
        await engine.dispose()


def _deliveries(database_url: str, endpoint_id: str):
    return run(_rows(database_url, sa.select(webhook_deliveries).where(
        webhook_deliveries.c.endpoint_id == uuid.UUID(endpoint_id)).order_by(webhook_deliveries.c.seq)))


def register(http, admin: dict, receiver: Receiver, events: list[str] | None = None) -> dict:
    response = http.post("/api/v1/webhooks", json={"url": receiver.url, "events": events or list(EVENT_TYPES)},
                         headers=admin)
    assert response.status_code == 201, response.text
    receiver.secret = response.json()["secret"]
    return response.json()


def _accounts(http, database_url: str) -> tuple[dict, dict, dict]:
    """An admin, and two agents online (each with room for the chat)."""
    def signed_in(role: str) -> dict:
        account = create_account(database_url, role)
        response = http.post("/api/v1/auth/login", json={"email": account["email"], "password": PASSWORD})
        return bearer(response.json()["token"])

    admin, agent, other = signed_in("admin"), signed_in("agent"), signed_in("agent")
    for headers in (agent, other):
        assert http.put("/api/v1/agents/me/status", json={"status": "online"}, headers=headers).status_code == 200
    return admin, agent, other


def _widget_and_department(http, admin: dict) -> tuple[str, str]:
    widget = http.post("/api/v1/widgets", json={"name": "Shop"}, headers=admin).json()["id"]
    department = http.get("/api/v1/departments", headers=admin).json()["departments"][0]["id"]
    return widget, department


def assert_in_order_per_chat(acknowledged, database_url: str, endpoint_id: str) -> None:
    """Each chat's events were acknowledged in the order they were written, and each message in seq order."""
    order = {str(row.id): row.seq for row in _deliveries(database_url, endpoint_id)}
    by_chat: dict[str, list] = {}
    for received in acknowledged:
        if chat_key(received):
            by_chat.setdefault(chat_key(received), []).append(received)
    for events in by_chat.values():
        assert [order[r.id] for r in events] == sorted(order[r.id] for r in events)
        seqs = [r.data["message"]["seq"] for r in events if r.type == "message.created"]
        assert seqs == list(range(1, len(seqs) + 1))


def test_every_subscribed_event_reaches_the_receiver_signed_once_and_in_order(client, database_url, receiver):
    admin, agent, other = _accounts(client, database_url)
    widget, department = _widget_and_department(client, admin)
    endpoint = register(client, admin, receiver)
    assert "secret" not in client.get("/api/v1/webhooks", headers=admin).json()["webhooks"][0]
    every_event(client, admin, agent, other, widget, department)
    rows = run(wait_until(lambda: _rows(database_url, sa.select(webhook_deliveries.c.status)),
                          lambda rows: rows and all(row.status == "delivered" for row in rows), timeout_s=30))
    acknowledged = receiver.acknowledged()
    assert {r.type for r in acknowledged} == set(EVENT_TYPES)
    assert [error for r in acknowledged for error in payload_errors(r.type, r.data)] == []  # as declared
    assert all(r.verified for r in receiver.requests)
    assert set(receiver.ack_counts().values()) == {1} and len(acknowledged) == len(rows)
    assert_in_order_per_chat(acknowledged, database_url, endpoint["id"])
    offline = next(r for r in acknowledged if r.type == "offline_message.created")
    assert offline.data["body"] == "Call me back" and offline.data["email"] == "grace@example.com"
    log = client.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries", headers=admin).json()["deliveries"]
    assert log[0]["status"] == "delivered" and log[0]["responses"][0]["status"] == 204


async def test_a_visitors_copy_is_left_out_and_every_real_event_kept():
    """Integrations hear of a chat event once, not of its visitor-shaped copy; two messages of one
    chat that only its visitor receives are two events, not a copy."""
    tx = Tx(None)  # type: ignore[arg-type]  # recording events touches no connection
    chat_id, agent, visitor = uuid.uuid4(), agent_stream(uuid.uuid4()), visitor_stream(uuid.uuid4())
    await tx.emit([agent], "chat.assigned", {"chat": {"id": chat_id, "agent": {"name": "Ada Lovelace"}}})
    await tx.emit([visitor], "chat.assigned", {"chat": {"id": chat_id, "agent": {"name": "Ada"}}}, copy=True)
    for seq in (1, 2):
        await tx.emit([visitor], "message.created", {"message": {"chat_id": chat_id, "seq": seq}})
    events = list(webhook_events(tx))
    assert [event_type for event_type, _ in events] == ["chat.assigned", "message.created", "message.created"]
    assert events[0][1]["chat"]["agent"]["name"] == "Ada Lovelace"  # the agents' shape


def test_only_subscribed_events_of_enabled_endpoints_are_queued(client, database_url, receiver):
    admin, agent, other = _accounts(client, database_url)
    widget, department = _widget_and_department(client, admin)
    endpoint = register(client, admin, receiver, ["chat.ended", "offline_message.created"])
    disabled = register(client, admin, Receiver(), ["chat.ended"])
    assert client.patch(f"/api/v1/webhooks/{disabled['id']}", json={"enabled": False},
                        headers=admin).status_code == 200
    every_event(client, admin, agent, other, widget, department)
    assert [row.event_type for row in _deliveries(database_url, endpoint["id"])] == [
        "chat.ended", "offline_message.created"]
    assert _deliveries(database_url, disabled["id"]) == []


def test_a_chat_nobody_took_is_started_ended_and_rated_all_the_same(client, database_url, receiver):
    """Its rating goes to no client stream (no agent): integrations hear of it all the same."""
    admin, _, _ = _accounts(client, database_url)
    widget, _ = _widget_and_department(client, admin)
    endpoint = register(client, admin, receiver, ["chat.started", "chat.ended", "chat.rated"])
    visitor = bearer(client.post(f"/api/v1/widgets/{widget}/visitors", json={}).json()["token"])
    chat_id = client.post("/api/v1/chats", json={}, headers=visitor).json()["chat"]["id"]
    assert client.post(f"/api/v1/chats/{chat_id}/end", headers=visitor).status_code == 200
    assert client.post(f"/api/v1/chats/{chat_id}/rating", json={"score": "bad"}, headers=visitor).status_code == 200
    _all_delivered(database_url, endpoint["id"], timeout_s=20)
    assert [(r.type, chat_key(r)) for r in receiver.acknowledged()] == [
        ("chat.started", chat_id), ("chat.ended", chat_id), ("chat.rated", chat_id)]


def test_send_test_answers_with_the_delivery_and_a_failing_one_is_not_retried(client, database_url, receiver):
    admin, _, _ = _accounts(client, database_url)
    endpoint = register(client, admin, receiver, ["chat.ended"])
    sent = client.post(f"/api/v1/webhooks/{endpoint['id']}/test", headers=admin).json()
    assert sent["status"] == "delivered" and sent["last_status_code"] == 204 and sent["event_type"] == "webhook.test"
    receiver.failing = True
    failed = client.post(f"/api/v1/webhooks/{endpoint['id']}/test", headers=admin).json()
    assert failed["status"] == "failed" and failed["last_status_code"] == 503
    assert failed["last_error"] == "HTTP 503: down for maintenance" and failed["attempts"] == 1
    assert [r.type for r in receiver.requests] == ["webhook.test", "webhook.test"] and receiver.requests[0].verified
    rotated = client.patch(f"/api/v1/webhooks/{endpoint['id']}", json={"rotate_secret": True}, headers=admin).json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != receiver.secret
    log = client.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries", headers=admin).json()["deliveries"]
    assert [d["id"] for d in log] == [failed["id"], sent["id"]]
    assert client.delete(f"/api/v1/webhooks/{endpoint['id']}", headers=admin).status_code == 204
    assert client.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries", headers=admin).status_code == 404


def _a_failing_delivery(http, database_url: str, receiver) -> tuple[dict, dict]:
    """An endpoint for offline messages, one offline message, and a receiver answering 503: (admin, endpoint)."""
    admin, _, _ = _accounts(http, database_url)
    widget, _ = _widget_and_department(http, admin)
    endpoint = register(http, admin, receiver, ["offline_message.created"])
    receiver.failing = True
    assert http.post(f"/api/v1/widgets/{widget}/offline-messages",
                     json={"name": "Grace", "email": "grace@example.com", "body": "Hello?"}).status_code == 201
    return admin, endpoint


def test_an_endpoint_failing_for_days_is_disabled_and_the_audit_log_says_so(settings, database_url, receiver):
    """Days shrunk to seconds: every delivery fails, the last one is given up, the endpoint disabled."""
    own = settings.model_copy(update={"webhooks_give_up_hours": 2 / 3600, "webhooks_disable_after_days": 1 / 86400})
    with TestClient(create_app(own), raise_server_exceptions=False) as http:
        admin, endpoint = _a_failing_delivery(http, database_url, receiver)
        shown = run(wait_until(lambda: http.get("/api/v1/webhooks", headers=admin).json()["webhooks"][0],
                               lambda webhook: not webhook["enabled"], timeout_s=20))
        assert shown["disabled_reason"].startswith("Disabled automatically") and shown["failing_since"]
        [held] = _deliveries(database_url, endpoint["id"])
        assert held.status == "pending" and held.attempts >= 2 and held.last_status_code == 503
        audit = run(_rows(database_url, sa.select(audit_log.c.action, audit_log.c.actor_id).where(
            audit_log.c.target_id == endpoint["id"]).order_by(audit_log.c.id)))
        assert [row.action for row in audit] == ["webhook.create", "webhook.disable"] and audit[1].actor_id is None
        receiver.failing = False
        enabled = http.patch(f"/api/v1/webhooks/{endpoint['id']}", json={"enabled": True}, headers=admin).json()
        assert enabled["enabled"] and enabled["disabled_reason"] is None and enabled["failing_since"] is None
        _all_delivered(database_url, endpoint["id"], timeout_s=20)


def test_a_delivery_is_given_up_once_it_is_too_old(settings, database_url, receiver):
    own = settings.model_copy(update={"webhooks_give_up_hours": 1 / 3600})
    with TestClient(create_app(own), raise_server_exceptions=False) as http:
        admin, endpoint = _a_failing_delivery(http, database_url, receiver)
        [row] = run(wait_until(lambda: _deliveries(database_url, endpoint["id"]),
                               lambda rows: rows[0].status == "failed", timeout_s=20))
        assert row.attempts >= 2 and len(row.responses) == row.attempts and row.last_status_code == 503
        assert http.get("/api/v1/webhooks", headers=admin).json()["webhooks"][0]["enabled"]


def test_private_addresses_are_refused_at_registration_in_plain_words(settings, database_url):
    guarded = settings.model_copy(update={"webhooks_allow_private": False})
    with TestClient(create_app(guarded), raise_server_exceptions=False) as http:
        admin, _, _ = _accounts(http, database_url)
        refused = http.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/hook", "events": ["chat.ended"]},
                            headers=admin)
        assert refused.status_code == 422
        assert refused.json()["error"]["fields"]["url"] == "Webhooks may not go to 127.0.0.1: it is a loopback address."
        unknown = http.post("/api/v1/webhooks", json={"url": "https://example.com/h", "events": ["chat.nope"]},
                            headers=admin)
        assert unknown.status_code == 422 and "events.0" in unknown.json()["error"]["fields"]


def test_a_tampered_body_or_another_secret_fails_verification():
    verify_readme = readme_verifier()
    body = orjson.dumps({"id": str(uuid.uuid4()), "type": "chat.ended", "data": {"chat": {"id": "x"}}})
    timestamp = str(int(time.time()))
    headers = {"X-Chatdesk-Timestamp": timestamp, "X-Chatdesk-Signature": sign("whsec_a", timestamp, body)}
    assert verify_readme("whsec_a", headers, body)
    assert verify("whsec_a", timestamp, body, headers["X-Chatdesk-Signature"])
    assert not verify_readme("whsec_a", headers, body.replace(b"chat.ended", b"chat.ENDED"))
    assert not verify_readme("whsec_b", headers, body)
    stale = str(int(time.time()) - 3600)
    assert not verify_readme("whsec_a", {**headers, "X-Chatdesk-Timestamp": stale,
                                         "X-Chatdesk-Signature": sign("whsec_a", stale, body)}, body)


@pytest.mark.server
@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_readme_node_example_verifies_a_signature_and_refuses_a_tampered_body(tmp_path):
    body = orjson.dumps({"id": str(uuid.uuid4()), "type": "message.created", "data": {"text": "héllo"}})
    timestamp = str(int(time.time()))
    signature = sign("whsec_node", timestamp, body)
    (tmp_path / "body.json").write_bytes(body)
    script = readme_example("javascript") + f"""
const fs = require("node:fs");
const body = fs.readFileSync({str(tmp_path / "body.json")!r});
const headers = {{ "x-chatdesk-timestamp": "{timestamp}", "x-chatdesk-signature": "{signature}" }};
const tampered = Buffer.from(body.toString().replace("message.created", "message.deleted"));
console.log(JSON.stringify([verifyChatdeskWebhook("whsec_node", headers, body),
  verifyChatdeskWebhook("whsec_node", headers, tampered), verifyChatdeskWebhook("whsec_other", headers, body)]));
"""
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=30, check=True)
    assert orjson.loads(result.stdout) == [True, False, False]


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "a loopback address"), ("::1", "a loopback address"), ("10.1.2.3", "a private address"),
    ("192.168.0.10", "a private address"), ("172.16.5.4", "a private address"),
    ("169.254.169.254", "a link-local address"), ("fe80::1", "a link-local address"),
    ("224.0.0.1", "a multicast address"), ("ff02::1", "a multicast address"), ("240.0.0.1", "a reserved address"),
    ("0.0.0.0", "an unspecified address"), ("::ffff:127.0.0.1", "a loopback address"), ("fc00::1", "a private address"),
    ("100.64.0.1", "not a public address"), ("93.184.215.14", None), ("2606:4700::1111", None),
])
def test_the_guard_refuses_every_address_that_is_not_public(address, kind):
    assert guard.refusal(address) == kind


async def test_the_guard_refuses_private_urls_at_registration_unless_allowed():
    with pytest.raises(guard.RefusedTarget, match=r"127\.0\.0\.1: it is a loopback address"):
        await guard.check_url("http://127.0.0.1:8080/hook", allow_private=False)
    with pytest.raises(guard.RefusedTarget, match=r"localhost: it resolves to .*loopback"):
        await guard.check_url("http://localhost/hook", allow_private=False)
    with pytest.raises(guard.RefusedTarget, match="could not be found"):
        await guard.check_url("https://no-such-host.invalid/hook", allow_private=False)
    await guard.check_url("http://127.0.0.1:8080/hook", allow_private=True)
    await guard.check_url("https://93.184.215.14/hook", allow_private=False)
    with pytest.raises(guard.RefusedTarget, match=r"10\.0\.0\.1"):
        guard.check_literal("http://10.0.0.1/hook", allow_private=False)


async def test_the_resolver_refuses_a_name_that_resolves_to_loopback_at_send_time():
    with pytest.raises(guard.RefusedTarget, match="loopback"):
        await guard.GuardedResolver().resolve("localhost", 80)


def _all_delivered(database_url: str, endpoint_id: str, timeout_s: float):
    return run(wait_until(lambda: _rows(database_url, sa.select(webhook_deliveries).where(
        webhook_deliveries.c.endpoint_id == uuid.UUID(endpoint_id)).order_by(webhook_deliveries.c.seq)),
        lambda rows: rows and all(row.status == "delivered" for row in rows), timeout_s=timeout_s))


@pytest.mark.parametrize("outage_s", [4, pytest.param(60, marks=pytest.mark.slow)])
def test_deliveries_survive_a_receiver_outage_and_a_sigkill_of_chatdesk(serve, database_url, receiver, outage_s):
    """The receiver answers 503 for `outage_s`; meanwhile chatdesk is
    killed (SIGKILL) with deliveries claimed and started again, and more events happen. Once the
    receiver is back, every delivery arrives, each id acknowledged once, in order per chat, signed."""
    server = serve(**QUICK)
    http = httpx.Client(base_url=server.base_url, timeout=30)
    admin, agent, other = _accounts(http, database_url)
    widget, department = _widget_and_department(http, admin)
    endpoint = register(http, admin, receiver)
    receiver.failing = True
    outage_ends = time.monotonic() + outage_s
    every_event(http, admin, agent, other, widget, department)
    run(wait_until(lambda: len(receiver.requests), lambda count: count >= 3))  # the sender is retrying
    server.kill()
    server.start()
    every_event(http, admin, agent, other, widget, department)
    while time.monotonic() < outage_ends:  # the outage lasts its length; nothing is acknowledged meanwhile
        assert receiver.acknowledged() == []
        run(wait_until(lambda: len(receiver.requests), lambda count: count > 0))
        time.sleep(0.2)  # the outage's length is the scenario, not a synchronisation
    receiver.failing = False
    rows = _all_delivered(database_url, endpoint["id"], timeout_s=60)
    acknowledged = receiver.acknowledged()
    assert len(rows) == len(acknowledged) and set(receiver.ack_counts().values()) == {1}
    assert {str(row.id) for row in rows} == {r.id for r in acknowledged}
    assert {r.type for r in acknowledged} == set(EVENT_TYPES)
    assert all(r.verified for r in receiver.requests)
    assert_in_order_per_chat(acknowledged, database_url, endpoint["id"])
    assert any(attempt["status"] == 503 for row in rows for attempt in row.responses)
    assert sum(r.answered == 503 for r in receiver.requests) >= 3
