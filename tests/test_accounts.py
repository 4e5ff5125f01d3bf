"""Accounts: renaming, the display name customers see, changing one's own password, an admin's reset
with a one-time password, and the gate that holds a one-time sign-in to choosing a new password."""

from __future__ import annotations

import pytest

from chatdesk.bench.client import Client
from chatdesk.cli.provision import seed_if_empty
from tests.conftest import PASSWORD, bearer, migrated_database, run
from tests.realtime_helpers import EventLog, connected_agent, department_with, new_widget
from tests.workspace_helpers import sql

NEW_PASSWORD = "a brand new passphrase"


def _sign_in(client, email: str, password: str = PASSWORD):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def _headers(client, agent: dict, password: str = PASSWORD) -> dict[str, str]:
    response = _sign_in(client, agent["email"], password)
    assert response.status_code == 200, response.text
    return bearer(response.json()["token"])


def test_an_agent_renames_themselves_and_sets_the_name_customers_see(client, make_agent):
    headers = _headers(client, make_agent(name="Grace Hopper"))
    me = client.get("/api/v1/agents/me", headers=headers).json()
    assert (me["display_name"], me["public_name"]) == (None, "Grace Hopper")  # no display name: the account name

    changed = client.patch("/api/v1/agents/me", headers=headers, json={"name": "  Grace B. Hopper ",
                                                                     "display_name": " Grace "})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["name"], changed.json()["display_name"], changed.json()["public_name"]) == (
        "Grace B. Hopper", "Grace", "Grace")
    cleared = client.patch("/api/v1/agents/me", headers=headers, json={"display_name": ""}).json()
    assert (cleared["display_name"], cleared["public_name"]) == (None, "Grace B. Hopper")


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"name": "   "}, "name", "Enter a name."),
    ({"display_name": "x" * 61}, "display_name", None),
])
def test_a_rename_needs_a_name(client, make_agent, body, field, message):
    response = client.patch("/api/v1/agents/me", headers=_headers(client, make_agent()), json=body)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    if message:
        assert response.json()["error"]["fields"][field] == message


def test_an_admin_renames_an_agent_and_sets_their_display_name(client, make_agent):
    admin, agent = _headers(client, make_agent("admin")), make_agent(name="Bob")
    response = client.patch(f"/api/v1/agents/{agent['id']}", headers=admin,
                            json={"name": "Robert Builder", "display_name": "Bob from Acme"})
    assert response.status_code == 200
    listed = {a["id"]: a for a in client.get("/api/v1/agents", headers=admin).json()["agents"]}
    assert (listed[agent["id"]]["name"], listed[agent["id"]]["public_name"]) == ("Robert Builder", "Bob from Acme")


def test_changing_my_password_needs_the_current_one_and_signs_out_my_other_sessions(client, make_agent):
    agent = make_agent()
    here, elsewhere = _headers(client, agent), _headers(client, agent)
    url = "/api/v1/agents/me/password"

    wrong = client.post(url, headers=here, json={"current_password": "not it at all", "new_password": NEW_PASSWORD})
    assert wrong.status_code == 422
    assert wrong.json()["error"]["code"] == "wrong_password"
    assert wrong.json()["error"]["fields"] == {"current_password": "This is not your current password."}
    short = client.post(url, headers=here, json={"current_password": PASSWORD, "new_password": "short"})
    assert short.json()["error"]["fields"] == {"new_password": "Use at least 10 characters."}
    same = client.post(url, headers=here, json={"current_password": PASSWORD, "new_password": PASSWORD})
    assert same.status_code == 422 and "new_password" in same.json()["error"]["fields"]
    assert client.get("/api/v1/agents/me", headers=elsewhere).status_code == 200  # nothing changed yet

    changed = client.post(url, headers=here, json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status_code == 204
    assert client.get("/api/v1/agents/me", headers=here).status_code == 200  # this session stays
    assert client.get("/api/v1/agents/me", headers=elsewhere).status_code == 401  # the others are signed out
    assert _sign_in(client, agent["email"]).status_code == 401
    assert _sign_in(client, agent["email"], NEW_PASSWORD).json()["agent"]["must_change_password"] is False


def test_guessing_the_current_password_is_throttled_like_signing_in(client, make_agent):
    headers = _headers(client, make_agent())
    statuses = [client.post("/api/v1/agents/me/password", headers=headers,
                            json={"current_password": f"guess number {i}", "new_password": NEW_PASSWORD}).status_code
                for i in range(5)]
    assert statuses[:3] == [422, 422, 422] and statuses[-1] == 429


def test_an_admin_reset_gives_a_one_time_password_and_ends_the_agents_sessions(client, make_agent):
    admin, agent = _headers(client, make_agent("admin")), make_agent(name="Bob")
    old_session = _headers(client, agent)

    reset = client.post(f"/api/v1/agents/{agent['id']}/password-reset", headers=admin)
    assert reset.status_code == 200, reset.text
    assert reset.headers["cache-control"] == "no-store"  # no copy of the password stays behind
    one_time = reset.json()["password"]
    assert len(one_time) >= 10 and reset.json()["agent"]["must_change_password"] is True
    assert client.get("/api/v1/agents/me", headers=old_session).status_code == 401
    assert _sign_in(client, agent["email"]).status_code == 401  # the old password is gone

    signed_in = _sign_in(client, agent["email"], one_time)
    assert signed_in.status_code == 200 and signed_in.json()["agent"]["must_change_password"] is True
    headers = bearer(signed_in.json()["token"])
    assert client.get("/api/v1/agents/me", headers=headers).json()["must_change_password"] is True
    for method, path, body in [("GET", "/api/v1/chats", None), ("PUT", "/api/v1/agents/me/status", {"status": "on"}),
                               ("PATCH", "/api/v1/agents/me", {"name": "Bobby"}),
                               ("GET", "/api/v1/tickets", None), ("HEAD", "/api/v1/events", None)]:
        refused = client.request(method, path, headers=headers, json=body)
        assert refused.status_code == 403, (method, path)
        if method != "HEAD":
            assert refused.json()["error"] == {
                "code": "password_change_required", "request_id": refused.headers["x-request-id"],
                "message": "Choose a new password first: the one you signed in with was for one use only."}

    changed = client.post("/api/v1/agents/me/password", headers=headers,
                          json={"current_password": one_time, "new_password": NEW_PASSWORD})
    assert changed.status_code == 204
    assert client.get("/api/v1/chats", headers=headers).status_code == 200
    assert client.get("/api/v1/agents/me", headers=headers).json()["must_change_password"] is False


def test_a_password_an_admin_sets_is_one_time_too(client, make_agent):
    admin, agent = _headers(client, make_agent("admin")), make_agent()
    chosen = "chosen by the admin"
    assert client.patch(f"/api/v1/agents/{agent['id']}", headers=admin, json={"password": chosen}).status_code == 200
    assert _sign_in(client, agent["email"], chosen).json()["agent"]["must_change_password"] is True


def test_a_gated_agent_may_still_sign_out(client, make_agent):
    admin, agent = _headers(client, make_agent("admin")), make_agent()
    one_time = client.post(f"/api/v1/agents/{agent['id']}/password-reset", headers=admin).json()["password"]
    headers = _headers(client, agent, one_time)
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204


def test_admins_reset_others_not_themselves(client, make_agent):
    admin = make_agent("admin")
    response = client.post(f"/api/v1/agents/{admin['id']}/password-reset", headers=_headers(client, admin))
    assert response.status_code == 409
    assert response.json()["error"]["message"] == "Change your own password under Your account instead."


def test_the_first_admin_is_support_to_customers_and_must_choose_a_password(new_database):
    url = migrated_database(new_database)
    first = run(seed_if_empty(url))
    row = sql(url, "SELECT display_name, must_change_password FROM chatdesk.agents WHERE email = $1",
              first.admin_email)[0]
    assert (row["display_name"], row["must_change_password"]) == ("Support", True)


async def test_visitors_see_display_names_never_account_names(live_server, database_url, make_agent):
    grace = make_agent(name="Grace Hopper", display_name="Grace from Acme", max_chats=2)
    bob = make_agent(name="Robert Builder", display_name="Bob at Acme", max_chats=2)
    department = await department_with(database_url, [grace["id"], bob["id"]], mode="broadcast")
    grace_client, grace_log = await connected_agent(live_server, grace)
    bob_client, _ = await connected_agent(live_server, bob)
    visitor = Client(live_server)
    await visitor.register_visitor(await new_widget(database_url), name="Vi")
    visitor_log = EventLog(visitor)
    try:
        await visitor_log.wait_for(lambda e: e.type == "ready")
        chat = await visitor.start_chat(department)
        accepted = await grace_client.accept(chat["id"])
        assert accepted["agent"]["name"] == "Grace Hopper"  # agents see the account name
        assigned = await visitor_log.wait_for(lambda e: e.type == "chat.assigned")
        assert assigned.data["chat"]["agent"]["name"] == "Grace from Acme"
        await grace_client.typing(chat["id"])
        typing = await visitor_log.wait_for(lambda e: e.type == "typing")
        assert typing.data["who"]["name"] == "Grace from Acme"
        sent = await grace_client.send(chat["id"], "How can I help?")
        assert sent["sender"]["name"] == "Grace from Acme"
        note = (await grace_client.request("POST", f"/api/v1/chats/{chat['id']}/messages", json={
            "client_msg_id": "note", "body": "regular customer", "internal": True}))[1]["message"]
        assert note["sender"]["name"] == "Grace Hopper"  # a note is for agents: the account name
        await grace_client.request("POST", f"/api/v1/chats/{chat['id']}/transfer", json={"agent_id": bob["id"]})
        await bob_client.end(chat["id"])
        ended = await visitor_log.wait_for(lambda e: e.type == "chat.ended")
        assert ended.data["chat"]["agent"]["name"] == "Bob at Acme"

        seen = await visitor.messages_after(chat["id"])
        assert [m["body"] for m in seen if m["sender"]["type"] == "system"] == [
            "Grace from Acme joined the chat", "You're now chatting with Bob at Acme", "Chat ended by Bob at Acme"]
        assert [m["sender"]["name"] for m in seen if m["sender"]["type"] == "agent"] == ["Grace from Acme"]
        _, shown = await visitor.request("GET", f"/api/v1/chats/{chat['id']}")
        assert shown["chat"]["agent"]["name"] == "Bob at Acme"
        transcripts = []
        for fmt in ("text", "html"):
            async with visitor.session.get(f"{live_server}/api/v1/chats/{chat['id']}/transcript",
                                           params={"format": fmt}, headers=bearer(visitor.token)) as response:
                transcripts.append(await response.text())
        assert "Grace from Acme: How can I help?" in transcripts[0]
        everything = str([e.data for e in visitor_log.events]) + str(seen) + str(shown) + "".join(transcripts)
        for account_name in ("Grace Hopper", "Robert Builder"):
            assert account_name not in everything
    finally:
        await visitor_log.close()
        await grace_log.close()
        for each in (grace_client, bob_client, visitor):
            await each.close()
