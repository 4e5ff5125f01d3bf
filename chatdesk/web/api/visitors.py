"""Visitors as agents see them: the visitor panel of the workspace."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from chatdesk.desk.visitors import visitor_profile
from chatdesk.web.api.endpoint import Access, Call, endpoint, json_response


@endpoint("A visitor with their pre-chat fields, recent chats and tickets (agent)", access=Access.AGENT,
          tags=("visitors",))
async def visitors_show(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        return json_response(await visitor_profile(conn, call.request.path_params["visitor_id"]))


routes = [Route("/api/v1/visitors/{visitor_id:uuid}", visitors_show, methods=["GET"])]
