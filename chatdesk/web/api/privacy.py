"""Privacy requests (admin): find a visitor, export everything kept about them, erase it (docs/api.md, Privacy)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field
from starlette.responses import Response
from starlette.routing import Route

from chatdesk.desk.audit import record_admin_action
from chatdesk.desk.privacy.erasure import erase
from chatdesk.desk.privacy.export import export_zip
from chatdesk.desk.privacy.subject import search_visitors
from chatdesk.web.api.endpoint import Access, Call, endpoint, json_response


class VisitorSearch(BaseModel):
    q: str = Field("", max_length=200)  # empty: the newest visitors


class FoundVisitor(BaseModel):
    id: uuid.UUID
    name: str | None
    email: str | None
    created_at: str
    last_seen_at: str | None
    erased_at: str | None
    chats: int


class FoundVisitors(BaseModel):
    visitors: list[FoundVisitor]


class Erased(BaseModel):
    visitors: int
    chats: int
    tickets: int
    mails: int
    files: int


class ErasedEnvelope(BaseModel):
    erased: Erased


def _visitor_id(call: Call) -> str:
    return str(call.request.path_params["visitor_id"])


@endpoint("Find visitors by id, or by a part of their name or email; the newest without `q` (admin)",
          access=Access.ADMIN, query=VisitorSearch, response=FoundVisitors, tags=("admin",))
async def privacy_visitors(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        return json_response({"visitors": await search_visitors(conn, call.query.q)})


@endpoint("Everything kept about a visitor, as a zip of visitor.json and their files (admin)",
          access=Access.ADMIN, tags=("admin",))
async def privacy_export(call: Call) -> Response:
    visitor_id = _visitor_id(call)
    async with call.runtime.engine.begin() as conn:
        archive = await export_zip(conn, call.runtime.storage, visitor_id)
        await record_admin_action(conn, call.caller, "privacy.export", "visitor", visitor_id, {})
    return Response(archive, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="visitor-{visitor_id}.zip"', "Cache-Control": "no-store"})


@endpoint("Erase a visitor's personal data, chats, tickets, mails and files (admin; cannot be undone)",
          access=Access.ADMIN, response=ErasedEnvelope, tags=("admin",))
async def privacy_erase(call: Call) -> Response:
    return json_response({"erased": await erase(call.runtime.transaction, _visitor_id(call), call.caller)})


routes = [
    Route("/api/v1/privacy/visitors", privacy_visitors, methods=["GET"]),
    Route("/api/v1/privacy/visitors/{visitor_id:uuid}/export", privacy_export, methods=["GET"]),
    Route("/api/v1/privacy/visitors/{visitor_id:uuid}/erase", privacy_erase, methods=["POST"]),
]
