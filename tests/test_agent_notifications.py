"""Mail to agents who turned email notifications on: a new ticket in a department they serve, a ticket
someone else assigned to them; received by a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import PASSWORD, bearer, run
from tests.mail_helpers import mailing_fixture, received
from tests.realtime_helpers import new_widget

mailing = pytest.fixture(mailing_fixture, name="mailing")


def _opt_in(client, login, agent: dict, on: bool = True) -> dict[str, str]:
    headers = bearer(login(agent)["token"])
    changed = client.patch("/api/v1/agents/me/preferences", json={"email_notifications": on}, headers=headers)
    assert changed.status_code == 200 and changed.json()["preferences"]["email_notifications"] is on
    return headers


def test_new_tickets_and_assignments_mail_the_agents_who_asked(mailing, sink, database_url, make_agent):
    def login(agent):
        return mailing.post("/api/v1/auth/login", json={"email": agent["email"], "password": PASSWORD}).json()

    admin = bearer(login(make_agent(role="admin", name="Alan Admin"))["token"])
    elsewhere = mailing.post("/api/v1/departments", json={"name": f"Sales {uuid.uuid4().hex[:6]}"},
                             headers=admin).json()["id"]
    serving, quiet, other = make_agent(name="Grace"), make_agent(name="Quiet"), make_agent(name="Other")
    _opt_in(mailing, login, serving)
    _opt_in(mailing, login, quiet, on=False)
    _opt_in(mailing, login, other)
    assert mailing.patch(f"/api/v1/agents/{other['id']}", json={"department_ids": [elsewhere]},
                         headers=admin).status_code == 200

    widget_id = run(new_widget(database_url))
    ticket_id = mailing.post(f"/api/v1/widgets/{widget_id}/offline-messages", json={
        "name": "Marie Curie", "email": "marie@example.com", "body": "Where is my parcel?"}).json()["ticket_id"]
    new = received(sink, serving["email"])
    assert new["Subject"] == "New ticket: Where is my parcel?"
    text = new.get_body(("plain",)).get_content()
    assert "Marie Curie opened the ticket" in text and f"/workspace/#/tickets/{ticket_id}" in text

    assert mailing.patch(f"/api/v1/tickets/{ticket_id}", json={"assignee_id": serving["id"]},
                         headers=admin).status_code == 200
    assigned = received(sink, serving["email"], count=2)
    assert assigned["Subject"] == "Assigned to you: Where is my parcel?"
    assert "Alan Admin assigned you the ticket" in assigned.get_body(("plain",)).get_content()
    # The same assignee again, or a status change: nothing new to tell.
    assert mailing.patch(f"/api/v1/tickets/{ticket_id}", json={"assignee_id": serving["id"], "status": "pending"},
                         headers=admin).status_code == 200
    marker = mailing.post(f"/api/v1/widgets/{widget_id}/offline-messages", json={
        "name": "Ada", "email": "ada@example.com", "body": "Second question"})
    assert marker.status_code == 201
    assert received(sink, serving["email"], count=3)["Subject"] == "New ticket: Second question"
    assert [m["Subject"] for m in sink.messages() if m["To"] == serving["email"]] == [
        "New ticket: Where is my parcel?", "Assigned to you: Where is my parcel?", "New ticket: Second question"]
    assert not [m for m in sink.messages() if m["To"] in (quiet["email"], other["email"])]
