"""What one address, and one widget's visitors together, may create: visitors, chats, upload bytes,
queued chats (429 with Retry-After beyond), and the size of pre-chat answers (422)."""

from __future__ import annotations

import pytest

from chatdesk.web.api import budgets
from tests.conftest import bearer, run
from tests.realtime_helpers import new_widget


@pytest.fixture
def limits(client):
    """The running app's settings: a test lowers the budget it checks."""
    return client.app.state.runtime.settings


def _new_visitor(client, widget_id: str, **body):
    return client.post(f"/api/v1/widgets/{widget_id}/visitors", json=body)


def _visitor(client, widget_id: str) -> dict[str, str]:
    response = _new_visitor(client, widget_id)
    assert response.status_code == 201, response.text
    return bearer(response.json()["token"])


def _assert_429(response, at_least_s: int) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "rate_limited"
    assert at_least_s <= int(response.headers["retry-after"]) <= 3600


def test_one_address_creates_its_budget_of_visitors_across_widgets(client, limits, database_url):
    limits.address_visitor_rate = "2 per hour"
    shop, blog = run(new_widget(database_url)), run(new_widget(database_url))
    assert [_new_visitor(client, shop).status_code for _ in range(2)] == [201, 201]
    _assert_429(_new_visitor(client, blog), 3000)


def test_one_widget_gets_its_budget_of_visitors_whatever_the_address(client, limits, database_url):
    limits.widget_visitor_rate = "2 per hour"
    shop, blog = run(new_widget(database_url)), run(new_widget(database_url))
    assert [_new_visitor(client, shop).status_code for _ in range(2)] == [201, 201]
    _assert_429(_new_visitor(client, shop), 3000)
    assert _new_visitor(client, blog).status_code == 201


@pytest.mark.parametrize("budget", ["address_chat_rate", "widget_chat_rate"])
def test_chat_starts_have_a_budget_per_address_and_per_widget(client, limits, active_chat, budget):
    setattr(limits, budget, "2 per hour")
    visitor = active_chat["new_visitor"]()
    for _ in range(2):
        chat = client.post("/api/v1/chats", json={}, headers=visitor)
        assert chat.status_code == 201
        assert client.post(f"/api/v1/chats/{chat.json()['chat']['id']}/end", headers=visitor).status_code == 200
    _assert_429(client.post("/api/v1/chats", json={}, headers=visitor), 3000)


def test_queued_chats_are_capped_per_address_and_places_come_back(client, limits, active_chat, monkeypatch):
    monkeypatch.setattr(budgets, "QUEUE_PLACE_CHECKED_AFTER_S", 0)  # places are checked at once, not after 10 s
    limits.address_queued_chats = 2
    visitors = [active_chat["new_visitor"]() for _ in range(3)]
    queued = [client.post("/api/v1/chats", json={}, headers=visitor) for visitor in visitors[:2]]
    assert [response.status_code for response in queued] == [201, 201]
    _assert_429(client.post("/api/v1/chats", json={}, headers=visitors[2]), 1)
    assert client.get("/api/v1/chats", headers=visitors[2]).json()["chats"] == []  # nothing was started
    accepted = client.post(f"/api/v1/chats/{queued[0].json()['chat']['id']}/accept", headers=active_chat["agent"])
    assert accepted.status_code == 200
    assert client.post("/api/v1/chats", json={}, headers=visitors[2]).status_code == 201


@pytest.mark.parametrize("budget", ["address_upload_byte_rate", "widget_upload_byte_rate"])
def test_visitors_upload_bytes_have_a_budget_per_address_and_per_widget(client, limits, active_chat, budget):
    setattr(limits, budget, "1000 per hour")

    def upload(who: str):
        return client.post(f"/api/v1/chats/{active_chat['chat_id']}/attachments", headers=active_chat[who],
                           files={"file": ("notes.txt", b"a" * 400, "text/plain")})

    assert upload("visitor").status_code == 201  # about 600 bytes with the multipart framing
    _assert_429(upload("visitor"), 3000)
    assert upload("agent").status_code == 201  # agents are not anonymous: their own upload rate applies


@pytest.mark.parametrize(("fields", "problem"), [
    ({"question": "x" * 1001}, "fields.question"),
    ({f"answer_{i}": "x" * 900 for i in range(5)}, "fields"),
    ({"x" * 41: "yes"}, "fields." + "x" * 41 + ".[key]"),
])
def test_pre_chat_answers_over_the_size_cap_are_422(client, database_url, fields, problem):
    response = _new_visitor(client, run(new_widget(database_url)), fields=fields)
    assert response.status_code == 422
    assert problem in response.json()["error"]["fields"]


def test_pre_chat_answers_up_to_the_cap_are_kept(client, database_url):
    fields = {f"answer_{i}": "x" * 700 for i in range(5)}
    assert _new_visitor(client, run(new_widget(database_url)), fields=fields).status_code == 201
