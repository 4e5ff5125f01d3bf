"""Consent to a widget's privacy line: asked in the pre-chat form, recorded on the visitor.

A widget shows the line when its `consent_text` is set; with `consent_required` a chat starts
only once its visitor has ticked it, now or on an earlier chat. Ticking it stamps
`visitors.consented_at`, which agents see in the visitor panel.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chatdesk.db.tables import visitors, widgets
from chatdesk.errors import ApiError

_ASKED = sa.func.coalesce(widgets.c.settings["consent_text"].as_string(), "") != ""
_REQUIRED = sa.func.coalesce(widgets.c.settings["consent_required"].as_boolean(), sa.false())
_CONSENT_QUERY = (
    sa.select(_ASKED.label("asked"), _REQUIRED.label("required"), visitors.c.consented_at)
    .join(widgets, widgets.c.id == visitors.c.widget_id)
    .where(visitors.c.id == sa.bindparam("visitor_id"))
)


async def take_consent(conn: AsyncConnection, visitor_id: uuid.UUID, given: bool) -> None:
    """Record the visitor's tick (when the widget asks for one); 422 when the widget requires it
    and the visitor has never given it."""
    row = (await conn.execute(_CONSENT_QUERY, {"visitor_id": visitor_id})).one()
    if not row.asked:
        return
    if given:
        await conn.execute(visitors.update().where(visitors.c.id == visitor_id).values(consented_at=sa.func.now()))
    elif row.required and row.consented_at is None:
        raise ApiError(422, "Please agree to the privacy notice before starting the chat.",
                       fields={"consent": "Tick this box to start the chat."})
