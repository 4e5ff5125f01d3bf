"""The admin console's Webhooks page in a real browser: add an endpoint, copy its secret (shown once),
send a test to a real receiver on loopback and read the delivery log, disable it; screenshots."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from playwright.sync_api import Browser, Page, expect

from chatdesk.db.engine import create_engine
from chatdesk.db.tables import webhook_deliveries, webhook_endpoints
from tests.conftest import create_account, run
from tests.screenshots import assert_screenshot
from tests.webhook_helpers import Receiver
from tests.workspace_helpers import sign_in

VIEWPORTS = {"1440x900": {"width": 1440, "height": 900}, "390x844": {"width": 390, "height": 844}}


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def webhook_server(serve):
    return serve(CHATDESK_WEBHOOKS_ALLOW_PRIVATE="true", CHATDESK_WEBHOOKS_TIMEOUT_S="2").base_url


def _open(page: Page, base_url: str, admin: dict) -> None:
    sign_in(page, base_url, admin)
    page.evaluate("location.hash = '#/admin/webhooks'")
    expect(page.get_by_role("heading", name="Webhooks", level=1)).to_be_visible()


def test_an_admin_adds_an_endpoint_sends_a_test_and_reads_the_log(page: Page, webhook_server, database_url, receiver):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _open(page, webhook_server, create_account(database_url, "admin"))
    page.get_by_role("button", name="Add endpoint").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Endpoint URL").fill(receiver.url)
    dialog.get_by_role("checkbox", name="chat.rated").uncheck()
    dialog.get_by_role("button", name="Add endpoint").click()
    secret_dialog = page.get_by_role("dialog", name="Endpoint added: its signing secret")
    secret = secret_dialog.get_by_label(f"Signing secret for {receiver.url}").input_value()
    assert secret.startswith("whsec_")
    secret_dialog.get_by_role("button", name="Copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    secret_dialog.get_by_role("button", name="Done").click()
    receiver.secret = secret

    card = page.get_by_role("region", name=receiver.url)
    expect(card.get_by_role("list", name="Events")).not_to_contain_text("chat.rated")
    card.get_by_role("button", name="Send test").click()
    expect(page.get_by_role("status").filter(has_text="Test delivered: 204")).to_be_visible()
    card = page.get_by_role("region", name=receiver.url)
    expect(card.get_by_role("table")).to_contain_text("webhook.test")
    expect(card.get_by_role("table")).to_contain_text("Delivered")
    assert [r.verified for r in receiver.requests] == [True]

    receiver.failing = True
    card.get_by_role("button", name="Send test").click()
    expect(page.get_by_role("alert").filter(has_text="Test failed: HTTP 503")).to_be_visible()
    card = page.get_by_role("region", name=receiver.url)
    expect(card.get_by_role("row").nth(1)).to_contain_text("503")

    card.get_by_role("switch", name=f"Send events to {receiver.url}").uncheck()
    expect(page.get_by_role("status").filter(has_text="Endpoint disabled")).to_be_visible()
    expect(page.get_by_role("region", name=receiver.url).get_by_text("Disabled", exact=True)).to_be_visible()


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment + "+00:00")


async def _seed_log(database_url: str) -> None:
    """One endpoint disabled for failing and one healthy, with fixed deliveries (the screenshots' content)."""
    engine = create_engine(database_url, pool_size=1)
    async with engine.begin() as conn:
        await conn.execute(webhook_endpoints.delete())
        healthy, failing = uuid.UUID(int=1), uuid.UUID(int=2)
        await conn.execute(webhook_endpoints.insert(), [
            {"id": healthy, "url": "https://helpdesk.acme.example/hooks/chatdesk", "description": "Helpdesk sync",
             "events": ["chat.started", "chat.ended", "ticket.created", "offline_message.created"],
             "secret": "whsec_x", "enabled": True, "disabled_reason": None, "failing_since": None,
             "created_at": at("2026-11-20T09:00:00")},
            {"id": failing, "url": "https://crm.acme.example/webhooks/in", "description": "",
             "events": ["message.created"], "secret": "whsec_y", "enabled": False,
             "disabled_reason": "Disabled automatically: every delivery failed for 3 days.",
             "failing_since": at("2026-11-25T08:00:00"), "created_at": at("2026-11-21T09:00:00")},
        ])
        attempt = {"at": "2026-11-29T10:00:01Z", "status": 204, "error": None, "ms": 42}
        down = {"at": "2026-11-29T10:00:01Z", "status": 503, "error": "HTTP 503: down for maintenance", "ms": 12}
        rows = [
            (healthy, "chat.ended", "delivered", [attempt], 204, None),
            (healthy, "ticket.created", "pending", [down, down, down], 503, "HTTP 503: down for maintenance"),
            (healthy, "chat.started", "delivered", [down, attempt], 204, None),
            (healthy, "webhook.test", "failed", [{**down, "status": None, "error": "no answer within 10 s",
                                                   "ms": 10000}], None, "no answer within 10 s"),
            (failing, "message.created", "pending", [down], 503, "HTTP 503: down for maintenance"),
        ]
        await conn.execute(webhook_deliveries.insert(), [
            {"id": uuid.uuid5(uuid.NAMESPACE_URL, f"delivery-{index}"), "endpoint_id": endpoint, "event_type": event,
             "status": status,
             "attempts": len(responses), "responses": responses, "last_status_code": code, "last_error": error,
             "payload": {}, "created_at": at(f"2026-11-29T10:0{1 + index}:00"),
             # Never due while the page is shot: the live server's sender would retry a pending one.
             "next_attempt_at": at("2100-01-01T00:00:00")}
            for index, (endpoint, event, status, responses, code, error) in enumerate(rows)])
    await engine.dispose()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_webhooks_screenshots(browser: Browser, webhook_server, database_url, viewport):
    run(_seed_log(database_url))
    admin = create_account(database_url, "admin", name="Alan Admin")
    context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme="light", reduced_motion="reduce",
                                  timezone_id="UTC", locale="en-GB")
    try:
        page = context.new_page()
        _open(page, webhook_server, admin)
        expect(page.get_by_role("region", name="https://crm.acme.example/webhooks/in")).to_be_visible()
        assert_screenshot(page.locator("#main"), f"admin/webhooks-{viewport}")
        page.get_by_role("button", name="Add endpoint").click()
        expect(page.get_by_role("dialog")).to_be_visible()
        assert_screenshot(page.locator("#main"), f"admin/add-webhook-{viewport}")
    finally:
        context.close()
