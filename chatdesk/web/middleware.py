"""Plain ASGI middleware (never buffers a body, so SSE streams flow through untouched)."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatdesk.errors import ApiError, unavailable
from chatdesk.metrics import HTTP_LATENCY

log = logging.getLogger("chatdesk.http")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# A Redis restart or failover takes a second or two: clients wait this long before they try again.
REDIS_RETRY_AFTER_S = 2

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
# Browsers that once reached chatdesk over https refuse plain http to it for a year.
HSTS = (b"strict-transport-security", b"max-age=31536000")


def request_id(scope: Scope) -> str | None:
    """The id `RequestIdMiddleware` gave this request."""
    return scope.get("state", {}).get("request_id")


async def send_error(send: Send, error: ApiError, rid: str | None) -> None:
    """Send `error` as a complete JSON response."""
    headers = [(b"content-type", b"application/json")]
    headers += [(k.lower().encode(), v.encode()) for k, v in error.headers.items()]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": error.body(rid)})


class RequestIdMiddleware:
    """Gives every request an id (or keeps a sane incoming `X-Request-ID`) and echoes it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        await self.app(scope, receive, send_with_id)


class ErrorMiddleware:
    """Turns any exception that escapes a view into a 500 in docs/api.md's shape and logs the traceback;
    Redis out of reach is a 503 `unavailable` with `Retry-After` instead (it heals by itself)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as failure:  # noqa: BLE001 - logged by _logged_answer, answered 500 (or 503)
            rid = request_id(scope)
            error = _logged_answer(failure, scope, rid)
            if not started:
                await send_error(send, error, rid)


def _logged_answer(failure: Exception, scope: Scope, rid: str | None) -> ApiError:
    """Log an exception that escaped a view; returns the client's answer."""
    where = f"{scope['method']} {scope['path']} (request {rid})"
    if isinstance(failure, (RedisConnectionError, RedisTimeoutError)):
        log.warning("Redis is out of reach: %s answered 503: %s", where, failure)
        return unavailable(REDIS_RETRY_AFTER_S, "Live chat is briefly unavailable; try again in a moment.")
    log.error("unhandled error in %s", where, exc_info=failure)
    return ApiError(500, "Something went wrong on our side; the error was logged.")


class SecurityHeadersMiddleware:
    """Adds conservative security headers to every response that doesn't set its own.

    A response whose CSP names its `frame-ancestors` (the widget frame) gets no `X-Frame-Options`.
    With `https` (the public URL is https), every response also carries HSTS."""

    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self.headers = [*SECURITY_HEADERS, HSTS] if https else SECURITY_HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                framing_set = b"frame-ancestors" in headers.get(b"content-security-policy", b"")
                extra = [(k, v) for k, v in self.headers
                         if k not in headers and not (framing_set and k == b"x-frame-options")]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """413 for a request body over the limit, decided from Content-Length or while streaming.

    The body is never read whole: a declared length over the limit is refused before any byte
    is read, and an undeclared (chunked) one is refused as soon as the running count passes it.
    """

    def __init__(self, app: ASGIApp, *, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        too_large = ApiError(413, f"The request body is over the limit of {limit} bytes.")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return await send_error(send, too_large, request_id(scope))
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise too_large
            return message

        await self.app(scope, counting_receive, send)


class MetricsMiddleware:
    """Observes HTTP latency per route (the view's name) and status class."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                _observe(scope, status, started)
            await send(message)

        await self.app(scope, receive, recording_send)


def _observe(scope: Scope, status: int, started: float) -> None:
    endpoint = scope.get("endpoint")
    route = getattr(endpoint, "__name__", "unmatched")
    HTTP_LATENCY.labels(scope["method"], route, f"{status // 100}xx").observe(
        time.perf_counter() - started
    )


OriginCheck = Callable[[str], Awaitable[bool]]


class CorsMiddleware:
    """CORS for the widget: any origin on a widget's allowed list may call the API without cookies.

    Widget requests authenticate with a bearer token, never a cookie, so credentials are never
    allowed cross-origin. Preflights are answered here; other requests get the allow header.
    """

    def __init__(self, app: ASGIApp, *, origin_allowed: OriginCheck) -> None:
        self.app = app
        self.origin_allowed = origin_allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        origin = headers.get(b"origin", b"").decode("latin-1")
        if not origin or not await self.origin_allowed(origin):
            return await self.app(scope, receive, send)
        allow = [(b"access-control-allow-origin", origin.encode()), (b"vary", b"Origin")]
        if scope["method"] == "OPTIONS" and b"access-control-request-method" in headers:
            preflight = [
                *allow,
                (b"access-control-allow-methods", b"GET, POST, PUT, PATCH, DELETE"),
                (b"access-control-allow-headers", b"authorization, content-type, last-event-id, x-request-id"),
                (b"access-control-max-age", b"600"),
            ]
            await send({"type": "http.response.start", "status": 204, "headers": preflight})
            return await send({"type": "http.response.body", "body": b""})

        async def send_with_allow(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *allow,
                                      (b"access-control-expose-headers", b"retry-after, x-request-id")]
            await send(message)

        await self.app(scope, receive, send_with_allow)
