"""Who serves a department, from the department's side: list, add and remove members (admins)."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from chatdesk.bench.client import Client
from chatdesk.db.engine import create_engine
from chatdesk.db.tables import audit_log
from tests.conftest import PASSWORD, bearer, run
from tests.realtime_helpers import connected_agent, department_with, new_widget, online_agent


def _admin(client, make_agent, login) -> tuple[dict, dict[str, str]]:
    admin = make_agent(role="admin")
    return admin, bearer(login(admin)["token"])


def _department(client, headers) -> str:
    created = client.post("/api/v1/departments", json={"name": f"Returns {secrets.token_hex(3)}"}, headers=headers)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def _serving(response) -> dict[str, bool]:
    assert response.status_code == 200, response.text
    return {agent["name"]: agent["member"] for agent in response.json()["agents"]}


async def _audited(database_url: str, department_id: str) -> list[tuple[str, str]]:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(sa.select(audit_log.c.action, audit_log.c.details)
                                      .where(audit_log.c.target_id == department_id).order_by(audit_log.c.id))
            return [(row.action, row.details.get("agent_id")) for row in rows]
    finally:
        await engine.dispose()


def test_admin_adds_and_removes_members_and_each_change_is_audited(client, make_agent, login, database_url):
    _, headers = _admin(client, make_agent, login)
    department = _department(client, headers)
    ada, grace = make_agent(name="Ada Lovelace"), make_agent(name="Grace Hopper")
    assert _serving(client.get(f"/api/v1/departments/{department}/agents", headers=headers)) == {}

    url = f"/api/v1/departments/{department}/agents"
    assert _serving(client.put(f"{url}/{ada['id']}", headers=headers)) == {"Ada Lovelace": True}
    assert _serving(client.put(f"{url}/{grace['id']}", headers=headers)) == {"Ada Lovelace": True, "Grace Hopper": True}
    assert _serving(client.put(f"{url}/{ada['id']}", headers=headers)) == {"Ada Lovelace": True, "Grace Hopper": True}
    assert _serving(client.delete(f"{url}/{ada['id']}", headers=headers)) == {"Grace Hopper": True}
    assert _serving(client.delete(f"{url}/{ada['id']}", headers=headers)) == {"Grace Hopper": True}  # idempotent
    assert _serving(client.get(url, headers=headers)) == {"Grace Hopper": True}

    # The agent's own view agrees: a member of exactly this department.
    me = client.get("/api/v1/agents/me", headers=bearer(login(grace)["token"])).json()
    assert me["department_ids"] == [department]
    # Only changes are audited: the second add and the second removal changed nothing.
    assert run(_audited(database_url, department)) == [
        ("department.create", None), ("department.add_agent", ada["id"]), ("department.add_agent", grace["id"]),
        ("department.remove_agent", ada["id"])]


def test_the_default_department_lists_agents_in_no_department_as_serving_it(client, make_agent, login):
    _, headers = _admin(client, make_agent, login)
    default = client.get("/api/v1/departments", headers=headers).json()["departments"][0]
    assert default["is_default"]
    loose = make_agent(name=f"Loose {secrets.token_hex(3)}")
    url = f"/api/v1/departments/{default['id']}/agents"
    assert _serving(client.get(url, headers=headers))[loose["name"]] is False
    elsewhere = _department(client, headers)
    client.put(f"/api/v1/departments/{elsewhere}/agents/{loose['id']}", headers=headers)
    assert loose["name"] not in _serving(client.get(url, headers=headers))  # in a department now: not the default's
    assert _serving(client.put(f"{url}/{loose['id']}", headers=headers))[loose["name"]] is True


def test_unknown_department_or_agent_is_404_and_a_deactivated_agent_409(client, make_agent, login):
    _, headers = _admin(client, make_agent, login)
    department = _department(client, headers)
    nobody = "00000000-0000-0000-0000-000000000000"
    for method, path in [("GET", f"/api/v1/departments/{nobody}/agents"),
                         ("PUT", f"/api/v1/departments/{nobody}/agents/{make_agent()['id']}"),
                         ("DELETE", f"/api/v1/departments/{nobody}/agents/{make_agent()['id']}"),
                         ("PUT", f"/api/v1/departments/{department}/agents/{nobody}")]:
        response = client.request(method, path, headers=headers)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found", (method, path)
    gone = make_agent(name="Gone Agent")
    assert client.delete(f"/api/v1/agents/{gone['id']}", headers=headers).status_code == 204
    refused = client.put(f"/api/v1/departments/{department}/agents/{gone['id']}", headers=headers)
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == "Gone Agent is deactivated: reactivate them first."


def test_membership_decides_what_the_widget_offers(client, make_agent, login, database_url):
    _, headers = _admin(client, make_agent, login)
    department = _department(client, headers)
    agent = make_agent()
    assert client.put("/api/v1/agents/me/status", json={"status": "online"},
                      headers=bearer(login(agent)["token"])).status_code == 200
    widget = run(new_widget(database_url))

    def available() -> bool:
        settings = client.get(f"/api/v1/widgets/{widget}/settings").json()
        return next(d for d in settings["departments"] if d["id"] == department)["available"]

    assert available() is False
    client.put(f"/api/v1/departments/{department}/agents/{agent['id']}", headers=headers)
    assert available() is True
    client.delete(f"/api/v1/departments/{department}/agents/{agent['id']}", headers=headers)
    assert available() is False


async def test_a_new_member_gets_the_departments_waiting_chat(live_server, make_agent, database_url):
    """A chat waits in an auto department whose only member is online without a stream; an agent added
    from the department's side is offered it."""
    absent, newcomer = make_agent(), make_agent()
    department = await department_with(database_url, [absent["id"]], accept_timeout_s=60)
    absent_client = await online_agent(live_server, absent)  # online, but no event stream: no offers
    visitor = Client(live_server)
    await visitor.register_visitor(await new_widget(database_url), name="Waiting")
    chat = await visitor.start_chat(department)
    agent, log = await connected_agent(live_server, newcomer)
    admin = Client(live_server)
    await admin.sign_in(make_agent(role="admin")["email"], PASSWORD)
    status, _ = await admin.request("PUT", f"/api/v1/departments/{department}/agents/{newcomer['id']}")
    assert status == 200
    await log.wait_for(lambda e: e.type == "chat.offered" and e.data["chat"]["id"] == chat["id"], 10)
    for closing in (log, agent, visitor, admin, absent_client):
        await closing.close()
