"""What one client address, and all visitors of one widget together, may create (README, Configuration).

Visitors, chat starts and visitors' upload bytes spend from budgets per address and per widget;
the chats waiting in the queue are capped per address. Each answers 429 with Retry-After.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.desk.chats import still_queued
from chatdesk.errors import rate_limited
from chatdesk.web.api.auth import client_ip
from chatdesk.web.api.endpoint import Call

# A queued chat's place is checked against PostgreSQL once it is this old (a younger one may
# belong to a transaction still open); places of chats no longer queued are then given back.
QUEUE_PLACE_CHECKED_AFTER_S = 10
# Redis forgets an address's queued chats a day after its last one (no queue wait is that long).
QUEUE_PLACES_KEPT_S = 24 * 3600


async def spend_address_and_widget(call: Call, what: str, widget_id: uuid.UUID, address_rate: str, widget_rate: str,
                                   cost: int = 1) -> None:
    """Take `cost` from the caller's address's budget and from the widget's for `what`."""
    await call.runtime.counters.spend(address_rate, f"{what}:address:{client_ip(call)}", cost)
    await call.runtime.counters.spend(widget_rate, f"{what}:widget:{widget_id}", cost)


async def hold_queue_place(call: Call, conn: AsyncConnection, chat_id: uuid.UUID) -> None:
    """Count a just-started chat among its address's queued chats; 429 when they are at the cap."""
    counters, key = call.runtime.counters, f"queued:{client_ip(call)}"
    checkable = await counters.held_since(key, QUEUE_PLACE_CHECKED_AFTER_S)
    await counters.let_go(key, sorted(set(checkable) - await still_queued(conn, checkable)))
    if not await counters.hold(key, str(chat_id), call.runtime.settings.address_queued_chats, QUEUE_PLACES_KEPT_S):
        raise rate_limited(QUEUE_PLACE_CHECKED_AFTER_S,
                           "Too many chats from your address are waiting already; try again once one is answered.")
