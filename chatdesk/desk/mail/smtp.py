"""SMTP: connecting as `CHATDESK_SMTP_URL` says, building the MIME message, and saying in plain
words what went wrong (and whether trying again can help)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import aiosmtplib

from chatdesk.config import SmtpServer


@asynccontextmanager
async def connected(server: SmtpServer) -> AsyncIterator[aiosmtplib.SMTP]:
    """An SMTP session: connected, greeted (EHLO), upgraded to TLS and signed in as the URL says."""
    client = aiosmtplib.SMTP(
        hostname=server.host, port=server.port, username=server.username, password=server.password,
        timeout=server.timeout_s, use_tls=server.tls == "implicit",
        start_tls={"starttls": True, "if_offered": None}.get(server.tls, False),
    )
    await client.connect()
    try:
        yield client
    finally:
        try:
            await client.quit()
        except (aiosmtplib.SMTPException, OSError):  # the session is over either way
            client.close()


def build_message(*, sender: str, to: str, subject: str, text: str, html: str | None, message_id: str,
                  date: datetime, headers: dict[str, str]) -> EmailMessage:
    """A multipart/alternative message (text, then HTML) with its headers."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


async def send(client: aiosmtplib.SMTP, message: EmailMessage) -> None:
    """Hand one message to the server (raises on refusal)."""
    await client.send_message(message, sender=parseaddr(message["From"])[1], recipients=[message["To"]])


def _code(error: BaseException) -> int | None:
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        return error.recipients[0].code
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return error.code
    return None


def is_permanent(error: BaseException) -> bool:
    """The server refused this mail for good (a 5xx reply): trying again would get the same answer."""
    code = _code(error)
    return code is not None and 500 <= code < 600


def breaks_connection(error: BaseException) -> bool:
    """After this, the session can carry no further mail."""
    return not isinstance(error, aiosmtplib.SMTPResponseException | aiosmtplib.SMTPRecipientsRefused)


def explain(error: BaseException, server: SmtpServer) -> str:
    """What went wrong, in a sentence an admin can act on."""
    where = f"{server.host}:{server.port}"
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        refused = error.recipients[0]
        return f"the server refused the recipient {refused.recipient}: {refused.code} {refused.message}"
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        return f"{where} refused the user name or password: {error.code} {error.message}"
    if isinstance(error, aiosmtplib.SMTPSenderRefused):
        return f"the server refused the sender {error.sender}: {error.code} {error.message}"
    if isinstance(error, aiosmtplib.SMTPDataError):
        return f"the server refused the message: {error.code} {error.message}"
    if isinstance(error, aiosmtplib.SMTPTimeoutError):
        return f"{where} did not answer within {server.timeout_s:g} s"
    if isinstance(error, aiosmtplib.SMTPConnectError):
        return f"could not connect to {where}: {error}"
    if isinstance(error, aiosmtplib.SMTPServerDisconnected):
        return f"{where} closed the connection: {error}"
    if isinstance(error, aiosmtplib.SMTPNotSupported):
        return f"{where} does not support what the URL asks for: {error}"
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return f"{where} answered {error.code} {error.message}"
    return f"{where}: {type(error).__name__}: {error}"
