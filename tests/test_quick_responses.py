"""Quick responses: shared ones for admins to manage, personal ones for each agent."""

from __future__ import annotations

import secrets

import pytest

from tests.conftest import bearer

URL = "/api/v1/quick-responses"


@pytest.fixture
def people(make_agent, login):
    """An admin and two agents, as auth headers."""
    return {role: bearer(login(make_agent("admin" if role == "admin" else "agent"))["token"])
            for role in ("admin", "agent", "other")}


def _shortcut() -> str:
    return f"hello-{secrets.token_hex(3)}"


def _create(client, headers, shortcut, shared=False, body="Hi {{visitor.name}}, {{agent.name}} here."):
    return client.post(URL, headers=headers, json={"shortcut": shortcut, "title": "Greeting", "body": body,
                                                   "shared": shared})


def _shortcuts(client, headers) -> list[str]:
    response = client.get(URL, headers=headers)
    assert response.status_code == 200
    return [r["shortcut"] for r in response.json()["quick_responses"]]


def test_admin_shares_a_response_every_agent_reads(client, people):
    shortcut = _shortcut()
    created = _create(client, people["admin"], shortcut, shared=True)
    assert created.status_code == 201
    expected = {"shortcut": shortcut, "shared": True, "owner_id": None,
                "body": "Hi {{visitor.name}}, {{agent.name}} here."}
    assert {key: created.json()[key] for key in expected} == expected
    assert shortcut in _shortcuts(client, people["agent"]) and shortcut in _shortcuts(client, people["other"])


def test_personal_responses_are_their_owners_alone(client, people):
    shortcut = _shortcut()
    mine = _create(client, people["agent"], shortcut)
    assert mine.status_code == 201 and mine.json()["shared"] is False
    assert shortcut in _shortcuts(client, people["agent"])
    assert shortcut not in _shortcuts(client, people["other"]) and shortcut not in _shortcuts(client, people["admin"])
    url = f"{URL}/{mine.json()['id']}"
    for stranger in ("other", "admin"):
        assert client.patch(url, headers=people[stranger], json={"title": "Mine now"}).status_code == 404
        assert client.delete(url, headers=people[stranger]).status_code == 404
    changed = client.patch(url, headers=people["agent"], json={"title": "Hello there", "body": "Hello!"})
    assert changed.status_code == 200 and changed.json()["title"] == "Hello there"
    assert client.delete(url, headers=people["agent"]).status_code == 204
    assert shortcut not in _shortcuts(client, people["agent"])
    assert client.delete(url, headers=people["agent"]).status_code == 404


def test_agents_may_not_create_change_or_delete_shared_ones(client, people):
    refused = _create(client, people["agent"], _shortcut(), shared=True)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    shared = _create(client, people["admin"], _shortcut(), shared=True).json()
    url = f"{URL}/{shared['id']}"
    assert client.patch(url, headers=people["agent"], json={"title": "Hijacked"}).status_code == 403
    assert client.delete(url, headers=people["agent"]).status_code == 403
    assert client.patch(url, headers=people["admin"], json={"shortcut": "renamed-" + shared["shortcut"]}).json()[
        "shortcut"] == "renamed-" + shared["shortcut"]
    assert client.delete(url, headers=people["admin"]).status_code == 204


def test_a_shortcut_is_unique_within_its_scope_only(client, people):
    shortcut = _shortcut()
    assert _create(client, people["admin"], shortcut, shared=True).status_code == 201
    duplicate = _create(client, people["admin"], shortcut, shared=True)
    assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "conflict"
    assert _create(client, people["agent"], shortcut).status_code == 201  # personal scope
    assert _create(client, people["agent"], shortcut).status_code == 409
    assert _create(client, people["other"], shortcut).status_code == 201
    other = _create(client, people["agent"], _shortcut()).json()
    renamed = client.patch(f"{URL}/{other['id']}", headers=people["agent"], json={"shortcut": shortcut})
    assert renamed.status_code == 409


@pytest.mark.parametrize(("changes", "field"), [
    ({"shortcut": "Has Space"}, "shortcut"),
    ({"shortcut": "/slash"}, "shortcut"),
    ({"shortcut": ""}, "shortcut"),
    ({"title": ""}, "title"),
    ({"title": "t" * 81}, "title"),
    ({"body": "   "}, "body"),
    ({"body": "x" * 2001}, "body"),
    ({"body": "Hi {{visitor.phone}}"}, "body"),
    ({"shared": "maybe"}, "shared"),
])
def test_invalid_fields_are_422_by_name(client, people, changes, field):
    payload = {"shortcut": _shortcut(), "title": "Greeting", "body": "Hello"} | changes
    response = client.post(URL, headers=people["admin"], json=payload)
    assert response.status_code == 422 and field in response.json()["error"]["fields"]


def test_unknown_placeholder_message_lists_the_known_ones(client, people):
    response = _create(client, people["agent"], _shortcut(), body="Hi {{ visitor.phone }}")
    message = response.json()["error"]["fields"]["body"]
    assert "{{visitor.phone}}" in message and "{{visitor.email}}" in message


def test_visitors_and_strangers_get_nothing(client, active_chat):
    client.cookies.clear()  # the fixtures' sign-ins left a session cookie
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers=active_chat["visitor"]).status_code == 403
    missing = f"{URL}/00000000-0000-0000-0000-000000000000"
    assert client.patch(missing, headers=active_chat["agent"], json={"title": "x"}).status_code == 404
