"""The application factory: routes, middleware and lifespan, declared in one place."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Match, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from chatdesk.config import Settings
from chatdesk.desk.runtime import open_runtime
from chatdesk.desk.widgets import OriginList
from chatdesk.errors import ApiError
from chatdesk.resources import resource_dir
from chatdesk.web import api, ticket_page, widget_assets
from chatdesk.web.http_protocol import ON_SERVER_STOP
from chatdesk.web.middleware import (
    BodyLimitMiddleware,
    CorsMiddleware,
    ErrorMiddleware,
    MetricsMiddleware,
    RequestIdMiddleware,
    SecurityHeadersMiddleware,
    request_id,
)

log = logging.getLogger("chatdesk")

# The cycle collector's thresholds for a long-running server (CPython's are 700, 10, 10). A full
# collection walks every live object and stops the event loop while it does: with thousands of
# open streams that was 100-450 ms every few seconds under load. Refcounting frees nearly
# everything a request allocates; these still collect young cycles every 20,000 allocations.
GC_THRESHOLDS = (20_000, 50, 100)


def _settle_heap() -> None:
    """Take what start-up built (modules, tables, statements) out of the cycle collector's view
    for good, and collect less often (GC_THRESHOLDS says why)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def workspace_headers(settings: Settings) -> dict[str, str]:
    """The workspace runs only its own scripts and styles (nothing inline) and talks only to its own origin
    (and, when agents sign in with Supabase, to the project's auth API); only its own pages may frame it
    (X-Frame-Options says the same to older browsers)."""
    project = (settings.supabase_url or "").rstrip("/")
    connect = f"; connect-src 'self' {project}" if settings.supabase_sign_in else ""
    return {
        "Content-Security-Policy": "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                                   f"frame-ancestors 'self'{connect}",
        "X-Frame-Options": "SAMEORIGIN",
    }


class CachedStaticFiles(StaticFiles):
    """Static files revalidated every few minutes (no build step, so names carry no hashes),
    with any `headers` given added to each response."""

    def __init__(self, *, headers: dict[str, str] | None = None, **options) -> None:
        super().__init__(**options)
        self.headers = headers or {}

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers.setdefault("Cache-Control", "public, max-age=300")
        for name, value in self.headers.items():
            response.headers.setdefault(name, value)
        return response


def _allowed_methods(request: Request) -> str:
    """Every method some route answers at this path (Starlette names only the first route's)."""
    methods = {method for route in request.app.routes if isinstance(route, Route)
               and route.matches(request.scope)[0] is not Match.NONE for method in route.methods or ()}
    return ", ".join(sorted(methods))


async def _api_error(request: Request, error: Exception) -> Response:
    if isinstance(error, HTTPException):
        headers = dict(error.headers or {})
        message = error.detail or "Request failed."
        if error.status_code == 405:
            headers["Allow"] = _allowed_methods(request)
            message = f"{request.method} is not allowed here; this path answers {headers['Allow']}."
        error = ApiError(error.status_code, message, headers=headers)
    assert isinstance(error, ApiError), "registered for ApiError and HTTPException only"
    return Response(error.body(request_id(request.scope)), status_code=error.status,
                    media_type="application/json", headers=error.headers)


async def _to_workspace(request: Request) -> Response:
    return RedirectResponse("/workspace/")


async def _favicon(request: Request) -> Response:
    """The icon for browsers that ask `/favicon.ico` whatever the page links (the SVG; they read it)."""
    return FileResponse(resource_dir("static") / "favicon.svg", media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})


def create_app(settings: Settings) -> Starlette:
    """A chatdesk app for these settings; pools open and close with the app's lifespan."""
    origins: list[OriginList] = []

    async def origin_allowed(origin: str) -> bool:
        return bool(origins) and await origins[0].allows(origin)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Callable[[], None]]]:
        async with open_runtime(settings) as runtime:
            app.state.runtime = runtime
            origins.append(OriginList(runtime.engine))
            log.info("chatdesk ready at %s", settings.base_url)
            # uvicorn waits for open responses before this lifespan ends: event streams end earlier.
            yield {ON_SERVER_STOP: runtime.hub.close_streams}

    def body_limit(path: str) -> int:
        return settings.upload_max_bytes + 64 * 1024 if path.endswith("/attachments") else settings.request_max_bytes

    middleware = [
        Middleware(RequestIdMiddleware),
        Middleware(ErrorMiddleware),
        Middleware(MetricsMiddleware),
        Middleware(SecurityHeadersMiddleware, https=settings.base_url.startswith("https://")),
        Middleware(CorsMiddleware, origin_allowed=origin_allowed),
        Middleware(BodyLimitMiddleware, limit_for=body_limit),
    ]
    static = resource_dir("static")
    routes = [
        *api.routes,
        *widget_assets.routes,
        *ticket_page.routes,
        Route("/", _to_workspace, methods=["GET"]),
        Route("/favicon.ico", _favicon, methods=["GET"]),
        Mount("/workspace", CachedStaticFiles(directory=static / "workspace", html=True,
                                              headers=workspace_headers(settings)),
              name="workspace"),
        Mount("/static", CachedStaticFiles(directory=static), name="static"),
    ]
    return Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={ApiError: _api_error, HTTPException: _api_error},
    )


def serving_app(settings: Settings) -> Starlette:
    """The app for a `chatdesk serve` process, whose collector is tuned for a long life (tests
    build theirs with `create_app`, leaving their own process's collector alone)."""
    app = create_app(settings)
    _settle_heap()
    return app


def app_from_env() -> Starlette:
    """Factory for uvicorn's `--factory` (worker processes read the same environment)."""
    return serving_app(Settings())
