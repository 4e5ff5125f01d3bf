"""The pre-chat consent line: a widget that requires it starts no chat without the tick, and a tick is
recorded on the visitor with its time, for the visitor panel."""

from __future__ import annotations

from tests.conftest import bearer

CONSENT = {"consent_text": "I agree that my details are used to answer me.",
           "consent_url": "https://shop.example.com/privacy", "consent_required": True}


def test_required_consent_is_asked_before_a_chat_and_recorded_when_given(client, make_agent, login):
    admin = bearer(login(make_agent(role="admin"))["token"])
    assert client.put("/api/v1/agents/me/status", json={"status": "online"}, headers=admin).status_code == 200
    widget = client.post("/api/v1/widgets", headers=admin, json={"name": "Shop", "settings": CONSENT}).json()
    assert client.get(f"/api/v1/widgets/{widget['id']}/settings").json()["consent_required"] is True
    registered = client.post(f"/api/v1/widgets/{widget['id']}/visitors", json={"name": "Marie"}).json()
    visitor = bearer(registered["token"])

    refused = client.post("/api/v1/chats", headers=visitor, json={})
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "validation_error" and error["fields"] == {"consent": "Tick this box to start the chat."}
    assert error["message"] == "Please agree to the privacy notice before starting the chat."
    profile = f"/api/v1/visitors/{registered['visitor_id']}"
    assert client.get(profile, headers=admin).json()["visitor"]["consented_at"] is None

    started = client.post("/api/v1/chats", headers=visitor, json={"consent": True})
    assert started.status_code == 201, started.text
    assert client.get(profile, headers=admin).json()["visitor"]["consented_at"] is not None


def test_a_widget_without_a_consent_line_asks_nothing_and_records_nothing(client, make_agent, login):
    admin = bearer(login(make_agent(role="admin"))["token"])
    assert client.put("/api/v1/agents/me/status", json={"status": "online"}, headers=admin).status_code == 200
    widget = client.post("/api/v1/widgets", headers=admin,
                         json={"name": "Plain", "settings": {"consent_required": True}}).json()
    registered = client.post(f"/api/v1/widgets/{widget['id']}/visitors", json={"name": "Bob"}).json()
    assert client.post("/api/v1/chats", headers=bearer(registered["token"]), json={"consent": True}).status_code == 201
    visitor = client.get(f"/api/v1/visitors/{registered['visitor_id']}", headers=admin).json()["visitor"]
    assert visitor["consented_at"] is None
    bad_url = client.patch(f"/api/v1/widgets/{widget['id']}", headers=admin,
                           json={"settings": {"consent_url": "javascript:alert(1)"}})
    assert bad_url.status_code == 422 and "settings.consent_url" in bad_url.json()["error"]["fields"]
