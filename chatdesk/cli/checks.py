"""`chatdesk doctor`: check each part an installation needs, with its latency, and say what is wrong."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from chatdesk.config import Settings
from chatdesk.db import migrate
from chatdesk.db.engine import create_engine
from chatdesk.desk.files.storage import storage_for
from chatdesk.desk.mail import imap, smtp
from chatdesk.realtime.connect import describe_master, open_redis
from chatdesk.realtime.hub import Hub
from chatdesk.realtime.sse import EventStream
from chatdesk.realtime.streams import Streams, encode_data

# A check that takes longer than this is as good as down for a live chat.
CHECK_TIMEOUT_S = 5.0
# PostgreSQL and chatdesk disagreeing on the time by more than this skews waits and timeouts.
MAX_CLOCK_SKEW_S = 2.0


# History search's language (CHATDESK_SEARCH_LANGUAGE) and the indexes of messages made for it.
_TEXT_SEARCH_CONFIG = sa.text("SELECT count(*) FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace "
                              "WHERE c.cfgname = :name AND (:schema = '' OR n.nspname = :schema)")
_MESSAGE_INDEXES_LIKE = sa.text("SELECT count(*) FROM pg_indexes WHERE schemaname = 'chatdesk' "
                                "AND tablename = 'messages' AND indexdef LIKE :expression")


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    latency_ms: float | None = None
    warning: bool = False  # works, but something is not set up: said, and not counted as a failure


async def _timed(name: str, probe: Callable[[], Awaitable[str]]) -> Check:
    started = time.perf_counter()
    try:
        detail = await asyncio.wait_for(probe(), CHECK_TIMEOUT_S)
        return Check(name, True, detail, (time.perf_counter() - started) * 1000)
    except Exception as error:  # noqa: BLE001 - every failure is reported, none is fatal to the report
        message = str(error) or type(error).__name__
        return Check(name, False, f"{type(error).__name__}: {message}"[:300])


async def run_checks(settings: Settings) -> list[Check]:
    """Every check, in order; later ones are skipped (and fail) when what they need is down."""
    checks: list[Check] = []
    database_url = settings.required("database_url")
    redis_url = settings.required("redis_url")
    engine = create_engine(database_url, pool_size=1)
    redis = open_redis(redis_url, socket_connect_timeout=CHECK_TIMEOUT_S)
    try:
        async def configuration() -> str:
            settings.secret()
            return f"data dir {settings.data_dir}, public URL {settings.base_url}"

        async def postgres() -> str:
            async with engine.connect() as conn:
                version = (await conn.execute(sa.text("SHOW server_version"))).scalar_one()
            return f"PostgreSQL {version}"

        async def redis_ping() -> str:
            await redis.ping()
            info = await redis.info("server")
            server = f"{'Valkey' if 'valkey_version' in info else 'Redis'} {info.get('redis_version')}"
            master = await describe_master(redis_url, CHECK_TIMEOUT_S)
            return server if master is None else f"{server}; {master}"

        async def migrations() -> str:
            state = await asyncio.to_thread(migrate.status, database_url)
            if not state.at_head:
                raise RuntimeError(f"database at {state.current or 'nothing'}, code needs {state.head}: "
                                   "run `chatdesk migrate`")
            return f"at head ({state.head})"

        async def search() -> str:
            language = settings.search_language
            schema, _, name = language.rpartition(".")
            async with engine.connect() as conn:
                if not (await conn.execute(_TEXT_SEARCH_CONFIG, {"name": name, "schema": schema})).scalar_one():
                    raise RuntimeError(f"CHATDESK_SEARCH_LANGUAGE: {language!r} is not a text search configuration "
                                       "of this database (psql's \\dF lists them)")
                expression = f"%to_tsvector('{language}'::regconfig, body)%"
                indexed = (await conn.execute(_MESSAGE_INDEXES_LIKE, {"expression": expression})).scalar_one()
            if not indexed:
                return f"{language}, but no index of messages for it: every search reads every message"
            return f"{language}, indexed"

        async def storage() -> str:
            backend = storage_for(settings)
            key = secrets.token_hex(16)
            await backend.put_bytes(key, b"doctor")
            try:
                if await backend.read(key) != b"doctor":
                    raise RuntimeError("read back different bytes")
            finally:
                await backend.delete(key)
            return type(backend).__name__

        async def clock() -> str:
            async with engine.connect() as conn:
                db_now = (await conn.execute(sa.text("SELECT now()"))).scalar_one()
            skew = abs((datetime.now(UTC) - db_now).total_seconds())
            if skew > MAX_CLOCK_SKEW_S:
                raise RuntimeError(f"clocks differ by {skew:.1f} s (more than {MAX_CLOCK_SKEW_S:g} s)")
            return f"skew {skew * 1000:.0f} ms"

        async def round_trip() -> str:
            streams = Streams(redis)
            hub = Hub(redis, streams)
            hub.start()
            stream = f"doctor:{secrets.token_hex(6)}"
            frames = aiter(EventStream(hub, streams, stream, None, settings.sse_heartbeat_s))
            try:
                await anext(frames)  # retry:
                await anext(frames)  # ready: subscribed and caught up
                started = time.perf_counter()
                await streams.push([(stream, "doctor.ping", encode_data({"ping": True}))])
                frame = await anext(frames)
                if b"doctor.ping" not in frame:
                    raise RuntimeError("an unexpected frame arrived")
                return f"push -> Redis -> hub -> SSE frame in {(time.perf_counter() - started) * 1000:.1f} ms"
            finally:
                await frames.aclose()
                await redis.delete(f"chatdesk:stream:{stream}")
                await hub.stop()

        async def smtp_session() -> str:
            assert server is not None
            try:
                async with smtp.connected(server) as client:
                    extensions = sorted(client.esmtp_extensions)
            except Exception as error:
                raise RuntimeError(smtp.explain(error, server)) from error
            signed_in = ", signed in" if server.username else ""
            return f"{server}{signed_in}; the server offers {', '.join(extensions) or 'no extensions'}"

        async def imap_session() -> str:
            assert mailbox is not None
            async with imap.selected(mailbox) as client:
                unread = len(await imap.unread_uids(client))
                idle = ("IDLE" if client.has_capability("IDLE")
                        else f"no IDLE: looked at every {settings.imap_poll_s:g} s")
            return f"{mailbox}, signed in; {unread} unread; {idle}"

        checks.append(await _timed("configuration", configuration))
        checks.append(await _timed("PostgreSQL", postgres))
        checks.append(await _timed("Redis", redis_ping))
        database_up, redis_up = checks[1].ok, checks[2].ok
        for name, probe, needs in [("migrations", migrations, database_up), ("search", search, database_up),
                                   ("storage", storage, True),
                                   ("clock", clock, database_up), ("live round trip", round_trip, redis_up)]:
            if needs:
                checks.append(await _timed(name, probe))
            else:
                checks.append(Check(name, False, "not checked: what it needs is down"))
        server = settings.smtp
        if server is None or settings.mail_from is None:
            checks.append(Check("SMTP", True, "not set up: mail waits in the queue until CHATDESK_SMTP_URL and "
                                "CHATDESK_MAIL_FROM are set", warning=True))
        else:
            checks.append(await _timed("SMTP", smtp_session))
        mailbox = settings.imap
        if mailbox is None:
            checks.append(Check("IMAP", True, "not set up: customers reply on the ticket page only, replies by mail "
                                "are not read until CHATDESK_IMAP_URL is set", warning=True))
        else:
            checks.append(await _timed("IMAP", imap_session))
    finally:
        await redis.aclose()
        await engine.dispose()
    return checks
