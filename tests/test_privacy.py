"""Privacy: a visitor's export holds everything erasure takes; after erasure no table, stored file or
Redis stream holds their name, email, words or files; retention erases old chats only; the CLI."""

from __future__ import annotations

import io
import secrets
import uuid
import zipfile

import httpx
import orjson
import pytest
import redis as sync_redis
from playwright.sync_api import Page, expect

from chatdesk.bench.server import free_port
from chatdesk.config import Settings
from chatdesk.db.engine import connect, create_engine
from chatdesk.desk.files.storage import LocalStorage
from chatdesk.desk.mail.inbound import take_mail
from chatdesk.desk.mail.incoming import parse_mail
from chatdesk.desk.privacy.files import delete_due_files
from chatdesk.desk.privacy.retention import RetentionJob
from chatdesk.realtime.streams import visitor_stream
from tests.conftest import bearer, invoke_cli, migrated_database, run
from tests.imap_helpers import customer_mail
from tests.realtime_helpers import new_widget, wait_until
from tests.workspace_helpers import sign_in, sql

# Every column of the schema that can hold text, where erasure puts it: PERSONAL columns are erased
# (desk/privacy/erasure.py), NOT_PERSONAL ones hold no personal data. A new column must join one or
# the other (test_every_text_column_is_placed), so that whoever adds it decides how it is erased.
PERSONAL = {
    "visitors": {"name", "email", "page_url", "user_agent", "fields", "user_id", "language"},
    "chats": {"rating_comment"},
    "messages": {"body", "sender_name", "system_line"},  # a line's params: the visitor's name ("Chat ended by")
    "attachments": {"name", "storage_key", "thumbnail_key", "sha256", "content_type"},
    "tickets": {"subject", "requester_name", "requester_email"},
    "ticket_comments": {"body", "author_name"},
    "ticket_attachments": {"name", "storage_key", "sha256", "content_type"},
    "inbound_mail": {"message_id"},
    "mail_outbox": {"to_address", "subject", "text_body", "html_body", "headers", "last_error"},
    "outbox": {"payload", "streams"},
    "webhook_deliveries": {"payload", "responses", "last_error"},
    "audit_log": {"details", "target_id"},
}
NOT_PERSONAL = {
    "agents": {"email", "name", "display_name", "password_hash", "role", "status", "preferences"},
    "departments": {"name", "routing_mode", "hours"},
    "widgets": {"name", "settings", "allowed_origins", "identity_secret"},
    "chats": {"status", "ended_by", "rating", "passed_over", "watcher_ids"},
    "messages": {"client_msg_id", "sender_type"},
    "attachments": {"uploader_type"},
    "agent_status_log": {"status"},
    "quick_responses": {"shortcut", "title", "body"},
    "triggers": {"name", "greeting", "url_pattern", "returning_visitor"},  # an admin's rules, no visitor's words
    "tickets": {"status", "source", "language"},  # the language of the ticket's mails
    "ticket_comments": {"author_type"},
    "sessions": {"token_hash", "csrf_token", "user_agent", "ip"},
    "api_keys": {"name", "token_hash", "hint", "scopes"},
    "outbox": {"event_type"},
    "mail_outbox": {"message_id", "kind", "status"},
    "webhook_endpoints": {"url", "description", "events", "secret", "disabled_reason"},
    "webhook_deliveries": {"event_type", "status"},
    "audit_log": {"action", "target_type"},
    "file_deletions": {"storage_key"},
    "alembic_version": {"version_num"},
}
TEXT_COLUMNS = """
    SELECT table_name, column_name, data_type FROM information_schema.columns
    WHERE table_schema = 'chatdesk' AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'bytea', 'ARRAY')
"""


def _placed(table: str, column: str) -> bool:
    return column in PERSONAL.get(table, set()) | NOT_PERSONAL.get(table, set())


def test_every_text_column_is_placed(database_url):
    unplaced = [f"{row['table_name']}.{row['column_name']}" for row in sql(database_url, TEXT_COLUMNS)
                if not _placed(row["table_name"], row["column_name"])]
    assert not unplaced, "say in PERSONAL (and erase it) or NOT_PERSONAL where these columns' data stands"


def tables_holding(database_url: str, text: str) -> list[str]:
    """Every column of every table whose value, as text, holds `text` (one query per column)."""
    async def scan() -> list[str]:
        conn = await connect(database_url)
        try:
            found = []
            for row in await conn.fetch(TEXT_COLUMNS):
                column = f'"{row["column_name"]}"'
                as_text = f"encode({column}, 'escape')" if row["data_type"] == "bytea" else f"{column}::text"
                if await conn.fetchval(f'SELECT count(*) FROM chatdesk."{row["table_name"]}" WHERE {as_text} ILIKE $1',
                                       f"%{text}%"):
                    found.append(f"{row['table_name']}.{row['column_name']}")
            return found
        finally:
            await conn.close()

    return run(scan())


def redis_holding(redis_url: str, text: str) -> list[str]:
    redis = sync_redis.Redis.from_url(redis_url)
    return [key.decode() for key in redis.scan_iter(match="chatdesk:stream:*", _type="stream")
            if any(text.encode() in fields[b"d"] for _, fields in redis.xrange(key))]


def stored_files_holding(settings: Settings, text: str) -> list[str]:
    root = settings.data_dir / "files"
    return [str(path) for path in root.rglob("*") if path.is_file() and text.encode() in path.read_bytes()]


@pytest.fixture
def settings(database_url, redis_url, tmp_path) -> Settings:
    return Settings(DATABASE_URL=database_url, REDIS_URL=redis_url, CHATDESK_DATA_DIR=str(tmp_path / "data"),
                    CHATDESK_SECRET_KEY="test-secret-" + "x" * 32, CHATDESK_WEBHOOKS_ALLOW_PRIVATE="true")


class Person:
    """A visitor who left something distinctive everywhere a person's data goes; every string holds `tok`."""

    def __init__(self, client, admin: dict, agent: dict, widget_id: str) -> None:
        self.tok = tok = "zq" + secrets.token_hex(6)
        self.client, self.admin, self.agent, self.widget_id = client, admin, agent, widget_id
        self.strings = {
            "name": f"Zephyrine {tok}", "email": f"zeph.{tok}@example.org", "page_url": f"https://shop.example/{tok}",
            "user_agent": f"Browser-{tok}", "field": f"Firm{tok}", "message": f"parcel {tok} is late",
            "reply": f"sorry about {tok}x", "file_name": f"receipt-{tok}.txt", "file": f"chatfile {tok}c",
            "rating": f"rated {tok}r", "ticket_reply": f"refunded {tok}t", "inbound": f"thanks {tok}i",
            "mail_file": f"mailfile {tok}m", "mail_file_name": f"notes-{tok}.txt",
        }
        self.note = f"internal {tok}n"  # the company's own: erased, not exported
        s = self.strings
        visitor = client.post(f"/api/v1/widgets/{widget_id}/visitors", headers={"User-Agent": s["user_agent"]},
                              json={"name": s["name"], "email": s["email"], "page_url": s["page_url"],
                                    "fields": {"company": s["field"]}})
        assert visitor.status_code == 201, visitor.text
        self.visitor_id, self.visitor = visitor.json()["visitor_id"], bearer(visitor.json()["token"])

    def converse(self) -> str:
        """A chat with a message each way, a note, a file, a rating, a ticket with a reply mailed and an
        answer by mail with a file, the transcript mailed: the chat's id."""
        client, s = self.client, self.strings
        chat_id = client.post("/api/v1/chats", json={}, headers=self.visitor).json()["chat"]["id"]
        assert client.post(f"/api/v1/chats/{chat_id}/accept", headers=self.agent).status_code == 200
        upload = client.post(f"/api/v1/chats/{chat_id}/attachments", headers=self.visitor,
                             files={"file": (s["file_name"], s["file"].encode(), "text/plain")})
        assert upload.status_code == 201, upload.text
        sends = [(self.visitor, {"body": s["message"], "attachment_ids": [upload.json()["attachment"]["id"]]}),
                 (self.agent, {"body": s["reply"]}), (self.agent, {"body": self.note, "internal": True})]
        for n, (headers, body) in enumerate(sends):
            sent = client.post(f"/api/v1/chats/{chat_id}/messages", headers=headers, json={"client_msg_id": f"m{n}",
                                                                                           **body})
            assert sent.status_code == 201, sent.text
        assert client.post(f"/api/v1/chats/{chat_id}/end", headers=self.visitor).status_code == 200
        rated = client.post(f"/api/v1/chats/{chat_id}/rating", headers=self.visitor,
                            json={"score": "good", "comment": s["rating"]})
        assert rated.status_code == 200, rated.text
        assert client.post(f"/api/v1/chats/{chat_id}/transcript-email", headers=self.visitor,
                           json={"email": s["email"]}).status_code == 202
        ticket_id = client.post(f"/api/v1/chats/{chat_id}/ticket", headers=self.agent).json()["ticket_id"]
        assert client.post(f"/api/v1/tickets/{ticket_id}/comments", headers=self.agent,
                           json={"body": s["ticket_reply"]}).status_code == 201
        self.mail_in()
        return chat_id

    def mail_in(self) -> None:
        """Their mail to the support address (a new ticket: it names no ticket), with a file."""
        runtime, s = self.client.app.state.runtime, self.strings
        mail = customer_mail(subject="Another thing", body=s["inbound"], sender=f"Zephyrine <{s['email']}>",
                             files=[(s["mail_file_name"], "text/plain", s["mail_file"].encode())])

        async def take() -> None:
            async with runtime.transaction() as tx:
                assert await take_mail(tx, runtime.settings, runtime.storage, parse_mail(bytes(mail)), [])

        self.client.portal.call(take)


@pytest.fixture
def person(client, make_agent, login, database_url):
    admin = bearer(login(make_agent(role="admin"))["token"])
    agent = bearer(login(make_agent(max_chats=10))["token"])
    assert client.put("/api/v1/agents/me/status", json={"status": "online"}, headers=agent).status_code == 200
    widget_id = client.post("/api/v1/widgets", json={"name": "Shop"}, headers=admin).json()["id"]
    hook = client.post("/api/v1/webhooks", headers=admin, json={
        "url": f"http://127.0.0.1:{free_port()}/hook", "events": ["message.created", "chat.rated", "ticket.created"]})
    assert hook.status_code == 201, hook.text
    yield Person(client, admin, agent, widget_id)
    client.delete(f"/api/v1/webhooks/{hook.json()['id']}", headers=admin)


def _export(client, headers, visitor_id: str) -> tuple[dict, dict[str, bytes]]:
    response = client.get(f"/api/v1/privacy/visitors/{visitor_id}/export", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    files = {name: archive.read(name) for name in archive.namelist()}
    return orjson.loads(files.pop("visitor.json")), files


def test_the_export_holds_all_erasure_takes_and_afterwards_nothing_holds_them(person, client, database_url,
                                                                                redis_url, settings):
    chat_id = person.converse()
    assert set(tables_holding(database_url, person.tok)) >= {
        "visitors.name", "visitors.email", "visitors.page_url", "visitors.user_agent", "visitors.fields",
        "messages.body", "messages.sender_name", "attachments.name", "chats.rating_comment", "tickets.subject",
        "tickets.requester_email", "ticket_comments.body", "ticket_attachments.name", "mail_outbox.to_address",
        "mail_outbox.text_body", "webhook_deliveries.payload"}, "the person's data is everywhere to begin with"
    assert stored_files_holding(settings, person.tok) and redis_holding(redis_url, person.tok)
    found = client.get("/api/v1/chats/search", params={"q": person.tok}, headers=person.admin).json()["chats"]
    assert [chat["id"] for chat in found] == [chat_id]

    document, files = _export(client, person.admin, person.visitor_id)
    exported = orjson.dumps(document).decode() + " ".join(name + data.decode() for name, data in files.items())
    assert [what for what, text in person.strings.items() if text not in exported] == []
    assert person.note not in exported, "internal notes are the company's"
    assert len(document["tickets"]) == 2 and {m["kind"] for m in document["mails"]} >= {"transcript", "ticket_reply"}

    erased = client.post(f"/api/v1/privacy/visitors/{person.visitor_id}/erase", headers=person.admin)
    assert erased.status_code == 200, erased.text
    assert erased.json()["erased"] == {"visitors": 1, "chats": 1, "tickets": 2, "mails": erased.json()["erased"][
        "mails"], "files": 2}
    run(wait_until(lambda: sql(database_url, "SELECT count(*) AS n FROM chatdesk.file_deletions")[0]["n"],
                   lambda n: n == 0))

    assert tables_holding(database_url, person.tok) == []
    assert stored_files_holding(settings, person.tok) == []
    assert redis_holding(redis_url, person.tok) == []
    assert client.get("/api/v1/chats/search", params={"q": person.tok}, headers=person.admin).json()["chats"] == []
    [audit] = sql(database_url, "SELECT actor_id, target_id, details FROM chatdesk.audit_log "
                                "WHERE action = 'privacy.erase' AND target_id = $1", person.visitor_id)
    assert audit["actor_id"] is not None and person.tok not in str(audit["details"])


def test_an_erased_visitors_chat_keeps_its_shape_for_reports(person, client, database_url):
    chat_id = person.converse()
    assert client.post(f"/api/v1/privacy/visitors/{person.visitor_id}/erase", headers=person.admin).status_code == 200
    thread = client.get(f"/api/v1/chats/{chat_id}/messages", headers=person.admin).json()["messages"]
    assert {m["body"] for m in thread} == {"[erased]"} and len(thread) >= 3
    [chat] = sql(database_url, "SELECT rating, erased_at FROM chatdesk.chats WHERE id = $1", uuid.UUID(chat_id))
    assert chat["rating"] == "good" and chat["erased_at"] is not None


def test_a_visitor_with_an_open_chat_is_not_erased(person, client):
    client.post("/api/v1/chats", json={}, headers=person.visitor)
    response = client.post(f"/api/v1/privacy/visitors/{person.visitor_id}/erase", headers=person.admin)
    assert response.status_code == 409 and "end it first" in response.json()["error"]["message"]


def test_admins_find_visitors_by_a_part_of_their_email(person, client):
    found = client.get("/api/v1/privacy/visitors", params={"q": person.tok}, headers=person.admin).json()["visitors"]
    assert [(v["id"], v["email"]) for v in found] == [(person.visitor_id, person.strings["email"])]
    newest = client.get("/api/v1/privacy/visitors", headers=person.admin).json()["visitors"]
    assert newest[0]["id"] == person.visitor_id


def test_retention_erases_old_chats_and_keeps_newer_ones(person, client, database_url):
    old, new = person.converse(), person.converse()
    sql(database_url, "UPDATE chatdesk.chats SET created_at = now() - interval '31 days' WHERE id = $1",
        uuid.UUID(old))
    gone = client.post(f"/api/v1/widgets/{person.widget_id}/visitors", json={"name": f"Idle {person.tok}"}).json()
    sql(database_url, "UPDATE chatdesk.visitors SET created_at = now() - interval '31 days', last_seen_at = NULL "
        "WHERE id = $1", uuid.UUID(gone["visitor_id"]))
    runtime = client.app.state.runtime
    # The session's database may hold other tests' old chats and idle visitors: they go too.
    chats_erased, visitors_erased = client.portal.call(RetentionJob(runtime.transaction, 30).run)
    assert chats_erased >= 1 and visitors_erased >= 1
    assert client.portal.call(RetentionJob(runtime.transaction, 30).run) == (0, 0), "erased once"
    bodies = {chat_id: {m["body"] for m in client.get(f"/api/v1/chats/{chat_id}/messages", headers=person.admin)
                        .json()["messages"]} for chat_id in (old, new)}
    assert bodies[old] == {"[erased]"} and person.strings["message"] in bodies[new]
    files = sql(database_url, "SELECT chat_id FROM chatdesk.attachments WHERE chat_id = ANY($1)",
                [uuid.UUID(old), uuid.UUID(new)])
    assert [row["chat_id"] for row in files] == [uuid.UUID(new)]
    names = sql(database_url, "SELECT name FROM chatdesk.visitors WHERE id = ANY($1)",
                [uuid.UUID(gone["visitor_id"]), uuid.UUID(person.visitor_id)])
    assert sorted(str(row["name"]) for row in names) == ["None", person.strings["name"]]


def test_the_cli_exports_and_erases_by_email(person, client, monkeypatch, settings, tmp_path, database_url):
    person.converse()
    for name, value in (("DATABASE_URL", settings.database_url.get_secret_value()),
                        ("REDIS_URL", settings.redis_url.get_secret_value()),
                        ("CHATDESK_DATA_DIR", str(settings.data_dir))):
        monkeypatch.setenv(name, value)
    out = tmp_path / "export.zip"
    result = invoke_cli(["privacy", "export", person.strings["email"].upper(), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert person.strings["message"] in zipfile.ZipFile(out).read("visitor.json").decode()

    result = invoke_cli(["privacy", "erase", person.strings["email"], "--yes", "--json"])
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["visitors"] == 1
    assert tables_holding(database_url, person.tok) == []
    assert stored_files_holding(settings, person.tok) == []

    missing = invoke_cli(["privacy", "erase", f"nobody-{person.tok}@example.org", "--yes"])
    assert missing.exit_code == 1 and "No such visitor" in missing.output


def test_redis_forgets_the_visitors_stream(person, client, redis_url):
    person.converse()
    redis = sync_redis.Redis.from_url(redis_url)
    assert redis.exists(f"chatdesk:stream:{visitor_stream(person.visitor_id)}")
    assert client.post(f"/api/v1/privacy/visitors/{person.visitor_id}/erase", headers=person.admin).status_code == 200
    assert not redis.exists(f"chatdesk:stream:{visitor_stream(person.visitor_id)}")


def test_an_admin_exports_and_erases_a_visitor_from_the_console(page: Page, live_server, make_agent, database_url):
    admin = make_agent(role="admin")
    tok = "zq" + secrets.token_hex(6)
    widget_id = run(new_widget(database_url))
    visitor = httpx.post(f"{live_server}/api/v1/widgets/{widget_id}/visitors",
                         json={"name": f"Zephyrine {tok}", "email": f"zeph.{tok}@example.org"}).json()
    sign_in(page, live_server, admin)
    page.evaluate("location.hash = '#/admin/privacy'")
    page.get_by_label("Find a visitor").fill(tok)
    page.get_by_role("button", name="Find").click()
    row = page.locator(f"tr[data-visitor-id='{visitor['visitor_id']}']")
    expect(row).to_contain_text(f"Zephyrine {tok}")
    with page.expect_download() as download:
        row.get_by_role("link", name="Export").click()
    assert f"zeph.{tok}@example.org" in zipfile.ZipFile(download.value.path()).read("visitor.json").decode()
    row.get_by_role("button", name="Erase").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Erase").click()
    expect(row).to_contain_text("Erased")
    expect(row.get_by_role("button", name="Erase")).to_have_count(0)
    assert tables_holding(database_url, tok) == []


class _AwayStorage(LocalStorage):
    """The storage unreachable: every deletion fails."""

    async def delete(self, key: str) -> None:
        raise ConnectionError("storage unreachable")


def test_a_file_whose_deletion_failed_is_deleted_on_a_later_round(new_database, tmp_path):
    """On a database of its own: every serving process of the test session polls the queue too."""
    url = migrated_database(new_database)
    storage, away = LocalStorage(tmp_path / "files"), _AwayStorage(tmp_path / "files")
    key = secrets.token_hex(16)

    def deletion_round(storage: LocalStorage) -> tuple[int, int]:
        async def once() -> tuple[int, int]:
            engine = create_engine(url, pool_size=1)
            try:
                return await delete_due_files(engine, storage)
            finally:
                await engine.dispose()
        return run(once())

    run(storage.put_bytes(key, b"kept until deleted"))
    sql(url, "INSERT INTO chatdesk.file_deletions (storage_key) VALUES ($1)", key)
    assert deletion_round(away) == (0, 1)
    [row] = sql(url, "SELECT attempts, next_attempt_at > now() AS later FROM chatdesk.file_deletions "
                     "WHERE storage_key = $1", key)
    assert row["attempts"] == 1 and row["later"] and run(storage.exists(key))
    assert deletion_round(storage) == (0, 0)  # not due yet
    sql(url, "UPDATE chatdesk.file_deletions SET next_attempt_at = now() WHERE storage_key = $1", key)
    assert deletion_round(storage) == (1, 0)
    assert not run(storage.exists(key))
    assert sql(url, "SELECT 1 FROM chatdesk.file_deletions WHERE storage_key = $1", key) == []
