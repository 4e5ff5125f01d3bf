"""The customer widget's entry points: the loader at `/widget.js`, the chat frame, and the `/demo` shop page.

The widget runs in an iframe served from chatdesk's own origin: the host page's CSS and scripts
cannot reach into it, and the visitor's token stays in chatdesk-origin storage. The loader only
draws the launcher (in a closed shadow root) and relays `window.Chatdesk` calls to the frame.
"""

from __future__ import annotations

import html
import uuid

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route

from chatdesk.desk.widgets import get_widget, list_widgets, snippet
from chatdesk.resources import resource_dir

WIDGET_DIR = resource_dir("static") / "widget"

# Sites cache the loader briefly; a release reaches every page within five minutes.
LOADER_CACHE = "public, max-age=300"


async def loader(request: Request) -> Response:
    return FileResponse(WIDGET_DIR / "loader.js", media_type="text/javascript",
                        headers={"Cache-Control": LOADER_CACHE, "Cross-Origin-Resource-Policy": "cross-origin"})


def frame_policy(allowed_origins: list[str]) -> str:
    """The frame's CSP: its own scripts and API only, embeddable by the widget's sites (any if none listed)."""
    ancestors = " ".join(allowed_origins) if allowed_origins else "*"
    return ("default-src 'self'; img-src 'self' blob: data:; style-src 'self'; object-src 'none'; "
            f"base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}")


async def frame(request: Request) -> Response:
    """The widget's page, inside the host's iframe; only the widget's allowed origins may frame it."""
    async with request.app.state.runtime.engine.connect() as conn:
        widget = await get_widget(conn, request.path_params["widget_id"])
    return FileResponse(WIDGET_DIR / "frame.html", media_type="text/html", headers={
        "Content-Security-Policy": frame_policy(widget["allowed_origins"]),
        "Cache-Control": "no-cache",
    })


async def demo(request: Request) -> Response:
    """A fake shop embedding the first widget (or `?widget_id=`): for trying the widget and for tests."""
    async with request.app.state.runtime.engine.connect() as conn:
        chosen = request.query_params.get("widget_id")
        if chosen:
            try:
                widget_id = (await get_widget(conn, uuid.UUID(chosen)))["id"]
            except ValueError:
                return HTMLResponse("<p>widget_id is not a widget id.</p>", status_code=404)
        else:
            widgets = await list_widgets(conn)
            if not widgets:
                return HTMLResponse("<p>No widget yet: create one with <code>chatdesk widget create NAME</code>.</p>",
                                    status_code=404)
            widget_id = widgets[0]["id"]
    line = snippet(str(request.base_url).rstrip("/"), widget_id)
    page = (WIDGET_DIR / "demo.html").read_text().replace("{{snippet_text}}", html.escape(line))
    return HTMLResponse(page.replace("{{snippet}}", line), headers={"Cache-Control": "no-store"})


routes = [
    Route("/widget.js", loader, methods=["GET"]),
    Route("/widget/frame/{widget_id:uuid}", frame, methods=["GET"]),
    Route("/demo", demo, methods=["GET"]),
]
