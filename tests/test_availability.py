"""Who can take a chat now (chatdesk/desk/availability.py): widget settings and chat start give one answer."""

from __future__ import annotations

from tests.conftest import bearer, run
from tests.realtime_helpers import department_with, new_widget


def _departments(client, widget_id: str) -> dict[str, dict]:
    settings = client.get(f"/api/v1/widgets/{widget_id}/settings").json()
    return {department["id"]: department for department in settings["departments"]}


def test_an_agent_only_in_department_b_leaves_department_a_closed(client, make_agent, login, database_url):
    agent = make_agent()
    served = run(department_with(database_url, [agent["id"]]))  # B: the agent's only department
    unserved = run(department_with(database_url, []))  # A: nobody's
    token = login(agent)["token"]
    assert client.put("/api/v1/agents/me/status", json={"status": "online"}, headers=bearer(token)).status_code == 200
    widget_id = run(new_widget(database_url))
    listed = _departments(client, widget_id)
    assert listed[unserved]["available"] is False
    assert listed[served]["available"] is True
    visitor = bearer(client.post(f"/api/v1/widgets/{widget_id}/visitors", json={"name": "Ada"}).json()["token"])
    refused = client.post("/api/v1/chats", json={"department_id": unserved}, headers=visitor)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "no_agents_online"
    assert client.post("/api/v1/chats", json={"department_id": served}, headers=visitor).status_code == 201


def test_an_agent_going_away_closes_their_department_in_the_widget(client, make_agent, login, database_url):
    agent = make_agent()
    department = run(department_with(database_url, [agent["id"]]))
    headers = bearer(login(agent)["token"])
    widget_id = run(new_widget(database_url))
    client.put("/api/v1/agents/me/status", json={"status": "online"}, headers=headers)
    assert _departments(client, widget_id)[department]["available"] is True
    client.put("/api/v1/agents/me/status", json={"status": "away"}, headers=headers)
    assert _departments(client, widget_id)[department]["available"] is False
