"""The known day of chats the reports tests assert (tests/test_reports.py, the reports page)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from starlette.testclient import TestClient

from chatdesk.bench.server import ONE_ADDRESS_LOAD
from chatdesk.config import Settings
from chatdesk.db.engine import connect
from chatdesk.web.app import create_app
from tests.conftest import PASSWORD, bearer, create_account, run
from tests.realtime_helpers import department_with, new_widget

NY = ZoneInfo("America/New_York")


def ny(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    """A moment of March 2026 in New York (EDT, UTC-4, on the 9th to the 11th)."""
    return datetime(2026, 3, day, hour, minute, second, tzinfo=NY)


async def sql(url: str, statements: list[tuple]) -> None:
    conn = await connect(url)
    try:
        async with conn.transaction():
            for statement, *args in statements:
                await conn.execute(statement, *args)
    finally:
        await conn.close()


async def fetch(url: str, query: str, *args) -> list:
    conn = await connect(url)
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()


class Day:
    """Chats made through the API, then moved to the known day's times in the database."""

    def __init__(self, client, database_url: str) -> None:
        self.client, self.url = client, database_url
        self.widget = run(new_widget(database_url))
        self.ann = create_account(database_url, name="Ann", max_chats=2)
        self.bob = create_account(database_url, name="Bob", max_chats=3)
        self.admin = create_account(database_url, "admin", name="Ada")
        self.supervisor = create_account(database_url, "supervisor", name="Sue")
        self.sales = run(department_with(database_url, [self.ann["id"]], mode="broadcast"))
        self.support = str(run(fetch(database_url, "SELECT id FROM chatdesk.departments WHERE is_default"))[0]["id"])
        self.tokens = {who["id"]: self._sign_in(who) for who in (self.ann, self.bob, self.admin, self.supervisor)}
        for agent in (self.ann, self.bob):
            response = client.put("/api/v1/agents/me/status", json={"status": "online"}, headers=self.headers(agent))
            assert response.status_code == 200, response.text
        self.times: list[tuple] = []

    def _sign_in(self, who: dict) -> str:
        response = self.client.post("/api/v1/auth/login", json={"email": who["email"], "password": PASSWORD})
        assert response.status_code == 200, response.text
        return response.json()["token"]

    def headers(self, who: dict) -> dict[str, str]:
        return bearer(self.tokens[who["id"]])

    def chat(self, department: str, started: datetime) -> tuple[str, dict]:
        token = self.client.post(f"/api/v1/widgets/{self.widget}/visitors", json={"name": "Vi"}).json()["token"]
        visitor = bearer(token)
        response = self.client.post("/api/v1/chats", json={"department_id": department}, headers=visitor)
        assert response.status_code == 201, response.text
        chat_id = response.json()["chat"]["id"]
        # Every message at the start first; the ones that matter get their own moment below.
        self.times.append(("UPDATE chatdesk.chats SET created_at = $2 WHERE id = $1", chat_id, started))
        self.times.append(("UPDATE chatdesk.messages SET created_at = $2 WHERE chat_id = $1", chat_id, started))
        return chat_id, visitor

    def say(self, chat_id: str, who: dict, body: str, at: datetime | None = None, internal: bool = False) -> None:
        response = self.client.post(f"/api/v1/chats/{chat_id}/messages", headers=who,
                                    json={"client_msg_id": body, "body": body, "internal": internal})
        assert response.status_code == 201, response.text
        if at is not None:
            self.times.append(("UPDATE chatdesk.messages SET created_at = $2 WHERE id = $1",
                               response.json()["message"]["id"], at))

    def post(self, path: str, who: dict, body: dict | None = None) -> None:
        response = self.client.post(path, headers=who, json=body or {})
        assert response.status_code in (200, 201), response.text

    def answered(self, chat_id: str, agent: dict, at: datetime) -> None:
        self.post(f"/api/v1/chats/{chat_id}/accept", self.headers(agent))
        self.times.append(("UPDATE chatdesk.chats SET first_assigned_at = $2, assigned_at = $2 WHERE id = $1", chat_id,
                           at))

    def held(self, chat_id: str, agent: dict, start: datetime, end: datetime) -> None:
        update = ("UPDATE chatdesk.chat_assignments SET assigned_at = $3, released_at = $4 "
                  "WHERE chat_id = $1 AND agent_id = $2")
        self.times.append((update, chat_id, agent["id"], start, end))

    def ended(self, chat_id: str, who: dict, at: datetime) -> None:
        self.post(f"/api/v1/chats/{chat_id}/end", who)
        self.times.append(("UPDATE chatdesk.chats SET ended_at = $2 WHERE id = $1", chat_id, at))

    def rated(self, chat_id: str, visitor: dict, score: str, comment: str, at: datetime) -> None:
        self.post(f"/api/v1/chats/{chat_id}/rating", visitor, {"score": score, "comment": comment})
        self.times.append(("UPDATE chatdesk.chats SET rated_at = $2 WHERE id = $1", chat_id, at))

    def offline(self, department: str, at: datetime) -> None:
        body = {"name": "Al", "email": "al@example.com", "body": "Call me back"}
        response = self.client.post(f"/api/v1/widgets/{self.widget}/offline-messages", json=body)
        assert response.status_code == 201, response.text
        self.times.append(("UPDATE chatdesk.tickets SET created_at = $2, department_id = $3 WHERE id = $1",
                           response.json()["ticket_id"], at, department))

    def statuses(self, agent: dict, changes: list[tuple[str, datetime]]) -> None:
        """The agent's status history, instead of the one the test's own sign-ins wrote just now."""
        self.times.append(("DELETE FROM chatdesk.agent_status_log WHERE agent_id = $1", agent["id"]))
        for status, at in changes:
            insert = ("INSERT INTO chatdesk.agent_status_log (agent_id, status, max_chats, at) "
                      "SELECT id, $2, max_chats, $3 FROM chatdesk.agents WHERE id = $1")
            self.times.append((insert, agent["id"], status, at))

    def commit(self) -> None:
        run(sql(self.url, self.times))


def build_day(client, database_url: str) -> Day:
    """The known day (10 March 2026 in New York) and the day before, made through `client`'s app."""
    d = Day(client, database_url)
    ann, bob = d.headers(d.ann), d.headers(d.bob)
    # 1. Sales, Ann: waited 30 s, first reply after 60 s, handled 600 s; rated good.
    c1, v1 = d.chat(d.sales, ny(10, 9, 0))
    d.say(c1, v1, "Hello", ny(10, 9, 0))
    d.answered(c1, d.ann, ny(10, 9, 0, 30))
    d.say(c1, ann, "A note", ny(10, 9, 0, 40), internal=True)  # neither a reply nor a message counted
    d.say(c1, ann, "Hi, Ann here", ny(10, 9, 1, 30))
    d.ended(c1, ann, ny(10, 9, 10, 30))
    d.held(c1, d.ann, ny(10, 9, 0, 30), ny(10, 9, 10, 30))
    d.rated(c1, v1, "good", "Great help", ny(10, 9, 11))
    # 2. Sales, started 23:50 (03:50 UTC the next day), Ann for 4 min then Bob, ended after midnight; bad.
    c2, v2 = d.chat(d.sales, ny(10, 23, 50))
    d.say(c2, v2, "Anyone?", ny(10, 23, 50))
    d.answered(c2, d.ann, ny(10, 23, 51))
    d.say(c2, ann, "Ann here", ny(10, 23, 51, 20))
    d.post(f"/api/v1/chats/{c2}/transfer", ann, {"agent_id": d.bob["id"]})
    d.times.append(("UPDATE chatdesk.chats SET assigned_at = $2 WHERE id = $1", c2, ny(10, 23, 55)))
    d.say(c2, bob, "Bob here", ny(10, 23, 56))
    d.ended(c2, v2, ny(11, 0, 5))
    d.held(c2, d.ann, ny(10, 23, 51), ny(10, 23, 55))
    d.held(c2, d.bob, ny(10, 23, 55), ny(11, 0, 5))
    d.rated(c2, v2, "bad", "Too slow", ny(11, 0, 6))
    # 3. Support, missed: the visitor left the queue after 5 minutes.
    c3, v3 = d.chat(d.support, ny(10, 12, 0))
    d.say(c3, v3, "Hello?", ny(10, 12, 0))
    d.ended(c3, v3, ny(10, 12, 5))
    # 4. Support, Bob, just after midnight: waited 120 s, replied after 60 s, handled 1080 s.
    c4, v4 = d.chat(d.support, ny(10, 0, 30))
    d.say(c4, v4, "Hi", ny(10, 0, 30))
    d.answered(c4, d.bob, ny(10, 0, 32))
    d.say(c4, bob, "Bob here", ny(10, 0, 33))
    d.say(c4, v4, "Thanks", ny(10, 0, 40))
    d.ended(c4, bob, ny(10, 0, 50))
    d.held(c4, d.bob, ny(10, 0, 32), ny(10, 0, 50))
    # 5. The day before, 22:30 in New York (02:30 UTC on the 10th): Sales, missed.
    c5, v5 = d.chat(d.sales, ny(9, 22, 30))
    d.ended(c5, v5, ny(9, 22, 31))
    d.offline(d.sales, ny(10, 10, 0))
    d.offline(d.support, ny(9, 23, 59))  # 03:59 UTC on the 10th: the day before in New York
    d.statuses(d.ann, [("online", ny(10, 8, 0)), ("offline", ny(10, 18, 0)), ("online", ny(10, 23, 0)),
                       ("offline", ny(11, 1, 0))])
    d.statuses(d.bob, [("online", ny(9, 20, 0)), ("away", ny(10, 1, 0)), ("online", ny(10, 23, 0)),
                       ("offline", ny(11, 2, 0))])
    d.commit()
    d.chats = {"c1": c1, "c2": c2, "c3": c3, "c4": c4, "c5": c5}
    return d


@contextmanager
def known_day(database_url: str, redis_url: str, data_dir: Path) -> Iterator[Day]:
    """`build_day` through an app of its own, running while the block lasts (`day.client`)."""
    # All its visitors come from one address, as in the authorization matrix: budgets lifted.
    settings = Settings(**ONE_ADDRESS_LOAD, DATABASE_URL=database_url, REDIS_URL=redis_url,
                        CHATDESK_SECRET_KEY="r" * 40, CHATDESK_DATA_DIR=str(data_dir))
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield build_day(client, database_url)
