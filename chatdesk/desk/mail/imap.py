"""The mailbox reader: in every serving process, a task that reads the support mailbox over IMAP.

It signs in (`CHATDESK_IMAP_URL`), selects the folder, and takes each unread mail
(`inbound.take_mail`, one transaction per mail); only after that commit is the mail flagged
\\Seen on the server, so a crash before it leaves the mail unread, to be read again and found
taken. Between rounds it waits in IMAP IDLE (new mail wakes it at once) or, on a server without
IDLE, for `CHATDESK_IMAP_POLL_S`. Any number of processes may read one mailbox: the
`inbound_mail` row decides which one takes each mail.
"""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import aioimaplib

from chatdesk.config import ImapServer, Settings
from chatdesk.desk.files.storage import Storage
from chatdesk.desk.mail.inbound import take_mail
from chatdesk.desk.mail.incoming import parse_mail
from chatdesk.desk.ticket_mail import ticket_ref
from chatdesk.desk.transactions import Transactions
from chatdesk.periodic import stop_tasks

log = logging.getLogger(__name__)

# After a failure (server down, wrong password, PostgreSQL away) the reader tries again after this.
RETRY_S = 10.0
_UID = re.compile(rb"UID (\d+)")


class ImapError(RuntimeError):
    """The server refused a command; the message says which and what it answered."""


def _ok(response: aioimaplib.Response, what: str) -> aioimaplib.Response:
    if response.result != "OK":
        said = b" ".join(line for line in response.lines if isinstance(line, bytes)).decode("utf-8", "replace")
        raise ImapError(f"{what} refused: {said[:200]}")
    return response


async def _starttls(client: aioimaplib.IMAP4, server: ImapServer) -> None:
    """Upgrade the plain connection to TLS (aioimaplib has no STARTTLS of its own)."""
    protocol = client.protocol
    _ok(await asyncio.wait_for(protocol.execute(
        aioimaplib.Command("STARTTLS", protocol.new_tag(), loop=protocol.loop)), server.timeout_s), "STARTTLS")
    protocol.transport = await protocol.loop.start_tls(
        protocol.transport, protocol, ssl.create_default_context(), server_hostname=server.host)
    await asyncio.wait_for(protocol.capability(), server.timeout_s)


@asynccontextmanager
async def selected(server: ImapServer) -> AsyncIterator[aioimaplib.IMAP4]:
    """A session signed in with the folder selected; logged out after."""
    client: aioimaplib.IMAP4
    if server.tls == "implicit":
        client = aioimaplib.IMAP4_SSL(server.host, server.port, timeout=server.timeout_s,
                                      ssl_context=ssl.create_default_context())
    else:
        client = aioimaplib.IMAP4(server.host, server.port, timeout=server.timeout_s)
    await client.wait_hello_from_server()
    try:
        if server.tls == "starttls":
            await _starttls(client, server)
        _ok(await client.login(server.username, server.password), "LOGIN")
        _ok(await client.select(_quoted(server.folder)), f"SELECT {server.folder}")
        yield client
    finally:
        with suppress(Exception):
            await asyncio.wait_for(client.logout(), server.timeout_s)


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


async def unread_uids(client: aioimaplib.IMAP4) -> list[str]:
    response = _ok(await client.uid_search("UNSEEN", "UNDELETED", charset=None), "SEARCH")
    return [uid for line in response.lines[:1] for uid in line.decode().split() if uid.isdigit()]


async def fetch(client: aioimaplib.IMAP4, uid: str) -> bytes | None:
    """The whole mail (without marking it read), or None if it is gone."""
    response = _ok(await client.uid("fetch", uid, "(UID BODY.PEEK[])"), "FETCH")
    for index, line in enumerate(response.lines):
        if isinstance(line, bytes) and _UID.search(line) and index + 1 < len(response.lines):
            body = response.lines[index + 1]
            if isinstance(body, bytearray | bytes):
                return bytes(body)
    return None


class MailboxReader:
    """Reads the support mailbox where `CHATDESK_IMAP_URL` is set; a background part of the runtime."""

    def __init__(self, settings: Settings, transaction: Transactions, storage: Storage) -> None:
        self.settings = settings
        self.transaction = transaction
        self.storage = storage
        self._tasks: list[asyncio.Task] = []

    def start(self) -> None:
        server = self.settings.imap
        if server is None:
            log.info("mail: no support mailbox (CHATDESK_IMAP_URL): replies by mail are not read")
            return
        self._tasks = [asyncio.create_task(self._run(server))]

    async def stop(self) -> None:
        """Stop at once: a mail taken but not yet flagged is read again later and found taken."""
        await stop_tasks(self._tasks)

    async def _run(self, server: ImapServer) -> None:
        while True:
            try:
                async with selected(server) as client:
                    while True:
                        await self.read_unread(client)
                        await self._wait(client)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - the server or PostgreSQL comes back; try again
                log.warning("mail: reading %s failed (%s); trying again in %g s", server, error, RETRY_S)
            await asyncio.sleep(RETRY_S)

    async def read_unread(self, client: aioimaplib.IMAP4) -> int:
        """Take every unread mail in the folder; returns how many this process took. A mail that
        cannot be taken now (PostgreSQL away, a mail the code trips over) stays unread, to be tried
        again next round, and does not hold up the others."""
        taken = 0
        for uid in await unread_uids(client):
            raw = await fetch(client, uid)
            if raw is not None:
                try:
                    taken += await self._take(raw)
                except Exception:
                    log.warning("mail: could not take mail %s of the mailbox; it stays unread", uid, exc_info=True)
                    continue
            _ok(await client.uid("store", uid, "+FLAGS", r"(\Seen)"), "STORE")
        return taken

    async def _take(self, raw: bytes) -> int:
        mail = parse_mail(raw)
        stored: list[str] = []
        try:
            async with self.transaction() as tx:
                taken = await take_mail(tx, self.settings, self.storage, mail, stored)
        except BaseException:
            for key in stored:
                with suppress(Exception):
                    await self.storage.delete(key)
            raise
        if taken is not None and taken.ticket_id is not None:
            log.info("mail: %s %s ticket #%s", mail.message_id, "opened" if taken.created else "added to",
                     ticket_ref(taken.ticket_id))
        return int(taken is not None)

    async def _wait(self, client: aioimaplib.IMAP4) -> None:
        """Until the server says something changed (IDLE), or `imap_poll_s` passes."""
        poll_s = self.settings.imap_poll_s
        if not client.has_capability("IDLE"):
            await asyncio.sleep(poll_s)
            return
        idle = await client.idle_start(timeout=poll_s)
        try:
            with suppress(TimeoutError, asyncio.TimeoutError):
                await client.wait_server_push(timeout=poll_s)
        finally:
            client.idle_done()
            with suppress(TimeoutError, asyncio.TimeoutError):
                await asyncio.wait_for(idle, self.settings.imap.timeout_s if self.settings.imap else poll_s)
