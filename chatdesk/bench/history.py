"""`chatdesk bench history`: one page of 50 messages from a long chat, over HTTP."""

from __future__ import annotations

import random
import time
import uuid
from datetime import timedelta

from chatdesk.bench.accounts import signed_in_admin
from chatdesk.bench.client import Client
from chatdesk.bench.stats import percentiles
from chatdesk.db.engine import connect

PAGE = 50


async def fill_chat(database_url: str, chat_id: str, visitor_id: str, messages: int, *,
                    agent: tuple[str, str] | None = None) -> None:
    """Write `messages` messages straight into the chat (the thread's normal rules: seq 1..n).

    With an `agent` (id, name), every third message is theirs; the messages are spread over the
    past, a minute apart, so a thread shows days and groups.
    """
    conn = await connect(database_url)
    try:
        async with conn.transaction():
            start = await conn.fetchval("SELECT last_seq FROM chatdesk.chats WHERE id = $1::uuid FOR UPDATE", chat_id)
            now = await conn.fetchval("SELECT now()")
            visitor = ("visitor", uuid.UUID(visitor_id), "Bench")
            records = []
            for i in range(1, messages + 1):
                sender = ("agent", uuid.UUID(agent[0]), agent[1]) if agent and i % 3 == 0 else visitor
                body = f"history message {i} " + "lorem ipsum " * (i % 9)
                records.append((uuid.uuid4(), uuid.UUID(chat_id), start + i, f"bench-{i}", *sender,
                                body, now - timedelta(minutes=messages - i)))
            await conn.copy_records_to_table(
                "messages", schema_name="chatdesk", records=records,
                columns=["id", "chat_id", "seq", "client_msg_id", "sender_type", "sender_id", "sender_name", "body",
                         "created_at"])
            await conn.execute("UPDATE chatdesk.chats SET last_seq = $2 WHERE id = $1::uuid", chat_id, start + messages)
    finally:
        await conn.close()


async def run_history(base_url: str, admin_email: str, admin_password: str, database_url: str, *, messages: int,
                      samples: int) -> dict:
    """p50/p95/p99 of `GET .../messages?after_seq=X&limit=50` at random places in a long chat."""
    async with signed_in_admin(base_url, admin_email, admin_password, "bench history") as (session, admin, widget):
        await admin.set_status("online")
        _, department = await admin.request("POST", "/api/v1/departments", json={
            "name": f"bench history {uuid.uuid4().hex[:6]}", "routing_mode": "broadcast"})
        _, me = await admin.request("GET", "/api/v1/agents/me")
        await admin.request("PATCH", f"/api/v1/agents/{me['id']}", json={"department_ids": [department["id"]]})
        visitor = Client(base_url, session=session)
        visitor_id = await visitor.register_visitor(widget["id"], name="Bench")
        chat = await visitor.start_chat(department["id"])
        await admin.accept(chat["id"])
        await fill_chat(database_url, chat["id"], visitor_id, messages)
        timings = []
        for _ in range(samples):
            after = random.randrange(0, messages - PAGE)
            started = time.perf_counter()
            _, page = await visitor.request("GET", f"/api/v1/chats/{chat['id']}/messages",
                                            params={"after_seq": after, "limit": PAGE})
            timings.append((time.perf_counter() - started) * 1000)
            if len(page["messages"]) != PAGE:
                raise RuntimeError(f"a page had {len(page['messages'])} messages instead of {PAGE}")
    return {"messages": messages, "page": PAGE, "ms": percentiles(timings)}
