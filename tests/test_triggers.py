"""Triggers (proactive greetings): admins' rules, their conditions, one firing per visitor and rule,
and the chat that answers one."""

from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace

import pytest

from chatdesk.db.engine import create_engine
from chatdesk.desk.auth.principal import Principal
from chatdesk.desk.triggers import conditions_hold, fire_trigger, url_matches
from tests.conftest import bearer, run
from tests.realtime_helpers import department_with, new_widget
from tests.workspace_helpers import sql

URL = "/api/v1/triggers"
PAGE = {"page_url": "https://shop.example/pricing?plan=pro", "seconds_on_page": 12, "visits": 2}


@pytest.fixture
def admin(make_agent, login):
    return bearer(login(make_agent("admin"))["token"])


@pytest.fixture
def open_department(database_url, client, make_agent, login) -> str:
    """A department of its own with one member online: it takes chats."""
    agent = make_agent()
    department_id = run(department_with(database_url, [agent["id"]]))
    assert client.put("/api/v1/agents/me/status", json={"status": "online"},
                      headers=bearer(login(agent)["token"])).status_code == 200
    return department_id


@pytest.fixture
def widget_id(database_url) -> str:
    return run(new_widget(database_url))


def _create(client, admin, widget_id, department_id, **fields):
    body = {"widget_id": widget_id, "department_id": department_id, "name": "Pricing help",
            "greeting": "Questions about plans?", **fields}
    response = client.post(URL, headers=admin, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _visitor(client, widget_id) -> dict:
    body = client.post(f"/api/v1/widgets/{widget_id}/visitors", json={"page_url": PAGE["page_url"]}).json()
    return {"id": body["visitor_id"], "headers": bearer(body["token"])}


def _fire(client, visitor, trigger_id, **page):
    return client.post(f"{URL}/{trigger_id}/firings", headers=visitor["headers"], json={**PAGE, **page})


@pytest.mark.parametrize(("pattern", "url", "matches"), [
    ("", "https://shop.example/", True),
    ("/pricing", "https://shop.example/pricing?plan=pro", True),
    ("/PRICING", "https://shop.example/pricing", True),
    ("/pricing", "https://shop.example/about", False),
    ("*/pricing*", "https://shop.example/pricing/pro", True),
    ("*/pricing", "https://shop.example/pricing/pro", False),
    ("https://shop.example/*", "https://other.example/shop.example/", False),
    ("*?plan=pro", "https://shop.example/pricing?plan=pro", True),  # ? and . are no wildcards
    ("*.example/p?icing*", "https://shop.example/pricing", False),
])
def test_url_patterns_are_parts_of_the_address_or_globs_with_a_star(pattern, url, matches):
    assert url_matches(pattern, url) is matches


@pytest.mark.parametrize(("seconds", "visits", "returning", "holds"), [
    (30, 1, "any", True),
    (29, 1, "any", False),  # not long enough on the page
    (30, 1, "returning", False),
    (30, 2, "returning", True),
    (30, 2, "new", False),
    (30, 1, "new", True),
])
def test_conditions_on_time_visits_and_returning(seconds, visits, returning, holds):
    rule = SimpleNamespace(url_pattern="/pricing", seconds_on_page=30, min_visits=1, returning_visitor=returning)
    assert conditions_hold(rule, "https://shop.example/pricing", seconds, visits) is holds


def test_admin_creates_lists_changes_and_deletes_a_trigger(client, admin, widget_id, open_department):
    created = _create(client, admin, widget_id, open_department, url_pattern=" */pricing* ", seconds_on_page=10,
                      min_visits=2, returning_visitor="returning")
    assert {key: created[key] for key in ("url_pattern", "seconds_on_page", "min_visits", "returning_visitor",
                                          "enabled", "only_when_open")} == {
        "url_pattern": "*/pricing*", "seconds_on_page": 10, "min_visits": 2, "returning_visitor": "returning",
        "enabled": True, "only_when_open": True}
    listed = client.get(URL, params={"widget_id": widget_id}, headers=admin).json()["triggers"]
    assert [trigger["id"] for trigger in listed] == [created["id"]]
    changed = client.patch(f"{URL}/{created['id']}", headers=admin, json={"enabled": False, "greeting": "Hello!"})
    assert changed.status_code == 200 and changed.json()["enabled"] is False
    assert changed.json()["greeting"] == "Hello!"
    assert client.delete(f"{URL}/{created['id']}", headers=admin).status_code == 204
    assert client.get(URL, params={"widget_id": widget_id}, headers=admin).json()["triggers"] == []
    assert client.delete(f"{URL}/{created['id']}", headers=admin).json()["error"]["code"] == "not_found"


def test_bad_rules_are_refused_in_plain_words(client, admin, widget_id, open_department):
    body = {"widget_id": widget_id, "department_id": open_department, "name": "  ", "greeting": "Hi",
            "seconds_on_page": -1, "returning_visitor": "sometimes"}
    refused = client.post(URL, headers=admin, json=body)
    assert refused.status_code == 422
    fields = refused.json()["error"]["fields"]
    assert set(fields) == {"name", "seconds_on_page", "returning_visitor"}
    assert "only spaces" in fields["name"]
    unknown = client.post(URL, headers=admin, json={**body, "name": "Hello", "seconds_on_page": 0,
                                                    "returning_visitor": "any", "department_id": str(uuid.uuid4())})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["fields"] == {"department_id": "No such department."}


def test_the_widget_settings_carry_enabled_rules_of_open_departments(client, admin, widget_id, open_department,
                                                                       database_url):
    closed = run(department_with(database_url, []))
    shown = _create(client, admin, widget_id, open_department, url_pattern="/pricing", seconds_on_page=5)
    _create(client, admin, widget_id, open_department, name="Off", enabled=False)
    _create(client, admin, widget_id, closed, name="Closed department")
    always = _create(client, admin, widget_id, closed, name="Closed but always", only_when_open=False)
    triggers = client.get(f"/api/v1/widgets/{widget_id}/settings").json()["triggers"]
    assert sorted(trigger["id"] for trigger in triggers) == sorted([shown["id"], always["id"]])
    pricing = next(trigger for trigger in triggers if trigger["id"] == shown["id"])
    assert pricing == {"id": shown["id"], "department": pricing["department"], "greeting": "Questions about plans?",
                       "url": "/pricing", "seconds": 5, "visits": 1, "returning": "any"}
    # Given the visitor's page and visits, only the rules that hold there.
    returning = _create(client, admin, widget_id, open_department, name="Welcome back", returning_visitor="returning")

    def holding(page_url: str, visits: int) -> set[str]:
        settings = client.get(f"/api/v1/widgets/{widget_id}/settings", params={"page_url": page_url, "visits": visits})
        return {trigger["id"] for trigger in settings.json()["triggers"]}

    assert holding("https://shop.example/pricing", 1) == {shown["id"], always["id"]}
    assert holding("https://shop.example/about", 3) == {always["id"], returning["id"]}


def test_a_visitor_is_greeted_once_per_rule(client, admin, widget_id, open_department):
    trigger = _create(client, admin, widget_id, open_department, url_pattern="/pricing")
    visitor = _visitor(client, widget_id)
    first = _fire(client, visitor, trigger["id"])
    assert first.status_code == 201 and first.json()["already_fired"] is False
    assert first.json()["firing"]["greeting"] == "Questions about plans?"
    again = _fire(client, visitor, trigger["id"], page_url="https://shop.example/elsewhere")
    assert again.status_code == 200 and again.json()["already_fired"] is True
    assert again.json()["firing"]["fired_at"] == first.json()["firing"]["fired_at"]
    assert _fire(client, _visitor(client, widget_id), trigger["id"]).status_code == 201  # another visitor


def test_firing_checks_the_conditions_and_the_department(client, admin, widget_id, open_department, database_url):
    visitor = _visitor(client, widget_id)
    elsewhere = _create(client, admin, widget_id, open_department, url_pattern="/checkout")
    refused = _fire(client, visitor, elsewhere["id"])
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "conditions_not_met"
    closed = _create(client, admin, widget_id, run(department_with(database_url, [])))
    shut = _fire(client, visitor, closed["id"])
    assert shut.status_code == 409 and shut.json()["error"]["code"] == "department_closed"
    off = _create(client, admin, widget_id, open_department, enabled=False)
    assert _fire(client, visitor, off["id"]).status_code == 404
    other_widget = _create(client, admin, run(new_widget(database_url)), open_department)
    assert _fire(client, visitor, other_widget["id"]).status_code == 404


def test_concurrent_firings_from_many_tabs_record_one(client, admin, widget_id, open_department, database_url):
    trigger = _create(client, admin, widget_id, open_department)
    visitor = _visitor(client, widget_id)
    principal = Principal(kind="visitor", id=uuid.UUID(visitor["id"]), role="visitor",
                          widget_id=uuid.UUID(widget_id))

    async def tabs(count: int) -> list[bool]:
        engine = create_engine(database_url, pool_size=count)
        start = asyncio.Event()

        async def tab() -> bool:
            await start.wait()
            async with engine.begin() as conn:
                firing = await fire_trigger(conn, principal, uuid.UUID(trigger["id"]), page_url=PAGE["page_url"],
                                            seconds_on_page=1, visits=1)
                return firing[1]

        try:
            racing = [asyncio.create_task(tab()) for _ in range(count)]
            start.set()
            return await asyncio.gather(*racing)
        finally:
            await engine.dispose()

    assert sorted(run(tabs(4))) == [False] * 3 + [True]
    rows = sql(database_url, "SELECT count(*) FROM chatdesk.trigger_firings WHERE trigger_id = $1",
               uuid.UUID(trigger["id"]))
    assert rows[0]["count"] == 1


def test_the_chat_that_follows_a_greeting_engages_it_and_opens_with_it(client, admin, widget_id, open_department,
                                                                        database_url):
    trigger = _create(client, admin, widget_id, open_department)
    visitor = _visitor(client, widget_id)
    assert _fire(client, visitor, trigger["id"]).status_code == 201
    # The pre-chat form, sent with the token the greeting got: the same visitor, with their name now.
    details = client.post(f"/api/v1/widgets/{widget_id}/visitors", headers=visitor["headers"],
                          json={"name": "Ada", "email": "ada@example.com"})
    assert details.json()["visitor_id"] == visitor["id"]
    chat = client.post("/api/v1/chats", headers=visitor["headers"], json={
        "department_id": open_department, "message": {"client_msg_id": "m1", "body": "Which plan?"}})
    assert chat.status_code == 201, chat.text
    assert chat.json()["chat"]["visitor"]["name"] == "Ada"
    chat_id = chat.json()["chat"]["id"]
    thread = client.get(f"/api/v1/chats/{chat_id}/messages", headers=visitor["headers"]).json()["messages"]
    department = sql(database_url, "SELECT name FROM chatdesk.departments WHERE id = $1", uuid.UUID(open_department))
    assert [(m["sender"]["type"], m["body"], m["system"]) for m in thread] == [  # the admin's words, as written
        ("system", f"{department[0]['name']}: Questions about plans?", None), ("visitor", "Which plan?", None)]
    [firing] = sql(database_url, "SELECT engaged_at, chat_id FROM chatdesk.trigger_firings WHERE trigger_id = $1",
                   uuid.UUID(trigger["id"]))
    assert firing["engaged_at"] is not None and str(firing["chat_id"]) == chat_id
