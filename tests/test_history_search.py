"""History search over HTTP: any agent finds any chat by its words or its visitor; filters narrow; visitors never."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from chatdesk.db.engine import create_engine
from chatdesk.desk.departments import add_member, create_department
from chatdesk.desk.history import snippet_parts
from chatdesk.web.app import create_app
from tests.conftest import bearer, run
from tests.files_samples import image
from tests.realtime_helpers import new_widget

SEARCH = "/api/v1/chats/search"


def _word(stem: str) -> str:
    """A word no other test's chat holds (the session's database is shared)."""
    return f"{stem}{secrets.token_hex(3)}"


class Desk:
    """A widget, and agents signed in and online, making chats through the API."""

    def __init__(self, client, make_agent, login, database_url) -> None:
        self.client, self.make_agent, self.login = client, make_agent, login
        self.database_url = database_url
        self.widget_id = run(new_widget(database_url))

    def agent(self, name: str) -> tuple[dict, dict]:
        account = self.make_agent(name=name, max_chats=50)
        headers = bearer(self.login(account)["token"])
        online = self.client.put("/api/v1/agents/me/status", json={"status": "online"}, headers=headers)
        assert online.status_code == 200
        return account, headers

    def department(self, agent: dict) -> str:
        async def make() -> str:
            engine = create_engine(self.database_url, pool_size=1)
            try:
                async with engine.begin() as conn:
                    department = await create_department(conn, name=f"Billing {secrets.token_hex(3)}",
                                                         routing_mode="broadcast")
                    await add_member(conn, department["id"], uuid.UUID(agent["id"]))
                    return str(department["id"])
            finally:
                await engine.dispose()

        return run(make())

    def chat(self, agent: dict | None, *lines: str, visitor: tuple[str, str] = ("Ada Lovelace", "ada@example.com"),
             note: str | None = None, end: bool = True, rating: str | None = None, attach: bool = False,
             department_id: str | None = None) -> str:
        """A visitor's chat, taken by `agent` (headers) unless None, with the visitor's `lines` and an agent note."""
        name, email = visitor
        token = self.client.post(f"/api/v1/widgets/{self.widget_id}/visitors",
                                 json={"name": name, "email": email}).json()["token"]
        guest = bearer(token)
        started = self.client.post("/api/v1/chats", json={"department_id": department_id} if department_id else {},
                                   headers=guest)
        assert started.status_code == 201, started.text
        chat_id = started.json()["chat"]["id"]
        if agent is None:
            return chat_id
        assert self.client.post(f"/api/v1/chats/{chat_id}/accept", headers=agent).status_code == 200
        for line in lines:
            self._send(chat_id, guest, line)
        if attach:
            upload = self.client.post(f"/api/v1/chats/{chat_id}/attachments", headers=guest,
                                      files={"file": ("receipt.png", image("PNG"), "image/png")})
            assert upload.status_code == 201, upload.text
            self._send(chat_id, guest, "Here is the receipt", [upload.json()["attachment"]["id"]])
        if note:
            self._send(chat_id, agent, note, internal=True)
        if end:
            assert self.client.post(f"/api/v1/chats/{chat_id}/end", headers=agent).status_code == 200
        if rating:
            rated = self.client.post(f"/api/v1/chats/{chat_id}/rating", headers=guest,
                                     json={"score": rating, "comment": f"It was {rating}"})
            assert rated.status_code == 200, rated.text
        return chat_id

    def _send(self, chat_id: str, headers: dict, body: str, attachment_ids: list[str] | None = None,
              internal: bool = False) -> None:
        sent = self.client.post(f"/api/v1/chats/{chat_id}/messages", headers=headers, json={
            "client_msg_id": uuid.uuid4().hex, "body": body, "attachment_ids": attachment_ids or [],
            "internal": internal})
        assert sent.status_code == 201, sent.text

    def search(self, headers: dict, **params) -> dict:
        response = self.client.get(SEARCH, headers=headers, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def ids(self, headers: dict, **params) -> list[str]:
        return [chat["id"] for chat in self.search(headers, **params)["chats"]]


@pytest.fixture
def desk(client, make_agent, login, database_url) -> Desk:
    return Desk(client, make_agent, login, database_url)


def test_an_agent_finds_a_colleagues_ended_chat_by_a_word_with_the_match_highlighted(desk):
    word = _word("kumquat")
    alice, alice_headers = desk.agent("Alice Agent")
    _, bob = desk.agent("Bob Agent")
    chat_id = desk.chat(alice_headers, "Hello there", f"My {word} order never arrived, where is my {word}?")
    [found] = desk.search(bob, q=word)["chats"]
    assert found["id"] == chat_id and found["status"] == "ended" and found["ended_at"]
    assert found["agent"] == {"id": alice["id"], "name": "Alice Agent"}
    assert found["visitor"]["name"] == "Ada Lovelace" and found["department"]["name"]
    # joined, two lines, ended: the count is the thread's, system lines included
    assert found["message_count"] == 4 and found["has_attachments"] is False and found["rating"] is None
    marked = [part["text"] for part in found["snippet"] if part["match"]]
    assert marked == [word, word]
    assert "".join(part["text"] for part in found["snippet"]) == f"My {word} order never arrived, where is my {word}?"


def test_internal_notes_and_two_words_are_searched_too(desk):
    word = _word("escalate")
    _, alice = desk.agent("Alice")
    chat_id = desk.chat(alice, "Can you help with billing", note=f"{word} this to finance tomorrow")
    assert desk.ids(alice, q=word) == [chat_id]
    assert desk.ids(alice, q=f"{word} finance") == [chat_id]
    assert desk.ids(alice, q=f"{word} nowhere{secrets.token_hex(3)}") == []  # every word must match
    assert desk.ids(alice, q=f'"{word} this"') == [chat_id]  # a quoted phrase


def test_search_finds_a_chat_by_its_visitors_email_or_name(desk):
    local = _word("grace")
    email = f"{local}.hopper@navy.example"
    _, alice = desk.agent("Alice")
    chat_id = desk.chat(alice, "Hi", visitor=(f"Grace {local.title()}", email))
    assert desk.ids(alice, q=email) == [chat_id]
    assert desk.ids(alice, q=local) == [chat_id]  # a part of the email, or the name
    [found] = desk.search(alice, q=email)["chats"]
    assert found["visitor"]["email"] == email and found["snippet"] is None  # no message says it


def test_each_filter_narrows_the_results(desk):
    word = _word("parcel")
    _, alice = desk.agent("Alice")
    carol, carol_headers = desk.agent("Carol")
    billing = desk.department(carol)
    good = desk.chat(alice, f"{word} one", rating="good", attach=True)
    bad = desk.chat(carol_headers, f"{word} two", rating="bad", department_id=billing)
    open_chat = desk.chat(alice, f"{word} three", end=False)
    everything = {good, bad, open_chat}
    assert set(desk.ids(alice, q=word)) == everything
    assert desk.ids(alice, q=word, status="active") == [open_chat]
    assert set(desk.ids(alice, q=word, status="ended")) == {good, bad}
    assert desk.ids(alice, q=word, agent_id=carol["id"]) == [bad]
    assert desk.ids(alice, q=word, department_id=billing) == [bad]
    assert desk.ids(alice, q=word, rating="good") == [good]
    assert desk.ids(alice, q=word, rating="bad") == [bad]
    assert desk.ids(alice, q=word, rating="none") == [open_chat]
    assert desk.ids(alice, q=word, attachments="true") == [good]
    assert set(desk.ids(alice, q=word, attachments="false")) == {bad, open_chat}
    today = datetime.now(UTC).date()
    assert set(desk.ids(alice, q=word, **{"from": today.isoformat(), "to": today.isoformat()})) == everything
    assert desk.ids(alice, q=word, **{"from": (today + timedelta(days=1)).isoformat()}) == []
    assert desk.ids(alice, q=word, to=(today - timedelta(days=1)).isoformat()) == []
    assert desk.ids(alice, q=word, to=f"{today.isoformat()}T00:00:00Z") == []  # a moment, not a day: exclusive
    [rated] = desk.search(alice, q=word, rating="bad")["chats"]
    assert rated["rating"] == "bad" and rated["rating_comment"] == "It was bad"
    assert rated["department"] == {"id": billing, "name": rated["department"]["name"]}
    assert rated["agent"]["name"] == "Carol"


def test_without_words_it_lists_chats_newest_first_a_page_at_a_time(desk):
    dana, dana_headers = desk.agent("Dana")
    made = [desk.chat(dana_headers, f"line {n}") for n in range(3)]
    first = desk.search(dana_headers, agent_id=dana["id"], limit=2)
    assert [chat["id"] for chat in first["chats"]] == made[::-1][:2]
    assert all(chat["snippet"] is None for chat in first["chats"])
    second = desk.search(dana_headers, agent_id=dana["id"], limit=2, cursor=first["next_cursor"])
    assert [chat["id"] for chat in second["chats"]] == made[:1] and second["next_cursor"] is None


def test_matches_are_text_never_markup(desk):
    word = _word("tag")
    _, alice = desk.agent("Alice")
    desk.chat(alice, f"<img src=x onerror=alert(1)> {word} \x02fake\x03 <b>bold</b>")
    [found] = desk.search(alice, q=word)["chats"]
    assert [part["text"] for part in found["snippet"] if part["match"]] == [word]
    text = "".join(part["text"] for part in found["snippet"])
    assert "<img src=x onerror=alert(1)>" in text and "\x02" not in text and "fake" in text


def test_snippet_parts_split_a_headline_at_its_marks():
    assert snippet_parts("a \x02b\x03 c \x02d\x03") == [
        {"text": "a ", "match": False}, {"text": "b", "match": True}, {"text": " c ", "match": False},
        {"text": "d", "match": True}]
    assert snippet_parts("plain") == [{"text": "plain", "match": False}]


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"status": "open"}, "status", "Choose queued, active or ended."),
    ({"rating": "5"}, "rating", "Choose good, bad or none."),
    ({"limit": "0"}, "limit", "Choose a page size from 1 to 100."),
    ({"limit": "lots"}, "limit", "Choose a page size from 1 to 100."),
    ({"limit": "101"}, "limit", "Choose a page size from 1 to 100."),
    ({"from": "29/11/2026"}, "from", "Give a date such as 2026-11-29, or a time such as 2026-11-29T08:00:00Z."),
    ({"agent_id": "bob"}, "agent_id", "Give an agent's id."),
    ({"attachments": "maybe"}, "attachments", "Choose true (with attachments) or false (without)."),
    ({"cursor": "not-a-cursor"}, "cursor", "Use the next_cursor of the page before."),
    ({"tz": "Mars/Olympus_Mons"}, "tz", "Use an IANA time zone name such as Europe/Paris."),
    ({"answered": "maybe"}, "answered", "Choose true (an agent took it) or false (nobody ever did)."),
    ({"answered_by": "ann"}, "answered_by", "Give the id of the agent who answered first."),
    ({"q": "x" * 201}, "q", "Search for at most 200 characters."),
    ({"from": "2026-11-29", "to": "2026-11-01"}, "from", "Pick a start before the end."),
])
def test_bad_parameters_are_refused_in_plain_words(desk, params, field, message):
    _, alice = desk.agent("Alice")
    response = desk.client.get(SEARCH, headers=alice, params=params)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["fields"] == {field: message}


def test_empty_parameters_are_left_out(desk):
    _, alice = desk.agent("Alice")
    response = desk.client.get(SEARCH, headers=alice, params={"q": "", "status": "", "limit": "", "from": ""})
    assert response.status_code == 200, response.text


def test_a_visitor_cannot_search(desk):
    token = desk.client.post(f"/api/v1/widgets/{desk.widget_id}/visitors", json={"name": "Eve"}).json()["token"]
    refused = desk.client.get(SEARCH, headers=bearer(token), params={"q": "password"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert desk.client.get(SEARCH, params={"q": "password"}).status_code == 401


def test_another_search_language_matches_word_forms(desk, settings, redis_url):
    """CHATDESK_SEARCH_LANGUAGE=english: "refunds" finds "refunded" (the `simple` default would not)."""
    word = _word("gizmo")
    _, alice = desk.agent("Alice")
    chat_id = desk.chat(alice, f"The {word} was refunded yesterday")
    assert desk.ids(alice, q=f"{word} refunds") == []
    english = settings.model_copy(update={"search_language": "english"})
    with TestClient(create_app(english), raise_server_exceptions=False) as client:
        found = client.get(SEARCH, headers=alice, params={"q": f"{word} refunds"})
    assert found.status_code == 200, found.text
    assert [chat["id"] for chat in found.json()["chats"]] == [chat_id]


@pytest.mark.parametrize("text", ["!!!", '"unclosed', "-", "a & b | !c", "o'brien:*", "or", "(", "\\"])
def test_any_words_are_searchable_without_an_error(desk, text):
    _, alice = desk.agent("Alice")
    response = desk.client.get(SEARCH, headers=alice, params={"q": text})
    assert response.status_code == 200, response.text
