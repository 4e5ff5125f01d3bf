"""Tickets: from offline messages and chats, agents only; filters, counts, the timeline, events; transcripts."""

from __future__ import annotations

import uuid

from chatdesk.db import migrate
from tests.conftest import bearer, run
from tests.realtime_helpers import connected_agent, new_widget
from tests.test_migrations import _fetch


def _offline_ticket(client, widget_id: str, body: str = "Where is my parcel?") -> str:
    response = client.post(f"/api/v1/widgets/{widget_id}/offline-messages",
                           json={"name": "Grace", "email": "grace@example.com", "body": body})
    assert response.status_code == 201, response.text
    return response.json()["ticket_id"]


def _timeline(client, headers, ticket_id: str) -> list[str]:
    ticket = client.get(f"/api/v1/tickets/{ticket_id}", headers=headers).json()
    return [c["body"] for c in ticket["comments"] if c["author"]["type"] == "system"]


def test_offline_message_becomes_an_open_ticket_with_the_requester(client, active_chat, make_agent, login):
    settings = client.get("/api/v1/widgets", headers=bearer(login(make_agent("admin"))["token"])).json()
    widget_id = settings["widgets"][0]["id"]
    response = client.post(f"/api/v1/widgets/{widget_id}/offline-messages", json={
        "name": "Grace", "email": "grace@example.com", "body": "Where is my parcel?\nOrder 1234"})
    assert response.status_code == 201
    ticket = client.get(f"/api/v1/tickets/{response.json()['ticket_id']}", headers=active_chat["agent"]).json()
    assert ticket["requester"] == {"name": "Grace", "email": "grace@example.com"}
    assert ticket["status"] == "open" and ticket["source"] == "offline_message"
    assert ticket["subject"] == "Where is my parcel?"
    assert ticket["comments"][0]["body"] == "Where is my parcel?\nOrder 1234"


def test_offline_message_validation_and_unknown_widget(client):
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.post(f"/api/v1/widgets/{missing}/offline-messages",
                       json={"name": "A", "email": "a@example.com", "body": "hi"}).status_code == 404
    bad = client.post(f"/api/v1/widgets/{missing}/offline-messages", json={"name": "", "email": "nope", "body": ""})
    assert bad.status_code == 422 and set(bad.json()["error"]["fields"]) == {"name", "email", "body"}


def test_chat_to_ticket_once_assigned_to_its_maker_with_the_chat_as_transcript(client, active_chat):
    url = f"/api/v1/chats/{active_chat['chat_id']}"
    client.post(url + "/messages", headers=active_chat["visitor"],
                json={"client_msg_id": "t1", "body": "My <b>order</b>"})
    created = client.post(url + "/ticket", headers=active_chat["agent"])
    assert created.status_code == 201
    again = client.post(url + "/ticket", headers=active_chat["agent"])
    assert again.status_code == 200 and again.json() == created.json()
    ticket = client.get(f"/api/v1/tickets/{created.json()['ticket_id']}", headers=active_chat["agent"]).json()
    assert ticket["requester"]["name"] == "Ada" and ticket["source"] == "chat"
    assert ticket["chat_id"] == active_chat["chat_id"] and ticket["assignee"]["name"] == "Agent"
    # No text copy of the thread (UTC times, the chat id): the workspace shows the chat's messages.
    assert [(c["author"]["type"], c["body"]) for c in ticket["comments"]] == [
        ("system", "Agent made this ticket from the chat")]
    assert "My <b>order</b>" not in str(ticket)


def test_tickets_list_filter_comment_and_status(client, active_chat):
    url = f"/api/v1/chats/{active_chat['chat_id']}/ticket"
    ticket_id = client.post(url, headers=active_chat["agent"]).json()["ticket_id"]
    headers = active_chat["agent"]
    assert client.post(f"/api/v1/tickets/{ticket_id}/comments", json={"body": "Refund sent"},
                       headers=headers).status_code == 201
    solved = client.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "solved"}, headers=headers).json()
    assert solved["status"] == "solved"
    assert [c["body"] for c in solved["comments"]][-2:] == ["Refund sent", "Agent marked it solved"]
    listed = client.get("/api/v1/tickets", params={"status": "solved"}, headers=headers).json()["tickets"]
    assert ticket_id in [t["id"] for t in listed]
    assert all(t["status"] == "solved" for t in listed)
    assert client.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "closed"}, headers=headers).status_code == 422
    assert client.get(f"/api/v1/tickets/{uuid.uuid4()}", headers=headers).status_code == 404


def test_a_visitor_cannot_read_or_make_tickets(client, active_chat):
    made = client.post(f"/api/v1/chats/{active_chat['chat_id']}/ticket", headers=active_chat["agent"])
    ticket_id = made.json()["ticket_id"]
    visitor = active_chat["visitor"]
    for method, path in [("GET", "/api/v1/tickets"), ("GET", f"/api/v1/tickets/{ticket_id}"),
                         ("POST", f"/api/v1/chats/{active_chat['chat_id']}/ticket"),
                         ("PATCH", f"/api/v1/tickets/{ticket_id}")]:
        assert client.request(method, path, headers=visitor, json={}).status_code == 403, path


def test_transcript_as_text_and_escaped_html(client, active_chat):
    url = f"/api/v1/chats/{active_chat['chat_id']}"
    client.post(url + "/messages", headers=active_chat["visitor"],
                json={"client_msg_id": "x1", "body": "<script>alert(1)</script>"})
    text = client.get(url + "/transcript", headers=active_chat["visitor"])
    assert text.headers["content-type"].startswith("text/plain") and "Ada: <script>alert(1)</script>" in text.text
    page = client.get(url + "/transcript", params={"format": "html"}, headers=active_chat["agent"])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>" not in page.text
    stranger = active_chat["new_visitor"]()
    assert client.get(url + "/transcript", headers=stranger).status_code == 404


def test_the_default_view_lists_unassigned_tickets_and_mine_not_a_colleagues(client, active_chat, make_agent, login,
                                                                             database_url):
    me = active_chat["agent"]
    colleague = make_agent(name="Bob")
    unassigned = _offline_ticket(client, run(new_widget(database_url)))
    theirs = _offline_ticket(client, run(new_widget(database_url)))
    handed = client.patch(f"/api/v1/tickets/{theirs}", json={"assignee_id": colleague["id"]}, headers=me)
    assert handed.status_code == 200
    mine = client.post(f"/api/v1/chats/{active_chat['chat_id']}/ticket", headers=me).json()["ticket_id"]

    def listed(**params) -> list[str]:
        response = client.get("/api/v1/tickets", params=params, headers=me)
        assert response.status_code == 200, response.text
        return [t["id"] for t in response.json()["tickets"]]

    default = listed(assignee="me_or_none", status="unsolved")
    assert unassigned in default and mine in default and theirs not in default
    assert mine in listed(assignee="me") and unassigned not in listed(assignee="me")
    assert unassigned in listed(assignee="none") and mine not in listed(assignee="none")
    assert {unassigned, mine, theirs} <= set(listed())  # no filter: everyone's
    assert listed(assignee_id=colleague["id"]) == [theirs]
    client.patch(f"/api/v1/tickets/{mine}", json={"status": "solved"}, headers=me)
    assert mine not in listed(assignee="me_or_none", status="unsolved")
    assert mine in listed(assignee="me", status="solved")
    bad = client.get("/api/v1/tickets", params={"assignee": "everyone"}, headers=me)
    assert bad.status_code == 422 and "assignee" in bad.json()["error"]["fields"]


def test_counts_follow_new_assigned_and_solved_tickets(client, active_chat, database_url):
    me = active_chat["agent"]

    def counts() -> dict:
        response = client.get("/api/v1/tickets/counts", headers=me)
        assert response.status_code == 200
        return response.json()

    before = counts()
    first = _offline_ticket(client, run(new_widget(database_url)))
    second = _offline_ticket(client, run(new_widget(database_url)))
    assert counts()["unassigned_open"] == before["unassigned_open"] + 2
    client.patch(f"/api/v1/tickets/{first}", json={"assignee_id": _me(client, me)}, headers=me)
    assert counts() == {"unassigned_open": before["unassigned_open"] + 1,
                        "mine_unsolved": before["mine_unsolved"] + 1}
    client.patch(f"/api/v1/tickets/{second}", json={"status": "pending"}, headers=me)  # not new any more
    client.patch(f"/api/v1/tickets/{first}", json={"status": "solved"}, headers=me)
    assert counts() == before


def _me(client, headers) -> str:
    return client.get("/api/v1/agents/me", headers=headers).json()["id"]


def test_assign_reassign_unassign_and_status_leave_timeline_entries(client, make_agent, login, database_url):
    grace, ada = make_agent(name="Grace"), make_agent(name="Ada")
    as_grace, as_ada = bearer(login(grace)["token"]), bearer(login(ada)["token"])
    ticket = _offline_ticket(client, run(new_widget(database_url)))
    url = f"/api/v1/tickets/{ticket}"

    assigned = client.patch(url, json={"assignee_id": ada["id"]}, headers=as_grace).json()
    assert assigned["assignee"] == {"id": ada["id"], "name": "Ada"}
    client.patch(url, json={"assignee_id": grace["id"]}, headers=as_ada)  # Ada hands it to Grace
    client.patch(url, json={"assignee_id": ada["id"]}, headers=as_ada)  # and takes it back
    client.patch(url, json={"status": "solved"}, headers=as_ada)
    client.patch(url, json={"status": "solved"}, headers=as_ada)  # no change, no entry
    client.patch(url, json={"status": "open", "assignee_id": None}, headers=as_grace)
    assert _timeline(client, as_grace, ticket) == [
        "Grace assigned this to Ada", "Ada assigned this to Grace", "Ada took this from Grace",
        "Ada marked it solved", "Grace reopened it", "Grace unassigned Ada"]
    final = client.get(url, headers=as_grace).json()
    assert final["assignee"] is None and final["status"] == "open"
    system = [c for c in final["comments"] if c["author"]["type"] == "system"]
    assert system[0]["author"] == {"type": "system", "id": grace["id"], "name": "Grace"}

    client.patch(url, json={"assignee_id": grace["id"]}, headers=as_grace)
    client.patch(url, json={"assignee_id": None}, headers=as_grace)
    assert _timeline(client, as_grace, ticket)[-2:] == ["Grace took this", "Grace unassigned this"]


def test_only_an_active_agent_can_be_assigned(client, make_agent, login, database_url):
    admin = bearer(login(make_agent("admin"))["token"])
    leaver = make_agent(name="Leaver")
    assert client.delete(f"/api/v1/agents/{leaver['id']}", headers=admin).status_code in (200, 204)
    ticket = _offline_ticket(client, run(new_widget(database_url)))
    for assignee in (leaver["id"], str(uuid.uuid4())):
        refused = client.patch(f"/api/v1/tickets/{ticket}", json={"assignee_id": assignee}, headers=admin)
        assert refused.status_code == 422 and "assignee_id" in refused.json()["error"]["fields"]
    assert _timeline(client, admin, ticket) == []


async def test_agents_hear_of_new_tickets_and_their_changes(live_server, make_agent, database_url):
    grace, ada = make_agent(name="Grace"), make_agent(name="Ada")
    client, log = await connected_agent(live_server, grace)
    ada_client, ada_log = await connected_agent(live_server, ada)
    widget_id = await new_widget(database_url)
    _, created = await client.request("POST", f"/api/v1/widgets/{widget_id}/offline-messages",
                                      json={"name": "Lin", "email": "lin@example.com", "body": "Refund please"})
    ticket_id = created["ticket_id"]
    for each in (log, ada_log):  # every agent: the count of new tickets is everyone's
        event = await each.wait_for(lambda e: e.type == "ticket.created" and e.data["ticket"]["id"] == ticket_id)
        assert event.data["ticket"]["assignee"] is None and event.data["ticket"]["status"] == "open"
    await client.request("PATCH", f"/api/v1/tickets/{ticket_id}", json={"assignee_id": ada["id"]})
    updated = await ada_log.wait_for(lambda e: e.type == "ticket.updated" and e.data["ticket"]["id"] == ticket_id)
    assert updated.data["ticket"]["assignee"] == {"id": ada["id"], "name": "Ada"}
    await client.request("POST", f"/api/v1/tickets/{ticket_id}/comments", json={"body": "Called her"})
    await log.wait_for(lambda e: e.type == "ticket.updated" and e.data["ticket"]["id"] == ticket_id
                       and e.data["ticket"]["updated_at"] != updated.data["ticket"]["updated_at"])
    for closing in (log, ada_log, client, ada_client):
        await closing.close()


def test_the_migration_turns_stored_transcripts_into_a_timeline_entry_while_the_chat_exists(new_database):
    url = new_database()
    migrate.upgrade(url, "0006")
    legacy = run(_fetch(url, """
        WITH w AS (INSERT INTO chatdesk.widgets (name) VALUES ('Shop') RETURNING id),
        v AS (INSERT INTO chatdesk.visitors (widget_id, name) SELECT id, 'Ada' FROM w RETURNING id, widget_id),
        c AS (INSERT INTO chatdesk.chats (widget_id, visitor_id, department_id, status)
              SELECT v.widget_id, v.id, d.id, 'ended' FROM v, chatdesk.departments d RETURNING id),
        t AS (INSERT INTO chatdesk.tickets (subject, source, chat_id) SELECT 'Chat with Ada', 'chat', id FROM c
              RETURNING id, chat_id),
        orphan AS (INSERT INTO chatdesk.tickets (subject, source) VALUES ('Chat with Bo', 'chat') RETURNING id)
        INSERT INTO chatdesk.ticket_comments (ticket_id, author_type, author_name, body)
        SELECT id, 'system', 'chatdesk', 'Chat ' || chat_id || ' with Ada (no email)' || E'\\n\\n[...] Ada: hi' FROM t
        UNION ALL SELECT id, 'agent', 'Grace', 'Chat 1 with Ada, as I wrote it' FROM t
        UNION ALL SELECT id, 'system', 'chatdesk', 'Chat 1234 with Bo (no email)' FROM orphan
        RETURNING body"""))
    assert len(legacy) == 3
    migrate.upgrade(url)
    bodies = sorted(row["body"] for row in run(_fetch(url, "SELECT body FROM chatdesk.ticket_comments")))
    assert bodies == ["Chat 1 with Ada, as I wrote it", "Chat 1234 with Bo (no email)",
                      "This ticket was made from the chat"]
