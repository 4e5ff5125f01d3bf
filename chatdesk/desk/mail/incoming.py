"""Reading one mail from the support mailbox: who sent it, what it answers, what it says, its files."""

from __future__ import annotations

import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from chatdesk.desk.mail.reply_text import html_to_text, strip_quoted

_MESSAGE_IDS = re.compile(r"<[^<>\s]+>")
NUL = "\x00"


@dataclass(frozen=True)
class MailFile:
    name: str
    content_type: str  # as the mail declares it; checked again before it is kept
    data: bytes


@dataclass(frozen=True)
class IncomingMail:
    message_id: str
    answers: list[str]  # the Message-IDs in In-Reply-To and References, nearest first
    subject: str
    from_name: str | None
    from_email: str
    recipients: list[str]  # To, Cc, Delivered-To: a plus address names the ticket
    body: str  # the new text only: quoted history and signature cut off
    files: list[MailFile] = field(default_factory=list)
    automatic: bool = False  # an auto-reply or a bounce: never opens a ticket


def _header(message: EmailMessage, name: str) -> str:
    """A header's value, without NULs (which PostgreSQL's text cannot hold)."""
    try:
        value = str(message.get(name, "") or "")
    except (ValueError, IndexError):  # a header the policy cannot parse: read it raw
        value = str(message.get_all(name, [""])[0])
    return value.replace(NUL, "")


def _payload(part: MIMEPart) -> bytes:
    """A part's bytes, its transfer encoding undone."""
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _text_of(message: EmailMessage) -> str:
    """The mail's text: its text/plain part, else its HTML made text."""
    for preference in (("plain",), ("html",)):
        part = message.get_body(preferencelist=preference)
        if part is not None:
            try:
                content = part.get_content()
            except (LookupError, UnicodeError):  # an unknown or wrong charset: keep what can be read
                content = _payload(part).decode("utf-8", "replace")
            return html_to_text(content) if preference == ("html",) else content
    return ""


def _files_of(message: EmailMessage) -> list[MailFile]:
    files = []
    for part in message.iter_attachments():
        if part.is_multipart():
            continue
        data = _payload(part)
        if data:
            files.append(MailFile(part.get_filename() or "attachment", part.get_content_type(), data))
    return files


def parse_mail(raw: bytes) -> IncomingMail:
    """A mail as the mailbox holds it (RFC 5322 bytes), read; a mail without a Message-ID gets
    one made from its bytes, so a mail read twice is still recognised."""
    message = BytesParser(policy=email.policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    found = _MESSAGE_IDS.findall(_header(message, "Message-ID"))
    message_id = found[0] if found else f"<{hashlib.sha256(raw).hexdigest()}@chatdesk.invalid>"
    answers = list(dict.fromkeys(
        _MESSAGE_IDS.findall(_header(message, "In-Reply-To"))
        + _MESSAGE_IDS.findall(_header(message, "References"))[::-1]))
    from_name, from_email = parseaddr(_header(message, "From"))
    recipients = [address for _name, address in getaddresses(
        [_header(message, name) for name in ("To", "Cc", "Delivered-To", "X-Original-To")]) if address]
    auto = _header(message, "Auto-Submitted").strip().lower()
    automatic = (auto not in ("", "no") or bool(_header(message, "X-Autoreply"))
                 or message.get_content_type() == "multipart/report")
    return IncomingMail(
        message_id=message_id, answers=answers, subject=" ".join(_header(message, "Subject").split()),
        from_name=from_name.strip() or None, from_email=from_email.strip().lower(), recipients=recipients,
        body=strip_quoted(_text_of(message).replace(NUL, "")), files=_files_of(message), automatic=automatic)
