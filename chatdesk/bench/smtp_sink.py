"""A real SMTP server on loopback (aiosmtpd, in a thread) that keeps every message it accepts:
what `chatdesk bench mail` drains to and the tests send to.

It can be stopped and started again on the same port (SMTP down), refuse chosen recipients with
the reply of our choice (`refuse`), ask for a user and password (`credentials`), and hold the answer
to DATA until released (`stall`): the sender is then mid-send, the message not yet accepted.
"""

from __future__ import annotations

import email
import email.policy
import logging
import threading
import time
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from typing import Any

from chatdesk.bench.server import free_port


class SmtpSink:
    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.port = free_port()
        self.credentials = credentials
        self.refuse: dict[str, str] = {}  # recipient -> reply, e.g. "550 5.1.1 No such user"
        self.stall = False
        self.stalled = threading.Event()  # a DATA answer is being held
        self._received: list[bytes] = []
        self._message_ids: list[str] = []
        self.arrived_at: list[float] = []  # time.perf_counter() of each message accepted
        self._lock = threading.Lock()
        self._controller: Any = None

    @property
    def url(self) -> str:
        """`CHATDESK_SMTP_URL` for this server (no TLS: it is on loopback)."""
        user = f"{self.credentials[0]}:{self.credentials[1]}@" if self.credentials else ""
        return f"smtp://{user}127.0.0.1:{self.port}?tls=off"

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller  # the `bench` extra (and the tests')

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
        options: dict[str, Any] = {} if self.credentials is None else {
            "authenticator": self._authenticate, "auth_required": True, "auth_require_tls": False,
            "auth_exclude_mechanism": ["LOGIN"]}
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **options)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def raw(self) -> list[bytes]:
        with self._lock:
            return list(self._received)

    def messages(self) -> list[EmailMessage]:
        """Every message accepted so far, parsed."""
        return [email.message_from_bytes(data, policy=email.policy.default) for data in self.raw()]

    def message_ids(self) -> list[str]:
        """The Message-ID of every message accepted so far (read once, as each arrived)."""
        with self._lock:
            return list(self._message_ids)

    def count(self) -> int:
        with self._lock:
            return len(self._received)

    def _keep(self, data: bytes) -> None:
        headers = BytesHeaderParser(policy=email.policy.default).parsebytes(data)
        with self._lock:
            self._received.append(data)
            self._message_ids.append(str(headers["Message-ID"]))
            self.arrived_at.append(time.perf_counter())

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        assert self.credentials is not None
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(), auth_data.password.decode()) == self.credentials
        return AuthResult(success=ok, handled=False)


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802 - aiosmtpd's name
                          rcpt_options: list[str]) -> str:
        if address in self.sink.refuse:
            return self.sink.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        if self.sink.stall:
            import asyncio

            self.sink.stalled.set()
            await asyncio.Event().wait()  # never answered: the client is killed or the server stops
        self.sink._keep(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"
