"""A real `chatdesk serve` against slow clients: request deadlines (slowloris) and the connection limit."""

from __future__ import annotations

import asyncio
import time

import aiohttp

from chatdesk.web.http_protocol import BODY_GRACE_S, HEADERS_S, MAX_HEADER_BYTES
from tests.realtime_helpers import new_widget

# Loopback only, a bounded number: enough to see each one dropped, few enough for a shared machine.
SLOW_CLIENTS = 50
MARGIN_S = 5  # a busy machine's scheduling, on top of the deadline


async def _slow_request(port: int, head: bytes, drip: bytes) -> tuple[float, bytes]:
    """Send `head`, then `drip` a byte a second, until the server closes the connection: the
    seconds it stayed open and what the server answered."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()

    async def dripping() -> None:
        try:
            writer.write(head)
            for byte in drip:
                await writer.drain()
                await asyncio.sleep(1)  # the attack's pace, not a wait for the server
                writer.write(bytes([byte]))
        except ConnectionError:
            pass

    sender = asyncio.create_task(dripping())
    try:
        answer = await asyncio.wait_for(reader.read(), HEADERS_S + BODY_GRACE_S + MARGIN_S)  # until EOF
        return time.monotonic() - started, answer
    finally:
        sender.cancel()
        writer.close()


async def test_slow_headers_and_slow_bodies_are_cut_off_while_others_are_served(serve, database_url):
    server = serve(CHATDESK_SSE_HEARTBEAT_S="1")
    port = server.port
    widget_id = await new_widget(database_url)
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{server.base_url}/api/v1/widgets/{widget_id}/visitors", json={}) as response:
            token = (await response.json())["token"]
        stream = await http.get(f"{server.base_url}/api/v1/events", headers={"Authorization": f"Bearer {token}"})
        slow_headers = [asyncio.create_task(_slow_request(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ",
                                                          b"a" * 60)) for _ in range(SLOW_CLIENTS)]
        slow_body = asyncio.create_task(_slow_request(
            port, b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 1000\r\n\r\n", b" " * 60))
        for _ in range(3):  # normal traffic meanwhile
            async with http.get(f"{server.base_url}/healthz") as response:
                assert response.status == 200
            async with http.post(f"{server.base_url}/api/v1/widgets/{widget_id}/visitors", json={}) as response:
                assert response.status == 201
        for seconds, answer in await asyncio.gather(*slow_headers):
            assert HEADERS_S - 0.5 <= seconds < HEADERS_S + MARGIN_S and answer.startswith(b"HTTP/1.1 408 ")
        seconds, answer = await slow_body
        assert BODY_GRACE_S - 0.5 <= seconds < BODY_GRACE_S + MARGIN_S
        assert answer.startswith(b"HTTP/1.1 408 ") and b'"code":"request_timeout"' in answer
        assert await asyncio.wait_for(stream.content.readany(), 5)  # an event stream is never timed out
        stream.close()


async def test_connections_over_the_limit_get_503(serve):
    server = serve(CHATDESK_MAX_CONNECTIONS="20")
    idle = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(20)]
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{server.base_url}/healthz") as response:
            assert response.status == 503
        for _, writer in idle:
            writer.close()
            await writer.wait_closed()
        async with http.get(f"{server.base_url}/healthz") as response:
            assert response.status == 200


async def test_headers_over_64_kb_are_431(serve):
    server = serve()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    header = b"X-Filler: " + b"a" * 1000 + b"\r\n"
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + header * (MAX_HEADER_BYTES // len(header) + 30))
    try:
        answer = await asyncio.wait_for(reader.read(), 10)  # until the server closes
    except ConnectionResetError:  # it closed before reading the last bytes sent: cut off all the same
        answer = b"HTTP/1.1 431 (reset)"
    finally:
        writer.close()
    assert answer.startswith(b"HTTP/1.1 431 ")
