"""Routing: offers, timeouts, broadcast races, queue positions, transfers, ratings."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
import redis.asyncio as aioredis
import sqlalchemy as sa

from chatdesk.bench.client import ApiError, Client
from chatdesk.db.engine import create_engine
from chatdesk.db.tables import agents, visitors
from chatdesk.desk.agents import create_agent
from chatdesk.desk.auth.principal import Principal
from chatdesk.desk.chats import create_chat
from chatdesk.desk.transactions import Tx
from chatdesk.realtime.presence import SEEN_KEY
from tests.conftest import PASSWORD, run
from tests.realtime_helpers import (
    EventLog,
    connected_agent,
    department_with,
    new_widget,
    online_agent,
    wait_until,
)


async def _visitor(base_urls, widget_id: str, name: str) -> tuple[Client, EventLog]:
    visitor = Client(base_urls)
    await visitor.register_visitor(widget_id, name=name)
    log = EventLog(visitor)
    await log.wait_for(lambda e: e.type == "ready")
    return visitor, log


async def _close(*things) -> None:
    for thing in things:
        await thing.close()


async def test_offer_goes_to_the_least_busy_agent_and_times_out_to_the_next(live_server, make_agent, database_url):
    busy_json, idle_json = make_agent(max_chats=3), make_agent(max_chats=3)  # equally busy: either may win
    department = await department_with(database_url, [busy_json["id"], idle_json["id"]], accept_timeout_s=5)
    busy, busy_log = await connected_agent(live_server, busy_json)
    idle, idle_log = await connected_agent(live_server, idle_json)
    widget = await new_widget(database_url)
    first, first_log = await _visitor(live_server, widget, "First")
    chat = await first.start_chat(department)
    offered_log = await _first_offer(busy_log, idle_log, chat["id"])
    other_log = idle_log if offered_log is busy_log else busy_log
    # Nobody accepts: after the department's 5 s the offer moves to the other agent.
    await offered_log.wait_for(lambda e: e.type == "chat.offer_withdrawn" and e.data["chat_id"] == chat["id"], 15)
    moved = await other_log.wait_for(lambda e: e.type == "chat.offered" and e.data["chat"]["id"] == chat["id"], 5)
    assert moved.data["expires_at"]
    await _close(first_log, busy_log, idle_log, first, busy, idle)


async def _first_offer(log_a: EventLog, log_b: EventLog, chat_id: str) -> EventLog:
    """Which of two agents got the offer."""
    async def wait(log: EventLog) -> EventLog:
        await log.wait_for(lambda e: e.type == "chat.offered" and e.data["chat"]["id"] == chat_id)
        return log

    done, pending = await asyncio.wait([asyncio.create_task(wait(log_a)), asyncio.create_task(wait(log_b))],
                                       timeout=10, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    return done.pop().result()


async def test_least_busy_wins_the_offer(live_server, make_agent, database_url):
    loaded_json, free_json = make_agent(max_chats=3), make_agent(max_chats=3)
    department = await department_with(database_url, [loaded_json["id"], free_json["id"]])
    loaded, loaded_log = await connected_agent(live_server, loaded_json)
    widget = await new_widget(database_url)
    early, early_log = await _visitor(live_server, widget, "Early")
    early_chat = await early.start_chat(department)
    await loaded_log.wait_for(lambda e: e.type == "chat.offered")
    await loaded.accept(early_chat["id"])
    free, free_log = await connected_agent(live_server, free_json)
    late, late_log = await _visitor(live_server, widget, "Late")
    late_chat = await late.start_chat(department)
    await free_log.wait_for(lambda e: e.type == "chat.offered" and e.data["chat"]["id"] == late_chat["id"])
    assert not [e for e in loaded_log.events if e.type == "chat.offered" and e.data["chat"]["id"] == late_chat["id"]]
    await _close(early_log, late_log, loaded_log, free_log, early, late, loaded, free)


async def test_broadcast_two_agents_accept_at_once_exactly_one_wins(live_server, serve, make_agent, database_url):
    other_server = serve().base_url
    a_json, b_json = make_agent(), make_agent()
    department = await department_with(database_url, [a_json["id"], b_json["id"]], mode="broadcast")
    a, a_log = await connected_agent(live_server, a_json)
    b, b_log = await connected_agent(other_server, b_json)
    visitor, visitor_log = await _visitor(live_server, await new_widget(database_url), "Racer")
    chat = await visitor.start_chat(department)
    await a_log.wait_for(lambda e: e.type == "queue.updated" and e.data["department_id"] == department)
    assert not [e for e in a_log.events if e.type == "chat.offered"]  # broadcast makes no offers
    results = await asyncio.gather(a.accept(chat["id"]), b.accept(chat["id"]), return_exceptions=True)
    wins = [r for r in results if isinstance(r, dict)]
    losses = [r for r in results if isinstance(r, ApiError)]
    assert len(wins) == 1 and len(losses) == 1 and losses[0].status == 409
    await visitor_log.wait_for(lambda e: e.type == "chat.assigned")
    await _close(a_log, b_log, visitor_log, a, b, visitor)


async def test_queue_positions_reach_each_visitor_in_order(live_server, make_agent, database_url):
    agent_json = make_agent(max_chats=2)
    department = await department_with(database_url, [agent_json["id"]])
    agent, agent_log = await connected_agent(live_server, agent_json)
    accepted: list[str] = []

    async def accept_offers() -> None:
        seen = 0
        while True:
            await agent_log.wait_for(lambda e: sum(x.type == "chat.offered" for x in agent_log.events) > seen, 30)
            offers = [e for e in agent_log.events if e.type == "chat.offered"]
            for offer in offers[seen:]:
                await agent.accept(offer.data["chat"]["id"])
                accepted.append(offer.data["chat"]["id"])
            seen = len(offers)

    acceptor = asyncio.create_task(accept_offers())
    widget = await new_widget(database_url)
    visitors = []
    for i in range(5):
        client, log = await _visitor(live_server, widget, f"V{i}")
        chat = await client.start_chat(department)
        visitors.append((client, log, chat["id"]))
    for _client, log, _chat_id in visitors[:2]:
        await log.wait_for(lambda e: e.type == "chat.assigned", 10)
    for expected, (_client, log, _chat_id) in enumerate(visitors[2:], start=1):
        await log.wait_for(lambda e: e.type == "chat.queued" and e.data["chat"]["queue_position"] == expected)
    # Capacity frees one chat at a time; every waiting visitor sees their place move up by one.
    for round_ in range(3):
        await agent.end(accepted[round_])
        _next_client, next_log, _next_chat = visitors[2 + round_]
        await next_log.wait_for(lambda e: e.type == "chat.assigned", 10)
        for ahead, (_client, log, _chat_id) in enumerate(visitors[3 + round_:], start=1):
            await log.wait_for(lambda e: e.type == "chat.queued" and e.data["chat"]["queue_position"] == ahead)
    for _client, log, _chat_id in visitors:
        positions = [e.data["chat"]["queue_position"] for e in log.events if e.type == "chat.queued"]
        assert positions == sorted(positions, reverse=True), positions  # never moves back
    last_log = visitors[4][1]
    estimates = [e.data["chat"]["estimated_wait_s"] for e in last_log.events if e.type == "chat.queued"]
    assert estimates[0] is None or estimates[-1] is not None
    assert any(e is not None for e in estimates), "an estimate appears once chats have been assigned"
    acceptor.cancel()
    await _close(agent_log, agent, *(log for _, log, _ in visitors), *(client for client, _, _ in visitors))


async def test_transfer_to_an_agent_and_to_a_department_with_system_lines(live_server, make_agent, database_url):
    a_json, b_json = make_agent(max_chats=2), make_agent(max_chats=2)
    department = await department_with(database_url, [a_json["id"], b_json["id"]], mode="broadcast")
    a, a_log = await connected_agent(live_server, a_json)
    b, b_log = await connected_agent(live_server, b_json)
    visitor, visitor_log = await _visitor(live_server, await new_widget(database_url), "Moved")
    chat = await visitor.start_chat(department)
    await a.accept(chat["id"])
    _, moved = await a.request("POST", f"/api/v1/chats/{chat['id']}/transfer",
                               json={"agent_id": b_json["id"], "note": "billing question"})
    assert moved["chat"]["agent"]["id"] == b_json["id"]
    await b_log.wait_for(lambda e: e.type == "chat.transferred")
    await visitor_log.wait_for(lambda e: e.type == "chat.transferred")
    with pytest.raises(ApiError) as refused:
        await a.send(chat["id"], "not mine any more")
    assert refused.value.status == 403
    _, back = await b.request("POST", f"/api/v1/chats/{chat['id']}/transfer", json={"department_id": department})
    assert back["chat"]["status"] == "queued" and back["chat"]["agent"] is None
    bodies = [m["body"] for m in await visitor.messages_after(chat["id"]) if m["sender"]["type"] == "system"]
    assert f"You're now chatting with {b_json['name']}" in bodies
    assert any(b.startswith("Your chat was passed to dept-") for b in bodies)
    await _close(a_log, b_log, visitor_log, a, b, visitor)


async def test_rating_once_after_the_end_by_the_visitor_only(live_server, make_agent, database_url):
    agent_json = make_agent()
    department = await department_with(database_url, [agent_json["id"]], mode="broadcast")
    agent, agent_log = await connected_agent(live_server, agent_json)
    visitor, visitor_log = await _visitor(live_server, await new_widget(database_url), "Rater")
    chat = await visitor.start_chat(department)
    await agent.accept(chat["id"])
    url = f"/api/v1/chats/{chat['id']}/rating"
    statuses = []
    for who, body in [(visitor, {"score": "good"}), (agent, {"score": "good"})]:
        try:
            await who.request("POST", url, json=body)
        except ApiError as error:
            statuses.append(error.status)
    assert statuses == [409, 403]  # not before the end; never by the agent
    await visitor.end(chat["id"])
    _, rated = await visitor.request("POST", url, json={"score": "bad", "comment": "too slow"})
    assert rated["chat"]["status"] == "ended"
    with pytest.raises(ApiError) as second:
        await visitor.request("POST", url, json={"score": "good"})
    assert second.value.status == 409
    await agent_log.wait_for(lambda e: e.type == "chat.rated" and e.data["score"] == "bad")
    await _close(agent_log, visitor_log, agent, visitor)


def test_no_agents_online_is_409_for_that_department(client, make_agent, database_url, active_chat):
    offline = make_agent()
    department = run(department_with(database_url, [offline["id"]]))
    response = client.post("/api/v1/chats", json={"department_id": department}, headers=active_chat["new_visitor"]())
    assert response.status_code == 409 and response.json()["error"]["code"] == "no_agents_online"


async def test_an_agent_gone_past_the_grace_period_gets_no_offers_until_back(serve, make_agent, database_url,
                                                                             redis_url):
    server = serve(CHATDESK_PRESENCE_GRACE_S="1").base_url
    agent_json = make_agent()
    department = await department_with(database_url, [agent_json["id"]])
    agent, log = await connected_agent(server, agent_json)
    closed_at = time.time()
    await log.close()  # every stream of theirs is gone; status stays "online"
    visitor, visitor_log = await _visitor(server, await new_widget(database_url), "Patient")
    redis = aioredis.from_url(redis_url)
    seen = await wait_until(lambda: redis.zscore(SEEN_KEY, agent_json["id"]),
                            lambda score: score is not None and score >= closed_at)
    await redis.aclose()
    # The server saw the stream close at `seen`: let the grace period pass (elapsed time is the point).
    await asyncio.sleep(seen + 1.2 - time.time())
    chat = await visitor.start_chat(department)
    _, seen = await agent.request("GET", f"/api/v1/chats/{chat['id']}")
    assert seen["chat"]["offered_to"] is None, "offered to an agent whose streams are all gone"
    back_log = EventLog(agent)
    # Coming back wakes the router at once (well inside the department's 5 s accept timeout).
    offer = await back_log.wait_for(lambda e: e.type == "chat.offered" and e.data["chat"]["id"] == chat["id"], 3)
    ready = next(e for e in back_log.events if e.type == "ready")
    assert back_log.events.index(ready) < back_log.events.index(offer), "offered only once the agent was back"
    await _close(back_log, visitor_log, agent, visitor)


async def test_routing_rebuilds_from_postgresql_after_redis_is_flushed(live_server, make_agent, database_url,
                                                                        redis_url):
    agent_json = make_agent()
    department = await department_with(database_url, [agent_json["id"]])
    visitor, visitor_log = await _visitor(live_server, await new_widget(database_url), "Waiting")
    agent = await online_agent(live_server, agent_json)  # online, but no event stream yet
    chat = await visitor.start_chat(department)  # nobody connected: it waits in PostgreSQL
    await aioredis.from_url(redis_url).flushdb()
    log = EventLog(agent)
    await log.wait_for(lambda e: e.type == "chat.offered" and e.data["chat"]["id"] == chat["id"], 10)
    await _close(log, visitor_log, agent, visitor)


async def test_idle_chats_end_by_themselves(serve, make_agent, database_url):
    server = serve(CHATDESK_IDLE_END_MINUTES="0.02").base_url
    agent_json = make_agent()
    department = await department_with(database_url, [agent_json["id"]], mode="broadcast")
    agent, agent_log = await connected_agent(server, agent_json)
    visitor, visitor_log = await _visitor(server, await new_widget(database_url), "Quiet")
    chat = await visitor.start_chat(department)
    await agent.accept(chat["id"])
    ended = await visitor_log.wait_for(lambda e: e.type == "chat.ended", 15)
    assert ended.data["chat"]["id"] == chat["id"]
    lines = [m["body"] for m in await visitor.messages_after(chat["id"]) if m["sender"]["type"] == "system"]
    assert any("without messages" in line for line in lines)
    await _close(agent_log, visitor_log, agent, visitor)


async def test_raised_priority_is_served_first(live_server, make_agent, database_url):
    agent_json = make_agent(max_chats=1)
    department = await department_with(database_url, [agent_json["id"]])
    agent = await online_agent(live_server, agent_json)  # no stream yet: chats wait
    widget = await new_widget(database_url)
    first, first_log = await _visitor(live_server, widget, "First in line")
    second, second_log = await _visitor(live_server, widget, "Urgent")
    first_chat = await first.start_chat(department)
    second_chat = await second.start_chat(department)
    _, raised = await agent.request("PATCH", f"/api/v1/chats/{second_chat['id']}", json={"priority": 5})
    assert raised["chat"]["priority"] == 5
    await second_log.wait_for(lambda e: e.type == "chat.queued" and e.data["chat"]["queue_position"] == 1)
    await first_log.wait_for(lambda e: e.type == "chat.queued" and e.data["chat"]["queue_position"] == 2)
    log = EventLog(agent)
    offer = await log.wait_for(lambda e: e.type == "chat.offered", 5)
    assert offer.data["chat"]["id"] == second_chat["id"] and first_chat["id"] != second_chat["id"]
    await _close(log, first_log, second_log, agent, first, second)


async def test_raising_capacity_serves_the_queue_at_once(live_server, make_agent, database_url):
    agent_json = make_agent(max_chats=1)
    department = await department_with(database_url, [agent_json["id"]])
    agent, log = await connected_agent(live_server, agent_json)
    widget = await new_widget(database_url)
    first, first_log = await _visitor(live_server, widget, "First")
    second, second_log = await _visitor(live_server, widget, "Second")
    first_chat = await first.start_chat(department)
    await log.wait_for(lambda e: e.type == "chat.offered" and e.data["chat"]["id"] == first_chat["id"])
    second_chat = await second.start_chat(department)  # the agent is full: it waits
    engine = create_engine(database_url, pool_size=1)
    async with engine.begin() as conn:
        admin_json = await create_agent(conn, email=f"cap-admin-{second_chat['id'][:8]}@example.com", name="Admin",
                                        role="admin", password=PASSWORD)
    await engine.dispose()
    admin = Client(live_server)
    await admin.sign_in(admin_json["email"], PASSWORD)
    await admin.request("PATCH", f"/api/v1/agents/{agent_json['id']}", json={"max_chats": 2})
    await log.wait_for(lambda e: e.type == "chat.offered" and e.data["chat"]["id"] == second_chat["id"], 0.5)
    await _close(log, first_log, second_log, agent, first, second, admin)


async def test_a_burst_of_new_chats_tells_only_the_visitors_whose_place_moved(live_server, make_agent, database_url):
    member = make_agent(max_chats=1)
    department = await department_with(database_url, [member["id"]])
    member_client = await online_agent(live_server, member)  # online without a stream: chats wait
    watcher, watcher_log = await connected_agent(live_server, make_agent())  # serves the default department only
    widget = await new_widget(database_url)
    first, first_log = await _visitor(live_server, widget, "First")
    await first.start_chat(department)
    others = await asyncio.gather(*(_visitor(live_server, widget, f"V{i}") for i in range(20)))
    chat_ids = [chat["id"] for chat in await asyncio.gather(*(c.start_chat(department) for c, _ in others))]

    def told(log: EventLog) -> list[int]:
        return [e.data["chat"]["queue_position"] for e in log.events if e.type == "chat.queued"]

    await watcher_log.wait_for(
        lambda e: e.type == "queue.updated" and e.data["department_id"] == department and e.data["waiting"] == 21)
    _, listed = await member_client.request("GET", "/api/v1/chats", params={"status": "queued"})
    places = {chat["id"]: chat["queue_position"] for chat in listed["chats"]}
    for chat_id, (_, log) in zip(chat_ids, others, strict=True):
        await log.wait_for(lambda e: e.type == "chat.queued" and e.data["chat"]["queue_position"] == places[chat_id])
        assert told(log) == sorted(told(log), reverse=True)  # never moves back
    assert told(first_log) == [1]  # everyone joined behind: the first visitor's place never moved
    updates = [e for e in watcher_log.events if e.type == "queue.updated" and e.data["department_id"] == department]
    assert len(updates) < 21, "a burst is told in a few coalesced updates, not one per chat"
    await _close(watcher_log, first_log, *(log for _, log in others), watcher, member_client, first,
                 *(client for client, _ in others))


async def test_chats_join_a_queue_in_commit_order(make_agent, database_url):
    """A chat whose creation starts while another's is still open waits its turn, then is stamped
    after it: a place already told never goes up because an earlier chat committed late."""
    agent = make_agent()
    department = uuid.UUID(await department_with(database_url, [agent["id"]]))
    widget = uuid.UUID(await new_widget(database_url))
    engine = create_engine(database_url, pool_size=3)
    try:
        async with engine.begin() as conn:
            await conn.execute(agents.update().where(agents.c.id == agent["id"]).values(status="online"))
            first_visitor, second_visitor = (await conn.execute(
                visitors.insert().values([{"widget_id": widget}, {"widget_id": widget}]).returning(visitors.c.id)
            )).scalars().all()

        async def start(visitor_id: uuid.UUID, conn) -> object:
            principal = Principal(kind="visitor", id=visitor_id, role="visitor", widget_id=widget)
            return await create_chat(Tx(conn), principal, department)

        async with engine.begin() as first_conn:
            first = await start(first_visitor, first_conn)

            async def second_in_its_own_transaction() -> object:
                async with engine.begin() as conn:
                    return await start(second_visitor, conn)

            second_task = asyncio.create_task(second_in_its_own_transaction())
            async with engine.connect() as watcher:  # the second creation waits for the first's turn
                await wait_until(lambda: _advisory_waiters(watcher), lambda waiting: waiting == 1)
            assert not second_task.done()
        second = await second_task
        assert first.created_at < second.created_at
    finally:
        await engine.dispose()


async def _advisory_waiters(conn) -> int:
    return (await conn.execute(sa.text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"))).scalar_one()
