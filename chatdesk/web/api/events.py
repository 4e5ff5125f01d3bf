"""`GET /api/v1/events`: one Server-Sent Events stream per signed-in visitor or agent."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from starlette.responses import Response
from starlette.routing import Route

from chatdesk.desk.availability import agent_connected
from chatdesk.metrics import OPEN_STREAMS
from chatdesk.realtime.sse import EventStream, LeanEventSourceResponse
from chatdesk.realtime.streams import agent_stream, visitor_stream
from chatdesk.web.api.endpoint import Access, Call, endpoint


@endpoint("Event stream (SSE); resumes after Last-Event-ID", access=Access.PARTICIPANT, query_token=True,
          tags=("events",))
async def events(call: Call) -> Response:
    principal, runtime = call.caller, call.runtime
    stream = agent_stream(principal.id) if principal.is_agent else visitor_stream(principal.id)
    cursor = call.request.headers.get("last-event-id") or call.request.query_params.get("last_event_id")

    # Heartbeat comments keep proxies (which often cut idle connections at 60 s) from closing the
    # stream; a client that takes no bytes for the send timeout is stuck and dropped.
    settings = runtime.settings
    session = str(principal.session_id) if principal.session_id else None
    source = EventStream(runtime.hub, runtime.streams, stream, cursor, settings.sse_heartbeat_s, session)

    async def frames():
        if principal.is_agent:
            await runtime.presence.opened(principal.id)
            await agent_connected(runtime.transaction)
        OPEN_STREAMS.inc()
        runtime.open_streams.opened(source)
        expiry = _end_at(principal.session_expires_at, source)
        try:
            async for frame in source:
                yield frame
        finally:
            if expiry is not None:
                expiry.cancel()
            runtime.open_streams.closed(source)
            OPEN_STREAMS.dec()
            if principal.is_agent:
                await runtime.presence.closed(principal.id)

    return LeanEventSourceResponse(frames(), on_disconnect=source.close, send_timeout=settings.sse_send_timeout_s)


def _end_at(expires_at: datetime | None, source: EventStream) -> asyncio.TimerHandle | None:
    """End an agent's stream when their session expires (a visitor's token does not expire)."""
    if expires_at is None:
        return None
    seconds = (expires_at - datetime.now(UTC)).total_seconds()
    return asyncio.get_running_loop().call_later(max(0.0, seconds), source.close)


routes = [Route("/api/v1/events", events, methods=["GET"])]
