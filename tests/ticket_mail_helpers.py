"""What the ticket mail tests share: a widget in a colour of its own, an offline message, the mails
a customer received (from the `sink` fixture's SMTP server), and the link in a mail."""

from __future__ import annotations

import re
import secrets
from email.message import EmailMessage

from chatdesk.bench.smtp_sink import SmtpSink
from chatdesk.db.engine import create_engine
from chatdesk.desk.widgets import create_widget
from tests.conftest import run
from tests.realtime_helpers import wait_until

TEAL = "#0f766e"
LINK = re.compile(r"https?://\S+/t/[A-Za-z0-9_.\-]+")


def teal_widget(database_url: str) -> str:
    """A widget named "Teapot Shop" in teal; its id."""
    async def create() -> str:
        engine = create_engine(database_url, pool_size=1)
        try:
            async with engine.begin() as conn:
                return str((await create_widget(conn, "Teapot Shop", {"color": TEAL}))["id"])
        finally:
            await engine.dispose()

    return run(create())


def customer_address() -> str:
    return f"priya-{secrets.token_hex(4)}@example.com"


def mails_to(sink: SmtpSink, address: str, count: int, timeout_s: float = 20) -> list[EmailMessage]:
    """The first `count` mails the sink accepted for `address`, in the order they arrived (waits for them)."""
    def received() -> list[EmailMessage]:
        return [message for message in sink.messages() if message["To"] == address]

    return run(wait_until(received, lambda mails: len(mails) >= count, timeout_s=timeout_s))[:count]


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain text and the HTML of a multipart/alternative mail (with `\n` line breaks)."""
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    return text.get_content().replace("\r\n", "\n"), html.get_content().replace("\r\n", "\n")


def link_in(message: EmailMessage) -> str:
    """The ticket page's link the mail carries (the same in both parts)."""
    text, html = parts(message)
    [link] = LINK.findall(text)
    assert f'href="{link}"' in html
    return link
