"""Email's state for admins: whether it is set up, what waits, what failed; and a visitor's "email me the
transcript" (docs/api.md, Mail)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, EmailStr, Field
from starlette.responses import Response
from starlette.routing import Route

from chatdesk.desk.mail.queue import mail_status
from chatdesk.desk.mail.transcript_mail import email_transcript
from chatdesk.web.api.endpoint import Access, Call, endpoint, json_response


class MailError(BaseModel):
    message: str
    at: datetime
    to: str


class MailStatus(BaseModel):
    configured: bool
    missing: list[str]
    smtp: str | None
    mail_from: str | None
    imap: str | None
    queued: int
    failed: int
    last_error: MailError | None


@endpoint("Email status: set up or not, mails waiting and failed, the latest error", access=Access.ADMIN,
          response=MailStatus, tags=("admin",))
async def mail_status_view(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        return json_response(await mail_status(conn, call.runtime.settings))


class TranscriptEmailIn(BaseModel):
    email: EmailStr
    time_zone: str | None = Field(None, max_length=64)  # the browser's IANA zone, e.g. Europe/Paris; else UTC


class Queued(BaseModel):
    message: str


@endpoint("Email me the transcript of my ended chat (visitor; a few per hour)", access=Access.VISITOR,
          body=TranscriptEmailIn, response=Queued, status=202, tags=("visitors",))
async def transcript_email(call: Call) -> Response:
    runtime, visitor = call.runtime, call.caller
    await runtime.counters.spend(runtime.settings.transcript_email_rate, f"transcript-email:{visitor.id}")
    async with runtime.transaction() as tx:
        await email_transcript(tx, runtime.settings, visitor, call.request.path_params["chat_id"], call.body.email,
                               call.body.time_zone)
    return json_response({"message": f"The transcript is on its way to {call.body.email}."}, 202)


routes = [
    Route("/api/v1/mail/status", mail_status_view, methods=["GET"]),
    Route("/api/v1/chats/{chat_id:uuid}/transcript-email", transcript_email, methods=["POST"]),
]
