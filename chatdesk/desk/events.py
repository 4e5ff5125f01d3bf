"""The event catalogue: every event a client can get on its stream, with its payload's schema.

Every emit names a type declared here: `Tx.emit` (durable, through the outbox), `append_message`
(`message.created`, written with its message), the queue's refresh (`chat.queued`,
`queue.updated`, pushed straight to Redis) and `publish` (ephemeral). They check only that the
type is declared (a dict lookup: payloads are not validated on the hot path); the tests validate
every payload they read from a stream against its schema (tests/conftest.py) and check that each
type is handled by the apps that receive it (tests/test_event_catalogue.py). docs/api.md's table
of events is this catalogue's (`markdown_table`), checked by that test.

`ready` and `resync` come from the transport (realtime/sse.py), which knows nothing of this
module; they are declared here for the clients all the same. The transport's own notices never
reach a client and are not client events: `route` wakes the routers of other processes
(desk/routing.py), `end` ends an agent's streams in every process (realtime/registry.py) and
`doctor.ping` times a push through Redis (cli/checks.py); they are listed in `INTERNAL`. Events
only integrations hear of (`chat.started`, `offline_message.created`) are `INTEGRATION_EVENTS`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict

from chatdesk.realtime.streams import Streams, encode_data

# The two apps, by who holds the stream: the widget is the visitor's, the workspace an agent's.
APPS = {"widget": "visitor", "workspace": "agent"}


class Sender(BaseModel):
    type: Literal["visitor", "agent", "system"]
    id: uuid.UUID | None
    name: str | None


class SystemWords(BaseModel):
    """What a line chatdesk wrote says, to say it in the reader's language (desk/system_lines.py)."""

    key: str
    params: dict[str, str]


class MessageOut(BaseModel):
    id: uuid.UUID
    chat_id: uuid.UUID
    seq: int
    client_msg_id: str
    sender: Sender
    body: str
    attachments: list[dict]
    internal: bool
    created_at: str
    system: SystemWords | None


class ChatOut(BaseModel):
    id: uuid.UUID
    status: Literal["queued", "active", "ended"]
    department_id: uuid.UUID
    visitor: dict
    agent: dict | None
    offered_to: uuid.UUID | None
    offered_at: str | None = None
    priority: int
    queue_position: int | None
    estimated_wait_s: int | None
    created_at: str
    assigned_at: str | None
    ended_at: str | None
    last_seq: int
    visitor_read_seq: int
    agent_read_seq: int
    last_message: MessageOut | None = None
    unread_count: int | None = None
    rating: Literal["good", "bad"] | None = None
    rating_comment: str | None = None


class Payload(BaseModel):
    """An event's data: exactly these fields, no others."""

    model_config = ConfigDict(extra="forbid")


class Empty(Payload):
    pass


class MessageCreated(Payload):
    message: MessageOut


class Reader(Payload):
    type: Literal["visitor", "agent"]
    id: uuid.UUID


class MessageRead(Payload):
    chat_id: uuid.UUID
    reader: Reader
    seq: int


class Typing(Payload):
    chat_id: uuid.UUID
    who: Sender
    typing: bool
    expires_in_s: int
    # What the visitor is typing, before it is sent: only to the chat's agents, only when the widget allows
    # it (desk/messages.py, set_typing); absent otherwise.
    preview: str | None = None


class ChatChanged(Payload):
    chat: ChatOut


class ChatOffered(Payload):
    chat: ChatOut
    expires_at: str


class OfferWithdrawn(Payload):
    chat_id: uuid.UUID
    reason: Literal["timeout", "declined", "agent_away", "ended"]


class ChatRated(Payload):
    chat_id: uuid.UUID
    score: Literal["good", "bad"]
    comment: str | None


class TicketOut(BaseModel):
    id: uuid.UUID
    subject: str
    status: Literal["open", "pending", "solved"]
    source: Literal["offline_message", "chat", "agent", "email"]
    requester: dict
    assignee: dict | None
    chat_id: uuid.UUID | None
    department_id: uuid.UUID | None
    widget_id: uuid.UUID | None
    created_at: str
    updated_at: str


class TicketChanged(Payload):
    ticket: TicketOut


class QueueUpdated(Payload):
    department_id: uuid.UUID
    waiting: int


class Presence(Payload):
    agent_id: uuid.UUID
    status: Literal["online", "away", "offline"]


@dataclass(frozen=True)
class EventType:
    """One type of client event: its payload, who gets it, and the apps that leave it alone, and why."""

    name: str
    payload: type[Payload]
    to: tuple[str, ...]  # "visitor", "agent"
    about: str
    durable: bool = True  # carries an `id:` (the cursor), or is ephemeral (none)
    ignored_by: dict[str, str] = field(default_factory=dict)  # app -> why it has no handler


BOTH = ("visitor", "agent")
CATALOGUE: dict[str, EventType] = {event.name: event for event in (
    EventType("ready", Empty, BOTH, "first frame of a stream opened without a cursor; its `id:` is the cursor"),
    EventType("resync", Empty, BOTH, "history is gone (or Redis lost it): reload state over REST"),
    EventType("message.created", MessageCreated, BOTH, "a message; internal notes go to agents only"),
    EventType("message.read", MessageRead, BOTH, "a read mark moved"),
    EventType("typing", Typing, BOTH, "the other side is (or stopped) typing; to agents, "
              "with the visitor's unsent text (`preview`) when the widget allows it", durable=False),
    EventType("chat.queued", ChatChanged, ("visitor",), "a waiting visitor's place or estimate moved"),
    EventType("chat.assigned", ChatChanged, BOTH, "an agent took the chat"),
    EventType("chat.transferred", ChatChanged, BOTH, "the chat went to another agent or back to a queue"),
    EventType("chat.ended", ChatChanged, BOTH, "the chat ended"),
    EventType("chat.offered", ChatOffered, ("agent",), "a chat is offered to this agent (auto mode)"),
    EventType("chat.offer_withdrawn", OfferWithdrawn, ("agent",), "an offer to this agent is gone"),
    EventType("chat.rated", ChatRated, ("agent",), "the visitor rated the ended chat"),
    EventType("queue.updated", QueueUpdated, ("agent",), "a department's queue changed (chats, order or offers)"),
    EventType("presence", Presence, ("agent",), "an agent's status changed", durable=False),
    EventType("supervision.changed", Empty, ("agent",), "the Live view changed (to supervisors and admins, at most "
              "once a second): fetch `GET /api/v1/supervision` again", durable=False),
    EventType("ticket.created", TicketChanged, ("agent",), "a ticket was opened (offline message or chat)"),
    EventType("ticket.updated", TicketChanged, ("agent",), "a ticket's status or assignee changed, or a comment came"),
)}

# Notices between server processes on streams no client reads: not client events (see above).
INTERNAL = {
    "route": "wakes the routers of other processes (desk/routing.py)",
    "end": "ends a recipient's streams in every process (realtime/registry.py)",
    "doctor.ping": "times one push through Redis to an SSE frame (cli/checks.py)",
}


class UndeclaredEvent(LookupError):
    """An emit named a type the catalogue does not declare (a programming error)."""


class OfflineMessageCreated(Payload):
    ticket_id: uuid.UUID
    widget_id: uuid.UUID
    department_id: uuid.UUID | None
    name: str
    email: str
    body: str


# Events no client stream carries: only integrations hear of them (webhooks, desk/webhooks/), with
# these payloads. `Tx.notify` records them.
INTEGRATION_EVENTS: dict[str, type[Payload]] = {"chat.started": ChatChanged,
                                                "offline_message.created": OfflineMessageCreated}


def for_integrations(event_type: str) -> str:
    """`event_type`, once it is known to integrations: one of INTEGRATION_EVENTS, or a client event."""
    if event_type not in INTEGRATION_EVENTS and event_type not in CATALOGUE:
        raise UndeclaredEvent(f"{event_type!r} is neither in INTEGRATION_EVENTS nor in the event catalogue "
                              "(chatdesk/desk/events.py)")
    return event_type


def declared(event_type: str) -> str:
    """`event_type`, once it is known to be in the catalogue."""
    if event_type not in CATALOGUE:
        raise UndeclaredEvent(f"{event_type!r} is not in the event catalogue (chatdesk/desk/events.py)")
    return event_type


async def publish(streams: Streams, targets: list[str], event_type: str, payload: dict) -> None:
    """Send an ephemeral event (never stored) to whoever of `targets` is connected now."""
    await streams.publish_ephemeral(targets, declared(event_type), encode_data(payload))
