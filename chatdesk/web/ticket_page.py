"""The customer's ticket page at `/t/<token>`: a static page whose script reads the token from its
address and talks to `/api/v1/ticket-page/<token>` (docs/api.md, The customer's ticket page).

The address is the credential, so the page keeps it to itself: no Referer leaves it (a link in a
reply would otherwise carry the token to another site), nothing caches it, no other site frames it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from chatdesk.resources import resource_dir

PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
                               "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
}


async def page(request: Request) -> Response:
    return FileResponse(resource_dir("static") / "ticket" / "index.html", media_type="text/html",
                        headers=PAGE_HEADERS)


routes = [Route("/t/{token}", page, methods=["GET"])]
