"""The event stream: replay, resync, sweeper, heartbeats, isolation, retries, and ending with the server."""

from __future__ import annotations

import asyncio
import socket
import threading
import uuid

import aiohttp
import orjson
import pytest
import redis.asyncio as aioredis
import uvicorn

from chatdesk.bench.client import Client
from chatdesk.bench.server import free_port
from chatdesk.db.engine import create_engine
from chatdesk.desk.chats import reload
from chatdesk.desk.thread import Appends, append_message
from chatdesk.desk.transactions import Transactions, Tx
from chatdesk.realtime.outbox import Outbox, OutboxTx
from chatdesk.realtime.sse import encode
from chatdesk.realtime.streams import Streams, encode_data
from chatdesk.web.app import serving_app
from chatdesk.web.http_protocol import DeadlineHttpProtocol
from tests.realtime_helpers import EventLog, new_widget, online_agent, open_stream_count, wait_until


@pytest.mark.parametrize(("args", "expected"), [
    (("ready", b"{}", "e1:0-0"), b"id: e1:0-0\nevent: ready\ndata: {}\n\n"),
    (("typing", b'{"typing":true}', None), b'event: typing\ndata: {"typing":true}\n\n'),
    (("x", b"a\nb", "e:1-2"), b"id: e:1-2\nevent: x\ndata: a\ndata: b\n\n"),
])
def test_sse_encoding_is_byte_exact(args, expected):
    assert encode(*args) == expected


class Pair:
    """A visitor and an agent in an active chat, with event logs."""

    async def open(self, base_urls, database_url, agent_json) -> Pair:
        self.agent = await online_agent(base_urls, agent_json)
        self.visitor = Client(base_urls)
        await self.visitor.register_visitor(await new_widget(database_url), name="Vi")
        self.chat = await self.visitor.start_chat()
        await self.agent.accept(self.chat["id"])
        self.agent_log = EventLog(self.agent)
        await self.agent_log.wait_for(lambda e: e.type == "ready")
        return self

    async def close(self) -> None:
        await self.agent_log.close()
        for client in (self.agent, self.visitor):
            await client.close()


@pytest.fixture
async def pair(live_server, database_url, make_agent):
    opened = await Pair().open(live_server, database_url, make_agent())
    yield opened
    await opened.close()


def _bodies(events, chat_id):
    return [e.data["message"]["body"] for e in events
            if e.type == "message.created" and e.data["message"]["chat_id"] == chat_id]


async def test_reconnecting_with_last_event_id_replays_what_was_missed_in_order(pair):
    await pair.visitor.send(pair.chat["id"], "seen live")
    live = await pair.agent_log.wait_for(lambda e: e.type == "message.created")
    await pair.agent_log.close()
    for i in range(5):
        await pair.visitor.send(pair.chat["id"], f"while away {i}")
    replayed = []
    async for event in pair.agent.events(last_event_id=live.id):
        replayed.append(event)
        if len(_bodies(replayed, pair.chat["id"])) == 5:
            break
    assert _bodies(replayed, pair.chat["id"]) == [f"while away {i}" for i in range(5)]
    assert all(e.type != "resync" for e in replayed)


async def test_a_cursor_from_before_a_redis_flush_gets_resync(pair, redis_url):
    ready = pair.agent_log.events[0]
    await pair.agent_log.close()
    await aioredis.from_url(redis_url).flushdb()
    async for event in pair.agent.events(last_event_id=ready.id):
        assert event.type == "resync" and event.id.split(":")[0] != ready.id.split(":")[0]
        break


async def test_connected_clients_get_resync_when_redis_loses_its_data(pair, redis_url):
    await aioredis.from_url(redis_url).flushdb()
    await pair.visitor.send(pair.chat["id"], "after the flush")
    await pair.agent_log.wait_for(lambda e: e.type == "resync")


async def test_a_garbage_cursor_gets_resync(pair):
    await pair.agent_log.close()
    async for event in pair.agent.events(last_event_id="nonsense"):
        assert event.type == "resync"
        break


@pytest.fixture
async def outbox(database_url, redis_url):
    """An outbox of its own, whose sweeper pushes what a sender that died after commit left behind."""
    engine = create_engine(database_url, pool_size=1)
    redis = aioredis.from_url(redis_url)
    yield Outbox(engine, Streams(redis))
    await redis.aclose()
    await engine.dispose()


async def test_the_sweeper_pushes_events_a_crash_left_in_the_outbox(pair, outbox):
    # A sender that committed and then died before pushing: transaction() without the push.
    async with outbox.engine.begin() as conn:
        tx = OutboxTx(conn)
        chat = await reload(conn, uuid.UUID(pair.chat["id"]))
        await append_message(tx, chat, sender_type="visitor", sender_id=chat.visitor_id, sender_name="Vi",
                             body="orphaned by a crash", client_msg_id="crash-1")
        await tx.write_outbox()
    assert await outbox.sweep(older_than_s=0) >= 1
    event = await pair.agent_log.wait_for(lambda e: e.type == "message.created"
                                          and e.data["message"]["body"] == "orphaned by a crash")
    assert event.id
    assert await outbox.sweep(older_than_s=0) == 0


class _DiesAfterCommit(Transactions):
    async def committed(self, tx: Tx) -> None:
        """The process died between the commit and the push."""


async def test_a_group_committed_send_left_in_the_outbox_is_swept_as_sent(pair, outbox):
    appends = Appends(_DiesAfterCommit(outbox.engine, outbox))
    message = await appends.append(uuid.UUID(pair.chat["id"]), sender_type="visitor",
                                   sender_id=uuid.UUID(pair.chat["visitor"]["id"]), sender_name=None,
                                   body="one statement, then a crash", client_msg_id="crash-2", internal=False)
    assert message is not None and message["sender"]["name"] == "Vi"
    assert await outbox.sweep(older_than_s=0) >= 1
    event = await pair.agent_log.wait_for(lambda e: e.type == "message.created"
                                          and e.data["message"]["body"] == "one statement, then a crash")
    assert event.data == orjson.loads(encode_data({"message": message}))


async def test_a_visitors_stream_never_carries_another_visitors_chat(pair, live_server, database_url):
    stranger = Client(live_server)
    await stranger.register_visitor(await new_widget(database_url), name="Stranger")
    log = EventLog(stranger)
    await log.wait_for(lambda e: e.type == "ready")
    await pair.agent.send(pair.chat["id"], "private to Vi")
    await pair.visitor.send(pair.chat["id"], "also private")
    await pair.agent.typing(pair.chat["id"])
    await pair.agent_log.wait_for(lambda e: e.type == "message.created" and e.data["message"]["body"] == "also private")
    # The stranger's own activity proves its stream is live and in order after the others.
    chat = await stranger.start_chat()
    await log.wait_for(lambda e: e.type == "chat.queued" and e.data["chat"]["id"] == chat["id"])
    assert all(pair.chat["id"] not in str(e.data) for e in log.events)
    await log.close()
    await stranger.close()


async def test_unicode_and_markup_arrive_byte_exact_over_sse(pair):
    bodies = ["👋🏽 مرحبا e\u0301 \u202edir\u202c", "<script>alert(1)</script>"]
    for body in bodies:
        await pair.visitor.send(pair.chat["id"], body)
    await pair.agent_log.wait_for(lambda e: len(_bodies(pair.agent_log.events, pair.chat["id"])) >= 2)
    assert _bodies(pair.agent_log.events, pair.chat["id"]) == bodies


async def test_retry_after_the_connection_was_cut_post_commit_stores_one_message(pair, live_server):
    """A proxy forwards the POST, then drops the connection as the answer starts: committed, unanswered."""
    port = int(live_server.rsplit(":", 1)[1])
    cut_first = asyncio.Event()

    async def handle(reader, writer):
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", port)

        async def pipe(src, dst, cut):
            while data := await src.read(65536):
                if cut and not cut_first.is_set():
                    cut_first.set()  # the server answered: it has committed; the client never hears it
                    writer.close()
                    upstream_writer.close()
                    return
                dst.write(data)
                await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, upstream_writer, False), pipe(upstream_reader, writer, True),
                             return_exceptions=True)

    proxy = await asyncio.start_server(handle, "127.0.0.1", 0)
    proxy_url = f"http://127.0.0.1:{proxy.sockets[0].getsockname()[1]}"
    flaky = Client(proxy_url, pair.visitor.token)
    try:
        message = await flaky.send(pair.chat["id"], "sent once, answered on retry", "cut-1")
    finally:
        await flaky.close()
        proxy.close()
    assert cut_first.is_set()
    stored = [m for m in await pair.visitor.messages_after(pair.chat["id"]) if m["client_msg_id"] == "cut-1"]
    assert len(stored) == 1 and stored[0]["id"] == message["id"]


async def test_heartbeat_comments_flow_on_an_idle_stream(serve, make_agent):
    server = serve(CHATDESK_SSE_HEARTBEAT_S="0.5")
    agent = await online_agent(server.base_url, make_agent())
    async with aiohttp.ClientSession() as session, session.get(server.base_url + "/api/v1/events",
                           headers={"Authorization": f"Bearer {agent.token}"}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-store"
        comments = 0
        async with asyncio.timeout(10):
            async for line in response.content:
                comments += line.startswith(b":")
                if comments == 2:
                    break
    await agent.close()
    assert comments == 2


async def test_a_client_leaving_an_idle_stream_is_noticed_before_any_heartbeat(serve, make_agent):
    """The stream's cleanup (unsubscribe, the agent's presence) runs on the disconnect itself."""
    server = serve(CHATDESK_SSE_HEARTBEAT_S="15")
    agent = await online_agent(server.base_url, make_agent())
    async with aiohttp.ClientSession() as session:
        async with session.get(server.base_url + "/api/v1/events", headers={"Authorization": f"Bearer {agent.token}"}):
            await wait_until(lambda: open_stream_count(server.base_url), lambda count: count == 1)
    # Well inside the heartbeat: no failed send is needed to notice.
    await wait_until(lambda: open_stream_count(server.base_url), lambda count: count == 0, timeout_s=5)
    await agent.close()


async def test_head_on_the_event_stream_answers_headers_without_a_stream(serve, make_agent):
    server = serve()
    agent = await online_agent(server.base_url, make_agent())
    async with aiohttp.ClientSession() as session, asyncio.timeout(10):
        async with session.head(server.base_url + "/api/v1/events",
                                headers={"Authorization": f"Bearer {agent.token}"}) as response:
            assert response.status == 200
            assert response.headers["content-type"].startswith("text/event-stream")
    await agent.close()


@pytest.mark.parametrize("workers", [1, 2])
async def test_open_streams_end_when_the_server_is_asked_to_stop(serve, make_agent, workers):
    """SIGTERM: uvicorn waits for open responses, so the streams must end for it to exit at once
    (with several workers too: the supervisor passes the signal on to each)."""
    server = serve(workers=workers)
    agent = await online_agent(server.base_url, make_agent())
    async with aiohttp.ClientSession() as session, session.get(server.base_url + "/api/v1/events",
                           headers={"Authorization": f"Bearer {agent.token}"}) as response:
        await response.content.readuntil(b"event: ready")
        server.process.terminate()
        async with asyncio.timeout(5):  # the graceful shutdown timeout is 10 s
            await response.content.read()
    assert await asyncio.to_thread(server.process.wait, 5) == 0
    await agent.close()


async def test_open_streams_end_when_an_embedded_server_is_stopped_without_a_signal(settings, make_agent):
    """Ending streams hangs on uvicorn's shutdown of each connection, not on its signal handler:
    a server run in a thread (no signal handlers) and stopped with `should_exit` exits at once too."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(serving_app(settings), host="127.0.0.1", port=port, lifespan="on",
                                           http=DeadlineHttpProtocol, timeout_graceful_shutdown=10,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    await wait_until(lambda: server.started, bool)
    base_url = f"http://127.0.0.1:{port}"
    agent = await online_agent(base_url, make_agent())
    async with aiohttp.ClientSession() as session:
        async with session.get(base_url + "/api/v1/events",
                               headers={"Authorization": f"Bearer {agent.token}"}) as response:
            await response.content.readuntil(b"event: ready")
            server.should_exit = True
            async with asyncio.timeout(5):  # the graceful shutdown timeout is 10 s
                await response.content.read()
    await asyncio.to_thread(thread.join, 5)
    assert not thread.is_alive()
    await agent.close()


async def test_a_stuck_client_is_dropped_and_slows_nobody(serve, make_agent, database_url):
    server = serve(CHATDESK_SSE_SEND_TIMEOUT_S="1", CHATDESK_VISITOR_MESSAGE_RATE="100000 per minute")
    pair = await Pair().open(server.base_url, database_url, make_agent())
    # A client that asks for its stream and then never reads: a tiny receive buffer fills at once.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", server.port))
    sock.sendall(f"GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {pair.agent.token}\r\n\r\n".encode())

    # The healthy agent stream and the stuck one.
    await wait_until(lambda: open_stream_count(server.base_url), lambda count: count >= 2, timeout_s=60)
    async with asyncio.timeout(60):
        body = "x" * 4990
        sent = 0
        while await open_stream_count(server.base_url) >= 2:
            await asyncio.gather(*(pair.visitor.send(pair.chat["id"], f"{sent + i} {body}") for i in range(20)))
            sent += 20
    last = await pair.visitor.send(pair.chat["id"], "still flowing")
    await pair.agent_log.wait_for(lambda e: e.type == "message.created" and e.data["message"]["id"] == last["id"])
    sock.close()
    await pair.close()
    log = server.log_path.read_text()
    assert "dropped the event stream of /api/v1/events: the client took no bytes for 1 s" in log
    assert "Traceback" not in log, "a dropped stream is expected: one line, no traceback"
