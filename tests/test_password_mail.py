"""Forgot password and invitations over the API, the mails taken from a real SMTP server (aiosmtpd):
links work once, expire, say nothing about which accounts exist, and set passwords that sign in."""

from __future__ import annotations

import re
import uuid

import pytest
from starlette.testclient import TestClient

from chatdesk.desk.auth.password_links import issue_link_token
from chatdesk.web.api.auth import RESET_ANSWER
from tests.conftest import PASSWORD, bearer
from tests.mail_helpers import mailing_fixture, received
from tests.workspace_helpers import sql

mailing = pytest.fixture(mailing_fixture, name="mailing")
NEW_PASSWORD = "a brand new password"
LINK = re.compile(r"https?://\S+/workspace/#/(reset|invite)/(\S+)")


def link_in(message) -> tuple[str, str]:
    """(purpose, token) of the link in both parts of a mail."""
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    purpose, token = LINK.search(text).groups()
    assert f"#/{purpose}/{token}" in html
    return purpose, token


def signs_in(client: TestClient, email: str, password: str) -> bool:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password}).status_code == 200


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(mailing, sink, make_agent, login):
    agent = make_agent()
    old_session = login(agent)["token"]
    answer = mailing.post("/api/v1/auth/password-reset", json={"email": agent["email"].upper()})
    assert answer.status_code == 202 and answer.json() == {"message": RESET_ANSWER}
    message = received(sink, agent["email"])
    assert message["Subject"] == "Choose a new chatdesk password"
    purpose, token = link_in(message)
    assert purpose == "reset"
    body = {"token": token, "new_password": NEW_PASSWORD}
    done = mailing.post("/api/v1/auth/password-reset/confirm", json=body)
    assert done.status_code == 200 and done.json() == {"email": agent["email"]}
    assert mailing.get("/api/v1/agents/me", headers=bearer(old_session)).status_code == 401
    assert signs_in(mailing, agent["email"], NEW_PASSWORD) and not signs_in(mailing, agent["email"], PASSWORD)
    again = mailing.post("/api/v1/auth/password-reset/confirm", json={**body, "new_password": "yet another one!"})
    assert again.status_code == 400 and again.json()["error"]["code"] == "used_link"
    assert "used already" in again.json()["error"]["message"]


def test_a_reset_clears_a_one_time_password(mailing, sink, make_agent):
    agent = make_agent(must_change_password=True)
    mailing.post("/api/v1/auth/password-reset", json={"email": agent["email"]})
    _, token = link_in(received(sink, agent["email"]))
    assert mailing.post("/api/v1/auth/password-reset/confirm",
                        json={"token": token, "new_password": NEW_PASSWORD}).status_code == 200
    signed_in = mailing.post("/api/v1/auth/login", json={"email": agent["email"], "password": NEW_PASSWORD})
    assert signed_in.json()["agent"]["must_change_password"] is False


def test_unknown_and_deactivated_accounts_get_the_same_answer_and_no_mail(mailing, sink, make_agent, login):
    gone = make_agent()
    admin = bearer(login(make_agent(role="admin"))["token"])
    assert mailing.delete(f"/api/v1/agents/{gone['id']}", headers=admin).status_code == 204
    known = make_agent()
    answers = [mailing.post("/api/v1/auth/password-reset", json={"email": email})
               for email in ("nobody@example.com", gone["email"], known["email"])]
    assert {(a.status_code, a.text) for a in answers} == {(202, answers[2].text)}
    received(sink, known["email"])
    assert {m["To"] for m in sink.messages()} == {known["email"]}


def test_reset_requests_are_limited_per_email_and_per_address(mailing, settings, make_agent):
    agent = make_agent()
    statuses = [mailing.post("/api/v1/auth/password-reset", json={"email": agent["email"]}).status_code
                for _ in range(4)]
    assert statuses == [202, 202, 202, 429]
    # The address's budget (10 per 15 minutes) runs out over other emails too.
    others = [mailing.post("/api/v1/auth/password-reset", json={"email": f"x{n}@example.com"})
              for n in range(7)]
    assert [a.status_code for a in others] == [202] * 6 + [429]
    assert others[-1].headers["Retry-After"] and "rate_limited" in others[-1].text


@pytest.mark.parametrize(("token", "code"), [("nonsense", "invalid_link"), ("", "validation_error")])
def test_a_forged_link_is_refused_in_plain_words(mailing, token, code):
    answer = mailing.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD})
    assert answer.status_code in (400, 422) and answer.json()["error"]["code"] == code


def test_an_expired_link_or_one_for_another_purpose_is_refused(mailing, settings, database_url, make_agent):
    agent = make_agent()
    password_hash = _password_hash(database_url, agent["id"])
    expired = issue_link_token(settings.secret(), "reset", uuid.UUID(agent["id"]), password_hash, valid_for_s=-1)
    answer = mailing.post("/api/v1/auth/password-reset/confirm", json={"token": expired, "new_password": NEW_PASSWORD})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "expired_link"
    reset = issue_link_token(settings.secret(), "reset", uuid.UUID(agent["id"]), password_hash)
    answer = mailing.post("/api/v1/auth/invitation/accept", json={"token": reset, "new_password": NEW_PASSWORD})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_link"
    short = mailing.post("/api/v1/auth/password-reset/confirm", json={"token": reset, "new_password": "short"})
    assert short.status_code == 422 and "at least 10" in short.json()["error"]["fields"]["new_password"]


def _password_hash(database_url: str, agent_id: str) -> str:
    return sql(database_url, "SELECT password_hash FROM chatdesk.agents WHERE id = $1", uuid.UUID(agent_id))[0][0]


def invite(client: TestClient, admin: dict, **values) -> dict:
    body = {"email": f"new-{uuid.uuid4().hex[:8]}@example.com", "name": "Grace Hopper", **values}
    answer = client.post("/api/v1/agents/invitations", json=body, headers=admin)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_an_invited_agent_chooses_a_password_by_the_link_and_signs_in(mailing, sink, make_agent, login):
    admin_account = make_agent(role="admin", name="Ada Admin")
    admin = bearer(login(admin_account)["token"])
    department = mailing.post("/api/v1/departments", json={"name": f"Sales {uuid.uuid4().hex[:6]}"},
                              headers=admin).json()["id"]
    invited = invite(mailing, admin, role="supervisor", department_ids=[department])
    assert invited["invited_at"] and invited["role"] == "supervisor" and invited["department_ids"] == [department]
    message = received(sink, invited["email"])
    assert message["Subject"] == "Ada Admin invited you to chatdesk"
    assert "Welcome to chatdesk, Grace Hopper" in message.get_body(("plain",)).get_content()
    purpose, token = link_in(message)
    assert purpose == "invite"
    assert not signs_in(mailing, invited["email"], PASSWORD)
    done = mailing.post("/api/v1/auth/invitation/accept", json={"token": token, "new_password": NEW_PASSWORD})
    assert done.status_code == 200 and done.json() == {"email": invited["email"]}
    assert signs_in(mailing, invited["email"], NEW_PASSWORD)
    [listed] = [a for a in mailing.get("/api/v1/agents", headers=admin).json()["agents"] if a["id"] == invited["id"]]
    assert listed["invited_at"] is None
    resend = mailing.post(f"/api/v1/agents/{invited['id']}/invitation", headers=admin)
    assert resend.status_code == 409 and "chosen a password already" in resend.json()["error"]["message"]


def test_a_resent_invitation_voids_the_older_link(mailing, sink, make_agent, login):
    admin = bearer(login(make_agent(role="admin"))["token"])
    invited = invite(mailing, admin)
    _, first = link_in(received(sink, invited["email"]))
    assert mailing.post(f"/api/v1/agents/{invited['id']}/invitation", headers=admin).status_code == 200
    _, second = link_in(received(sink, invited["email"], count=2))
    old = mailing.post("/api/v1/auth/invitation/accept", json={"token": first, "new_password": NEW_PASSWORD})
    assert old.status_code == 400 and old.json()["error"]["code"] == "used_link"
    assert mailing.post("/api/v1/auth/invitation/accept",
                        json={"token": second, "new_password": NEW_PASSWORD}).status_code == 200


def test_an_invitation_to_a_taken_email_is_refused_and_sends_nothing(mailing, sink, make_agent, login):
    admin = bearer(login(make_agent(role="admin"))["token"])
    taken = make_agent()
    answer = mailing.post("/api/v1/agents/invitations", json={"email": taken["email"], "name": "Twin"}, headers=admin)
    assert answer.status_code == 409
    assert not [m for m in sink.messages() if m["To"] == taken["email"]]


def test_email_notifications_are_a_preference_off_by_default(client, make_agent, login):
    headers = bearer(login(make_agent())["token"])
    assert client.get("/api/v1/agents/me", headers=headers).json()["preferences"]["email_notifications"] is False
    changed = client.patch("/api/v1/agents/me/preferences", json={"email_notifications": True}, headers=headers)
    assert changed.json()["preferences"]["email_notifications"] is True


def test_a_one_time_password_from_an_admin_supersedes_the_invitation(mailing, sink, make_agent, login):
    admin = bearer(login(make_agent(role="admin"))["token"])
    invited = invite(mailing, admin)
    _, token = link_in(received(sink, invited["email"]))
    reset = mailing.post(f"/api/v1/agents/{invited['id']}/password-reset", headers=admin).json()
    assert reset["agent"]["invited_at"] is None and reset["agent"]["must_change_password"] is True
    late = mailing.post("/api/v1/auth/invitation/accept", json={"token": token, "new_password": NEW_PASSWORD})
    assert late.status_code == 400 and late.json()["error"]["code"] == "used_link"
