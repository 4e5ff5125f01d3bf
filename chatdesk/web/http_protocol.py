"""uvicorn's HTTP protocol with a deadline and a size limit for receiving each request (slowloris).

uvicorn times out only idle keep-alive connections, and any byte resets that: a client sending
its headers a byte at a time held a connection for as long as it liked, and no ASGI middleware
runs before the headers are complete. Here a request's line and headers must arrive within
HEADERS_S of the connection's opening (on a kept-alive connection, of the request's first byte),
and its body must then keep up BODY_MIN_BYTES_PER_S after a grace
of BODY_GRACE_S (Apache's mod_reqtimeout rule), or the client gets a 408 and the connection is
closed. Once a request is received nothing is timed here: event streams live as long as they like.
Headers are also capped at MAX_HEADER_BYTES (431): httptools sets no limit, and 200 MB of one
request's headers took 190 MB of memory.

When the server stops (SIGTERM, Ctrl-C, or `should_exit` set by whoever embeds it), uvicorn asks
each connection to `shutdown()`, then waits for open responses, and only then runs the app's
lifespan shutdown. An event stream never ends by itself, so each connection's shutdown first calls
the app's `ON_SERVER_STOP` (from the lifespan state): the streams end at once, not at the graceful
timeout. This leans on uvicorn's protocol (`app_state`, `shutdown()`); pyproject.toml pins the range,
and tests/test_events.py's shutdown tests fail if an upgrade changes it.
"""

from __future__ import annotations

import asyncio
import logging
from http import HTTPStatus

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from chatdesk.errors import ApiError

log = logging.getLogger("chatdesk.http")

# Browsers send a request's line and headers in one packet; 10 s allows for a slow mobile link.
HEADERS_S = 10.0
# A body gets this long to start, then must average at least this rate: a 10 MB upload over a
# link of 20 KB/s passes; one byte a second does not.
BODY_GRACE_S = 10.0
BODY_MIN_BYTES_PER_S = 500
# nginx allows 32 KB of headers by default, Node.js 16 KB.
MAX_HEADER_BYTES = 64 * 1024

# After a refusal, how long the connection stays half-open, reading and dropping what the client
# still sends (nginx's lingering close): closing with unread bytes makes the kernel reset the
# connection, and a reset discards the answer the client had not read yet.
LINGER_S = 2.0

# The lifespan state's key for what to do when the server starts to stop (a plain callable).
ON_SERVER_STOP = "chatdesk.on_server_stop"

_TOO_SLOW = ApiError(408, "The request arrived too slowly; the connection was closed.")
_HEADERS_TOO_LARGE = ApiError(431, f"The request's headers are over {MAX_HEADER_BYTES} bytes.")


class DeadlineHttpProtocol(HttpToolsProtocol):
    """HttpToolsProtocol (what uvicorn picks when httptools is installed) plus request deadlines
    and a cap on headers."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._timer: asyncio.TimerHandle | None = None
        self._deadline: float | None = None
        self._header_bytes: int | None = 0  # None from the end of a request's headers to the next request
        self._body_started = 0.0
        self._body_bytes = 0
        self._refused = False
        self._set_deadline(self.loop.time() + HEADERS_S)

    def data_received(self, data: bytes) -> None:
        if self._refused:  # lingering: dropped unread
            return
        super().data_received(data)
        if self._header_bytes is not None:  # this chunk did not end the headers
            self._header_bytes += len(data)
            if self._header_bytes > MAX_HEADER_BYTES:
                self._refuse(_HEADERS_TOO_LARGE)

    def shutdown(self) -> None:
        """The server is stopping: run the app's `ON_SERVER_STOP`, then finish as uvicorn does."""
        on_stop = self.app_state.get(ON_SERVER_STOP)
        if on_stop is not None:
            on_stop()
        super().shutdown()

    def connection_lost(self, exc: Exception | None) -> None:
        self._set_deadline(None)
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = 0
        if self._deadline is None:  # the next request on a kept-alive connection
            self._set_deadline(self.loop.time() + HEADERS_S)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._header_bytes = None
        self._body_started, self._body_bytes = self.loop.time(), 0
        self._set_deadline(self._body_started + BODY_GRACE_S)

    def on_body(self, body: bytes) -> None:
        super().on_body(body)
        self._body_bytes += len(body)
        self._deadline = self._body_started + BODY_GRACE_S + self._body_bytes / BODY_MIN_BYTES_PER_S

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._set_deadline(None)

    def _set_deadline(self, deadline: float | None) -> None:
        """Time the request out at `deadline` (loop time), or not at all for None."""
        self._deadline = deadline
        if deadline is None and self._timer is not None:
            self._timer.cancel()
            self._timer = None
        elif deadline is not None and self._timer is None:
            self._timer = self.loop.call_at(deadline, self._check_deadline)

    def _check_deadline(self) -> None:
        """The timer fired: close the connection if the deadline has passed, else wait for the moved one."""
        self._timer = None
        if self._deadline is None:
            return
        if self.loop.time() < self._deadline:  # body bytes arrived and moved it
            self._timer = self.loop.call_at(self._deadline, self._check_deadline)
            return
        self._refuse(_TOO_SLOW)

    def _refuse(self, error: ApiError) -> None:
        """Answer `error` unless a response is under way, and close the connection: first our side
        (the answer, then end of file), after LINGER_S or once the client closes its side, all of it."""
        if self.transport.is_closing() or self._refused:
            return
        self._refused = True
        self._set_deadline(None)
        log.info("closed a connection from %s: %s", self.client, error.message)
        if self.cycle is None or self.cycle.response_complete or not self.cycle.response_started:
            body, reason = error.body(), HTTPStatus(error.status).phrase.encode()
            self.transport.write(b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\nconnection: close\r\n"
                                 b"content-length: %d\r\n\r\n%s" % (error.status, reason, len(body), body))
        if self.cycle is not None and not self.cycle.response_complete:  # the app's request is over
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        self.transport.write_eof()
        self.loop.call_later(LINGER_S, self.transport.close)
