"""Uploads to a chat and downloads of its files (docs/api.md, Attachments)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel
from starlette.responses import Response
from starlette.routing import Route

from chatdesk.desk.files.attachments import load_attachment, store_upload
from chatdesk.desk.files.names import content_disposition
from chatdesk.desk.files.sniff import IMAGE_TYPES
from chatdesk.desk.files.ticket_files import load_ticket_file
from chatdesk.desk.files.uploads import FIELD, receive_upload
from chatdesk.errors import not_found
from chatdesk.web.api.budgets import spend_address_and_widget
from chatdesk.web.api.endpoint import Access, Call, endpoint, json_response

# Whatever a file holds, the browser must not run it or guess another type for it.
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Cache-Control": "private, max-age=3600",
    "Cross-Origin-Resource-Policy": "same-site",
}


class AttachmentOut(BaseModel):
    id: uuid.UUID
    name: str
    size: int
    content_type: str
    url: str
    thumbnail_url: str | None


class AttachmentEnvelope(BaseModel):
    attachment: AttachmentOut


def _declared_size(call: Call, limit: int) -> int:
    """The body's Content-Length; the largest upload when it is not given (a chunked body)."""
    declared = call.request.headers.get("content-length", "")
    return int(declared) if declared.isdigit() else limit


@endpoint("Upload a file to a chat (multipart field `file`); send it with a message's attachment_ids",
          access=Access.PARTICIPANT, response=AttachmentEnvelope, status=201, file_field=FIELD, tags=("attachments",))
async def upload(call: Call) -> Response:
    runtime, principal, settings = call.runtime, call.caller, call.runtime.settings
    await runtime.counters.spend(settings.upload_rate, f"upload:{principal.kind}:{principal.id}")
    if principal.kind == "visitor":
        # A visitor's principal always carries its widget.
        await spend_address_and_widget(call, "upload-bytes", principal.widget_id,  # type: ignore[arg-type]
                                       settings.address_upload_byte_rate,
                                       settings.widget_upload_byte_rate,
                                       _declared_size(call, settings.upload_max_bytes))
    received = await receive_upload(call.request, runtime.storage.scratch(), settings.upload_max_bytes)
    try:
        async with runtime.engine.begin() as conn:
            attachment = await store_upload(conn, runtime.storage, principal, call.request.path_params["chat_id"],
                                            received)
    finally:
        received.path.unlink(missing_ok=True)  # moved into storage on success; dropped otherwise
    return json_response({"attachment": attachment}, 201)


async def _serve(call: Call, *, thumbnail: bool) -> Response:
    async with call.runtime.engine.connect() as conn:
        row = await load_attachment(conn, call.caller, call.request.path_params["attachment_id"])
    key = row.thumbnail_key if thumbnail else row.storage_key
    storage = call.runtime.storage
    if key is None or not await storage.exists(key):
        raise not_found("attachment")
    inline = thumbnail or row.content_type in IMAGE_TYPES
    name = f"{row.name}.webp" if thumbnail else row.name
    return await storage.response(key, "image/webp" if thumbnail else row.content_type,
                                  {**DOWNLOAD_HEADERS, "Content-Disposition": content_disposition(name, inline=inline)})


@endpoint("Download an attachment (the chat's visitor or an agent); supports Range", access=Access.PARTICIPANT,
          query_token=True, tags=("attachments",))
async def download(call: Call) -> Response:
    return await _serve(call, thumbnail=False)


@endpoint("An image attachment's thumbnail (WebP, at most 320 x 320)", access=Access.PARTICIPANT, query_token=True,
          tags=("attachments",))
async def download_thumbnail(call: Call) -> Response:
    return await _serve(call, thumbnail=True)


@endpoint("Download a file that came with a ticket's comment (a customer's mail); agents only",
          access=Access.AGENT, query_token=True, tags=("tickets",))
async def download_ticket_file(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        row = await load_ticket_file(conn, call.request.path_params["file_id"])
    storage = call.runtime.storage
    if not await storage.exists(row.storage_key):
        raise not_found("attachment")
    disposition = content_disposition(row.name, inline=row.content_type in IMAGE_TYPES)
    return await storage.response(row.storage_key, row.content_type,
                                  {**DOWNLOAD_HEADERS, "Content-Disposition": disposition})


routes = [
    Route("/api/v1/chats/{chat_id:uuid}/attachments", upload, methods=["POST"]),
    Route("/api/v1/attachments/{attachment_id:uuid}", download, methods=["GET"]),
    Route("/api/v1/attachments/{attachment_id:uuid}/thumbnail", download_thumbnail, methods=["GET"]),
    Route("/api/v1/ticket-attachments/{file_id:uuid}", download_ticket_file, methods=["GET"]),
]
