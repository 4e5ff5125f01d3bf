"""Customers' replies by mail become comments on their tickets.

A mail is matched to its ticket by what it answers (In-Reply-To and References against the
Message-IDs chatdesk sent, `mail_outbox`, or mails it took before), else by the ticket's reference
in the subject (`[#1a2b3c4d]`), else by a plus address (`support+t-1a2b3c4d@...`). A mail that
matches nothing opens a ticket of its own.

`take_mail` writes the mail's Message-ID into `inbound_mail` in the transaction of its comment:
of any number of processes reading the mailbox, the one whose row commits takes the mail, the
others find the row and leave it. The mailbox is told a mail was read only after that commit
(chatdesk.desk.mail.imap), so a crash in between reads it again and finds it taken.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from email.utils import parseaddr

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from chatdesk.config import Settings
from chatdesk.db.tables import inbound_mail, mail_outbox, tickets
from chatdesk.desk.files.storage import Storage
from chatdesk.desk.files.ticket_files import keep_ticket_file
from chatdesk.desk.mail.incoming import IncomingMail
from chatdesk.desk.tickets import add_customer_reply, add_system_entry, ticket_from_email
from chatdesk.desk.transactions import Tx

log = logging.getLogger(__name__)

_SUBJECT_REF = re.compile(r"\[#([0-9a-f]{8})\]", re.IGNORECASE)
_PLUS_REF = re.compile(r"\+t-([0-9a-f]{8})@", re.IGNORECASE)


@dataclass(frozen=True)
class TakenMail:
    ticket_id: uuid.UUID | None  # None: a mail that opens no ticket (an auto-reply, our own mail)
    created: bool


async def _by_ref(tx: Tx, ref: str, sender: str) -> uuid.UUID | None:
    """The ticket whose id starts with `ref` (an index range); of two, the sender's own, then the newest."""
    low, high = uuid.UUID(ref + "0" * 24), uuid.UUID(ref + "f" * 24)
    return (await tx.conn.execute(
        sa.select(tickets.c.id).where(tickets.c.id.between(low, high))
        .order_by((sa.func.lower(tickets.c.requester_email) == sender).desc(), tickets.c.created_at.desc())
        .limit(1))).scalar()


async def find_ticket(tx: Tx, mail: IncomingMail) -> uuid.UUID | None:
    """The ticket a mail answers: by its reply headers, else the subject's reference, else a plus address."""
    if mail.answers:
        sent = sa.select(mail_outbox.c.message_id, mail_outbox.c.ticket_id).where(
            mail_outbox.c.message_id.in_(mail.answers), mail_outbox.c.ticket_id.isnot(None))
        taken = sa.select(inbound_mail.c.message_id, inbound_mail.c.ticket_id).where(
            inbound_mail.c.message_id.in_(mail.answers), inbound_mail.c.ticket_id.isnot(None))
        by_id = {row.message_id: row.ticket_id for row in (await tx.conn.execute(sa.union_all(sent, taken))).all()}
        for message_id in mail.answers:  # the nearest answered mail decides
            if message_id in by_id:
                return by_id[message_id]
    for ref in [*_SUBJECT_REF.findall(mail.subject), *_PLUS_REF.findall(" ".join(mail.recipients) + " ")]:
        ticket_id = await _by_ref(tx, ref.lower(), mail.from_email)
        if ticket_id is not None:
            return ticket_id
    return None


def _is_ours(settings: Settings, mail: IncomingMail) -> bool:
    return bool(settings.mail_from) and mail.from_email == parseaddr(settings.mail_from or "")[1].lower()


async def take_mail(tx: Tx, settings: Settings, storage: Storage, mail: IncomingMail,
                    stored: list[str]) -> TakenMail | None:
    """Make `mail` a comment on its ticket (or a new ticket) with its files, in `tx`; None if another
    process took it already. Auto-replies, bounces and our own mails are taken and dropped. The keys
    of files stored are added to `stored`, for the caller to delete if `tx` does not commit."""
    claimed = (await tx.conn.execute(insert(inbound_mail).values(message_id=mail.message_id)
                                     .on_conflict_do_nothing().returning(inbound_mail.c.message_id))).first()
    if claimed is None:
        return None
    if mail.automatic or _is_ours(settings, mail) or "@" not in mail.from_email:
        log.info("mail: %s is an automatic mail, ours, or has no sender; not kept", mail.message_id)
        return TakenMail(None, False)
    ticket_id = await find_ticket(tx, mail)
    body = mail.body or "(no text)"
    created = ticket_id is None
    if ticket_id is None:
        ticket_id, comment_id = await ticket_from_email(tx, subject=mail.subject, name=mail.from_name,
                                                        email=mail.from_email, body=body)
    else:
        comment_id = (await add_customer_reply(tx, ticket_id, body=body, from_name=mail.from_name,
                                               from_email=mail.from_email))["id"]
    await tx.conn.execute(inbound_mail.update().where(inbound_mail.c.message_id == mail.message_id)
                          .values(ticket_id=ticket_id))
    await _keep_files(tx, settings, storage, (ticket_id, comment_id), mail, stored)
    return TakenMail(ticket_id, created)


async def _keep_files(tx: Tx, settings: Settings, storage: Storage, where: tuple[uuid.UUID, uuid.UUID],
                      mail: IncomingMail, stored: list[str]) -> None:
    """The mail's files, stored and linked to its comment; the ones refused are said in the timeline."""
    ticket_id, comment_id = where
    for file in mail.files:
        kept = await keep_ticket_file(tx.conn, storage, ticket_id, comment_id, file.name, file.data,
                                      settings.upload_max_bytes)
        if isinstance(kept, str):
            await add_system_entry(tx, ticket_id, kept)
        else:
            stored.append(kept["storage_key"])
