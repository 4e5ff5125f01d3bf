"""Business hours per department: the admin API, availability while closed (widget settings, chat
start, routing) and closing time, when waiting chats become tickets exactly once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, time, timedelta

import redis.asyncio as aioredis
import sqlalchemy as sa

from chatdesk.db.engine import create_engine
from chatdesk.db.tables import agents, chats, departments, messages, tickets, visitors
from chatdesk.desk.auth.principal import Principal
from chatdesk.desk.chats import create_chat
from chatdesk.desk.closing_time import CLOSED_LINE, close_waiting_chats
from chatdesk.desk.hours import DAYS
from chatdesk.desk.routing import offer_next
from chatdesk.desk.transactions import Transactions, Tx
from chatdesk.realtime.outbox import Outbox
from chatdesk.realtime.streams import Streams
from tests.conftest import bearer, run
from tests.realtime_helpers import department_with, new_widget


def closed_now(zone: str = "UTC") -> tuple[dict, datetime]:
    """Hours open one hour a week, two days from now (so closed now), and that opening as a UTC instant."""
    opening = datetime.combine((datetime.now(UTC) + timedelta(days=2)).date(), time(9), tzinfo=UTC)
    hours = {"time_zone": zone, "weekly": [{"day": DAYS[opening.weekday()], "start": "09:00", "end": "10:00"}],
             "holidays": []}
    return hours, opening


def test_an_admin_sets_and_removes_a_departments_hours(client, make_agent, login):
    admin = bearer(login(make_agent(role="admin"))["token"])
    department = client.post("/api/v1/departments", headers=admin, json={"name": f"Hours {uuid.uuid4().hex[:6]}"}
                             ).json()
    assert department["hours"] is None and department["open_now"]
    hours = {"time_zone": "Europe/Berlin", "holidays": ["2026-12-25"], "weekly": [
        {"day": "mon", "start": "09:00", "end": "12:00"}, {"day": "mon", "start": "13:00", "end": "17:00"}]}
    set_hours = client.put(f"/api/v1/departments/{department['id']}/hours", headers=admin, json=hours)
    assert set_hours.status_code == 200 and set_hours.json()["hours"] == hours
    listed = client.get("/api/v1/departments", headers=admin).json()["departments"]
    assert next(d for d in listed if d["id"] == department["id"])["hours"] == hours
    removed = client.delete(f"/api/v1/departments/{department['id']}/hours", headers=admin)
    assert removed.status_code == 200 and removed.json()["hours"] is None and removed.json()["open_now"]


def test_hours_that_cannot_be_are_refused_in_plain_words(client, make_agent, login):
    admin = bearer(login(make_agent(role="admin"))["token"])
    department = client.post("/api/v1/departments", headers=admin, json={"name": f"Bad {uuid.uuid4().hex[:6]}"}
                             ).json()

    def refused(time_zone: str, *intervals: tuple[str, str]) -> dict:
        body = {"time_zone": time_zone, "weekly": [{"day": "tue", "start": s, "end": e} for s, e in intervals]}
        response = client.put(f"/api/v1/departments/{department['id']}/hours", headers=admin, json=body)
        assert response.status_code == 422, response.text
        return response.json()["error"]

    assert "not a time zone we know" in refused("Mars/Olympus", ("09:00", "17:00"))["fields"]["time_zone"]
    assert "must be after the start" in refused("UTC", ("17:00", "09:00"))["message"]
    assert "overlap" in refused("UTC", ("09:00", "12:00"), ("11:00", "14:00"))["message"]
    assert "weekly.0.start" in refused("UTC", ("9am", "17:00"))["fields"]
    assert client.get("/api/v1/departments", headers=admin).json()["departments"][0]["hours"] is None


def test_a_closed_department_is_not_available_and_says_when_it_opens(client, make_agent, login, database_url):
    admin = bearer(login(make_agent(role="admin"))["token"])
    member = make_agent()
    department = run(department_with(database_url, [member["id"]]))
    client.put("/api/v1/agents/me/status", headers=bearer(login(member)["token"]), json={"status": "online"})
    hours, opening = closed_now("Asia/Tokyo")
    assert client.put(f"/api/v1/departments/{department}/hours", headers=admin, json=hours).status_code == 200
    widget_id = run(new_widget(database_url))
    widget = client.get(f"/api/v1/widgets/{widget_id}/settings").json()
    listed = next(d for d in widget["departments"] if d["id"] == department)
    # 09:00 in Tokyo is midnight UTC: the opening computed for UTC, nine hours earlier.
    assert not listed["available"] and listed["opens_at"] == (opening - timedelta(hours=9)).isoformat()[:-6] + "Z"
    visitor = client.post(f"/api/v1/widgets/{widget_id}/visitors", json={"name": "Ada"}).json()["token"]
    started = client.post("/api/v1/chats", json={"department_id": department}, headers=bearer(visitor))
    assert started.status_code == 409 and started.json()["error"]["code"] == "no_agents_online"


class Desk:
    """A department of its own with one online member, a widget, and transactions on the test's database."""

    def __init__(self, database_url: str, redis_url: str, agent_id: str) -> None:
        self.engine = create_engine(database_url, pool_size=4)
        self.redis = aioredis.from_url(redis_url)
        self.transaction = Transactions(self.engine, Outbox(self.engine, Streams(self.redis)))
        self.database_url, self.agent_id = database_url, uuid.UUID(agent_id)

    async def close(self) -> None:
        await self.redis.aclose()
        await self.engine.dispose()

    async def setup(self) -> None:
        self.department = uuid.UUID(await department_with(self.database_url, [str(self.agent_id)]))
        self.widget = uuid.UUID(await new_widget(self.database_url))
        async with self.engine.begin() as conn:
            await conn.execute(agents.update().where(agents.c.id == self.agent_id).values(status="online"))

    async def waiting_chat(self) -> uuid.UUID:
        async with self.engine.begin() as conn:
            visitor = (await conn.execute(visitors.insert().values(
                widget_id=self.widget, name="Night Owl", email="owl@example.com").returning(visitors.c.id))).scalar()
            principal = Principal(kind="visitor", id=visitor, role="visitor", widget_id=self.widget)
            return (await create_chat(Tx(conn), principal, self.department)).id

    async def set_hours(self, hours: dict | None) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(departments.update().where(departments.c.id == self.department)
                               .values(hours=sa.null() if hours is None else hours))

    async def offer(self) -> bool:
        async with self.engine.connect() as conn:
            department = (await conn.execute(sa.select(departments).where(departments.c.id == self.department))).one()
        async with self.transaction() as tx:
            return await offer_next(tx, department, [self.agent_id])


async def test_routing_offers_nothing_while_the_department_is_closed(make_agent, database_url, redis_url):
    desk = Desk(database_url, redis_url, make_agent()["id"])
    try:
        await desk.setup()
        await desk.waiting_chat()  # started while open
        await desk.set_hours(closed_now()[0])
        assert not await desk.offer()
        await desk.set_hours(None)  # open again: the same chat is offered to the same agent
        assert await desk.offer()
    finally:
        await desk.close()


async def test_at_closing_time_a_waiting_chat_becomes_a_ticket_exactly_once(make_agent, database_url, redis_url):
    desk = Desk(database_url, redis_url, make_agent()["id"])
    try:
        await desk.setup()
        chat_id = await desk.waiting_chat()
        assert await desk.offer()  # offered, not yet accepted: the offer holds the agent's slot
        await desk.set_hours(closed_now()[0])
        runs = await asyncio.gather(*(close_waiting_chats(desk.engine, desk.transaction) for _ in range(2)))
        assert sorted(runs) == [0, 1]
        async with desk.engine.connect() as conn:
            chat = (await conn.execute(sa.select(chats).where(chats.c.id == chat_id))).one()
            made = (await conn.execute(sa.select(tickets).where(tickets.c.chat_id == chat_id))).all()
            lines = (await conn.execute(sa.select(messages.c.body, messages.c.system_line).where(
                messages.c.chat_id == chat_id, messages.c.sender_type == "system"))).all()
            slots = (await conn.execute(sa.select(agents.c.active_chats).where(agents.c.id == desk.agent_id))).scalar()
        assert (chat.status, chat.ended_by, chat.offered_to_id) == ("ended", "system", None)
        assert len(made) == 1 and made[0].status == "open" and made[0].assignee_id is None
        assert made[0].requester_email == "owl@example.com" and slots == 0
        assert [tuple(line) for line in lines] == [(CLOSED_LINE.english, {"key": "chat_closed", "params": {}})]
        assert await close_waiting_chats(desk.engine, desk.transaction) == 0  # nothing left to close
    finally:
        await desk.close()
