"""Internal notes: agents see them; the visitor never does, over REST, SSE, read marks or transcripts."""

from __future__ import annotations

import uuid

from chatdesk.bench.client import Client
from tests.realtime_helpers import ChatMirror, EventLog, connected_agent, department_with, new_widget, online_agent

NOTE = "internal: customer is on the legacy plan"


def _send(client, chat, who, body, internal=False):
    return client.post(f"/api/v1/chats/{chat['chat_id']}/messages", headers=chat[who],
                       json={"client_msg_id": str(uuid.uuid4()), "body": body, "internal": internal})


def _page(client, chat, who, after_seq=0):
    response = client.get(f"/api/v1/chats/{chat['chat_id']}/messages", headers=chat[who],
                          params={"after_seq": after_seq})
    assert response.status_code == 200
    return response.json()


def test_agents_see_the_note_and_visitors_page_skips_it_with_a_consistent_last_seq(client, active_chat):
    before = _send(client, active_chat, "visitor", "hello").json()["message"]
    note = _send(client, active_chat, "agent", NOTE, internal=True)
    assert note.status_code == 201 and note.json()["message"]["internal"] is True
    assert note.json()["message"]["seq"] == before["seq"] + 1
    agent_page = _page(client, active_chat, "agent")
    assert [m["body"] for m in agent_page["messages"]][-1] == NOTE
    assert agent_page["last_seq"] == note.json()["message"]["seq"]

    visitor_page = _page(client, active_chat, "visitor")
    assert NOTE not in str(visitor_page)
    assert all(m["internal"] is False for m in visitor_page["messages"])
    # The visitor's last_seq is the last message they can see: gap filling after it finds nothing and stops.
    assert visitor_page["last_seq"] == before["seq"] == visitor_page["messages"][-1]["seq"]
    assert _page(client, active_chat, "visitor", after_seq=before["seq"]) == {"messages": [],
                                                                              "last_seq": before["seq"]}
    chat = client.get(f"/api/v1/chats/{active_chat['chat_id']}", headers=active_chat["visitor"]).json()["chat"]
    assert chat["last_seq"] == before["seq"]
    listed = client.get("/api/v1/chats", headers=active_chat["visitor"]).json()["chats"]
    assert [c["last_seq"] for c in listed if c["id"] == active_chat["chat_id"]] == [before["seq"]]
    client.post(f"/api/v1/chats/{active_chat['chat_id']}/read", headers=active_chat["agent"],
                json={"seq": note.json()["message"]["seq"]})
    chat = client.get(f"/api/v1/chats/{active_chat['chat_id']}", headers=active_chat["visitor"]).json()["chat"]
    assert chat["agent_read_seq"] == before["seq"]  # the agent's mark on the note shows as the visible last

    after = _send(client, active_chat, "agent", "public again").json()["message"]
    visitor_page = _page(client, active_chat, "visitor", after_seq=before["seq"])
    assert [m["seq"] for m in visitor_page["messages"]] == [after["seq"]] and visitor_page["last_seq"] == after["seq"]


def test_visitors_cannot_write_notes_or_read_past_what_they_see(client, active_chat):
    refused = _send(client, active_chat, "visitor", "let me in", internal=True)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert "let me in" not in str(_page(client, active_chat, "agent"))
    note_seq = _send(client, active_chat, "agent", NOTE, internal=True).json()["message"]["seq"]
    read = client.post(f"/api/v1/chats/{active_chat['chat_id']}/read", headers=active_chat["visitor"],
                       json={"seq": note_seq})
    assert read.status_code == 422 and "seq" in read.json()["error"]["fields"]


def test_transcripts_and_tickets_leave_notes_out(client, active_chat):
    _send(client, active_chat, "visitor", "my order is late")
    _send(client, active_chat, "agent", NOTE, internal=True)
    for who in ("visitor", "agent"):
        for fmt in ("text", "html"):
            transcript = client.get(f"/api/v1/chats/{active_chat['chat_id']}/transcript",
                                    params={"format": fmt}, headers=active_chat[who])
            assert transcript.status_code == 200 and "my order is late" in transcript.text
            assert NOTE not in transcript.text
    # A ticket made from the chat keeps no copy of it (the workspace, agents only, shows the chat's messages).
    ticket_id = client.post(f"/api/v1/chats/{active_chat['chat_id']}/ticket", headers=active_chat["agent"]).json()
    ticket = client.get(f"/api/v1/tickets/{ticket_id['ticket_id']}", headers=active_chat["agent"]).json()
    assert NOTE not in str(ticket) and ticket["chat_id"] == active_chat["chat_id"]


def test_a_file_sent_with_a_note_is_not_the_visitors_to_download(client, active_chat):
    upload = client.post(f"/api/v1/chats/{active_chat['chat_id']}/attachments", headers=active_chat["agent"],
                         files={"file": ("notes.txt", b"agents only", "text/plain")})
    assert upload.status_code == 201
    attachment = upload.json()["attachment"]
    sent = client.post(f"/api/v1/chats/{active_chat['chat_id']}/messages", headers=active_chat["agent"], json={
        "client_msg_id": "with-file", "body": NOTE, "internal": True, "attachment_ids": [attachment["id"]]})
    assert sent.status_code == 201
    assert client.get(attachment["url"], headers=active_chat["agent"]).content == b"agents only"
    assert client.get(attachment["url"], headers=active_chat["visitor"]).status_code == 404


async def test_notes_never_reach_the_visitors_stream_and_gap_filling_stays_finite(live_server, database_url,
                                                                                   make_agent):
    agent = await online_agent(live_server, make_agent())
    visitor = Client(live_server)
    await visitor.register_visitor(await new_widget(database_url), name="Vi")
    chat = await visitor.start_chat()
    await agent.accept(chat["id"])
    agent_log, visitor_log = EventLog(agent), EventLog(visitor)
    mirror = ChatMirror(visitor)
    try:
        await visitor_log.wait_for(lambda e: e.type == "ready")
        await visitor.send(chat["id"], "hi")
        note = (await agent.request("POST", f"/api/v1/chats/{chat['id']}/messages", json={
            "client_msg_id": "note-1", "body": NOTE, "internal": True}))[1]["message"]
        await agent.read(chat["id"], note["seq"])
        await agent.send(chat["id"], "after the note")
        await agent.end(chat["id"])
        await visitor_log.wait_for(lambda e: e.type == "chat.ended")
        await agent_log.wait_for(lambda e: e.type == "message.created" and e.data["message"]["body"] == NOTE)

        assert NOTE not in str([e.data for e in visitor_log.events])
        reads = [e.data["seq"] for e in visitor_log.events if e.type == "message.read"
                 and e.data["reader"]["type"] == "agent"]
        assert reads == [note["seq"] - 1]  # the agent read the note; the visitor learns only of what they saw
        ended = next(e.data["chat"] for e in visitor_log.events if e.type == "chat.ended")
        for event in visitor_log.events:
            await mirror.apply(event)
        seen = mirror.messages[chat["id"]]
        assert NOTE not in str(seen) and max(seen) == ended["last_seq"]
        assert mirror.gaps_filled == 1  # the jump over the note's seq: one REST fetch, then in step again
    finally:
        for log in (agent_log, visitor_log):
            await log.close()
        for client in (agent, visitor):
            await client.close()



async def _transcript(client: Client, base_url: str, chat_id: str) -> str:
    async with client.session.get(f"{base_url}/api/v1/chats/{chat_id}/transcript", params={"format": "text"},
                                  headers={"Authorization": f"Bearer {client.token}"}) as response:
        assert response.status == 200
        return await response.text()


def _notes(messages: list[dict]) -> list[tuple[str, str]]:
    return [(m["sender"]["name"], m["body"]) for m in messages if m["internal"]]


async def test_a_transfer_note_reaches_agents_only_and_the_visitor_reads_a_neutral_line(live_server, database_url,
                                                                                       make_agent):
    ada_json, bob_json = make_agent(name="Ada", max_chats=2), make_agent(name="Bob", max_chats=2)
    department = await department_with(database_url, [ada_json["id"], bob_json["id"]], mode="broadcast")
    ada, ada_log = await connected_agent(live_server, ada_json)
    bob, bob_log = await connected_agent(live_server, bob_json)
    visitor = Client(live_server)
    await visitor.register_visitor(await new_widget(database_url), name="Vi")
    visitor_log = EventLog(visitor)
    to_bob, to_queue = "NOTE-1 refund approved, customer is angry", "NOTE-2 needs the billing team"
    try:
        await visitor_log.wait_for(lambda e: e.type == "ready")
        chat = await visitor.start_chat(department)
        await ada.accept(chat["id"])
        await ada.request("POST", f"/api/v1/chats/{chat['id']}/transfer",
                          json={"agent_id": bob_json["id"], "note": to_bob})
        note = (await bob_log.wait_for(lambda e: e.type == "message.created"
                                       and e.data["message"]["body"] == to_bob)).data["message"]
        assert note["internal"] is True and note["sender"]["name"] == "Ada"
        await bob.request("POST", f"/api/v1/chats/{chat['id']}/transfer",
                          json={"department_id": department, "note": to_queue})
        await visitor_log.wait_for(lambda e: e.type == "chat.transferred" and e.data["chat"]["status"] == "queued")
        await ada.accept(chat["id"])  # whoever takes the chat from the queue finds the note in its history
        assert _notes(await ada.messages_after(chat["id"])) == [("Ada", to_bob), ("Bob", to_queue)]
        await visitor_log.wait_for(lambda e: e.type == "chat.assigned")

        seen = await visitor.messages_after(chat["id"])
        lines = [m["body"] for m in seen if m["sender"]["type"] == "system"]
        assert "You're now chatting with Bob" in lines
        assert any(line.startswith("Your chat was passed to dept-") for line in lines)
        for text in (to_bob, to_queue):
            assert text not in str(seen)
            assert text not in str([e.data for e in visitor_log.events])
            for reader in (visitor, ada):
                assert text not in await _transcript(reader, live_server, chat["id"])
        ticket_id = (await ada.request("POST", f"/api/v1/chats/{chat['id']}/ticket"))[1]["ticket_id"]
        ticket = (await ada.request("GET", f"/api/v1/tickets/{ticket_id}"))[1]
        assert ticket["chat_id"] == chat["id"] and "NOTE-" not in str(ticket)  # no copy of the thread
    finally:
        for log in (ada_log, bob_log, visitor_log):
            await log.close()
        for client in (ada, bob, visitor):
            await client.close()
