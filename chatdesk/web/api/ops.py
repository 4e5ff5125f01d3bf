"""Operational endpoints: liveness, readiness, metrics, the OpenAPI document."""

from __future__ import annotations

import asyncio
import logging

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from chatdesk import metrics
from chatdesk.db.tables import outbox
from chatdesk.desk.reports import live_queues
from chatdesk.desk.runtime import Runtime
from chatdesk.web.api.endpoint import json_response
from chatdesk.web.api.openapi import openapi_document

log = logging.getLogger("chatdesk.ready")

# A readiness probe that hangs is worse than one that fails: load balancers time out anyway.
READY_TIMEOUT_S = 2.0


async def healthz(request: Request) -> Response:
    """The process is alive and serving."""
    return json_response({"status": "ok"})


async def _check(name: str, probe) -> tuple[str, bool]:
    """(name, whether it answered). Why it failed goes to the log: it names hosts and ports."""
    try:
        await asyncio.wait_for(probe(), READY_TIMEOUT_S)
        return name, True
    except Exception as error:  # noqa: BLE001 - any failure means not ready; say which
        log.warning("readiness: %s unreachable: %s: %s", name, type(error).__name__, error)
        return name, False


async def readyz(request: Request) -> Response:
    """PostgreSQL and Redis both answer; 503 naming the one that doesn't."""
    runtime: Runtime = request.app.state.runtime

    async def database() -> None:
        async with runtime.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))

    results = dict(await asyncio.gather(_check("database", database), _check("redis", runtime.redis.ping)))
    failed = [name for name, answered in results.items() if not answered]
    checks = {name: ("ok" if answered else "failed") for name, answered in results.items()}
    if failed:
        return json_response(
            {"status": "unavailable", "checks": checks,
             "error": {"code": "unavailable", "message": "Not ready: " + ", ".join(failed) + " unreachable.",
                       "failed": failed}},
            503,
        )
    return json_response({"status": "ok", "checks": checks})


async def metrics_view(request: Request) -> Response:
    """Prometheus text exposition of this process's metrics (outbox depth and the queues read now)."""
    runtime: Runtime = request.app.state.runtime
    try:
        async with runtime.engine.connect() as conn:
            metrics.OUTBOX_DEPTH.set((await conn.execute(sa.select(sa.func.count()).select_from(outbox))).scalar_one())
            queues = await live_queues(conn)
        for gauge in (metrics.QUEUE_LENGTH, metrics.QUEUE_LONGEST_WAIT, metrics.AGENTS_ONLINE):
            gauge.clear()  # a renamed or removed department leaves no stale series
        for queue in queues:
            metrics.QUEUE_LENGTH.labels(queue.name).set(queue.queued)
            metrics.QUEUE_LONGEST_WAIT.labels(queue.name).set(float(queue.longest_wait_s))
            metrics.AGENTS_ONLINE.labels(queue.name).set(queue.agents_online)
    except Exception:  # noqa: BLE001 - the other metrics still matter when PostgreSQL is down
        pass
    return Response(metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


async def openapi(request: Request) -> Response:
    """The OpenAPI 3.1 document of every endpoint, built from the routes themselves."""
    return json_response(openapi_document(request.app.routes))


routes = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
    Route("/metrics", metrics_view, methods=["GET"]),
    Route("/api/v1/openapi.json", openapi, methods=["GET"]),
]
