"""History: search every chat (agents, supervisors and admins) (docs/api.md, History)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from starlette.responses import Response
from starlette.routing import Route

from chatdesk.desk.history import HistoryFilter, decode_cursor, search_chats
from chatdesk.errors import ApiError
from chatdesk.web.api.endpoint import Access, Call, endpoint, json_response

MAX_PAGE = 100

# What each query parameter takes, said to whoever sent something else.
_PLAIN = {
    "q": "Search for at most 200 characters.",
    "created_from": "Give a date such as 2026-11-29, or a time such as 2026-11-29T08:00:00Z.",
    "created_to": "Give a date such as 2026-11-29, or a time such as 2026-11-29T08:00:00Z.",
    "tz": "Use an IANA time zone name such as Europe/Paris.",
    "status": "Choose queued, active or ended.",
    "agent_id": "Give an agent's id.",
    "department_id": "Give a department's id.",
    "rating": "Choose good, bad or none.",
    "attachments": "Choose true (with attachments) or false (without).",
    "answered": "Choose true (an agent took it) or false (nobody ever did).",
    "answered_by": "Give the id of the agent who answered first.",
    "limit": f"Choose a page size from 1 to {MAX_PAGE}.",
    "cursor": "Use the next_cursor of the page before.",
}


def _day_or_moment(value: Any) -> Any:
    """`2026-11-29` is a day; anything longer a moment (a moment at midnight stays a moment)."""
    if isinstance(value, str):
        return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    return value


DayOrMoment = Annotated[date | datetime | None, BeforeValidator(_day_or_moment)]


def _zone(value: Any) -> Any:
    """An IANA time zone name as its ZoneInfo; ValueError for any other text."""
    if not isinstance(value, str):
        return value
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("not a time zone") from None


Zone = Annotated[ZoneInfo, BeforeValidator(_zone)]


class HistoryQuery(BaseModel):
    q: str | None = Field(None, max_length=200)
    created_from: DayOrMoment = Field(None, alias="from")
    created_to: DayOrMoment = Field(None, alias="to")
    tz: Zone = ZoneInfo("UTC")
    status: Literal["queued", "active", "ended"] | None = None
    agent_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    rating: Literal["good", "bad", "none"] | None = None
    attachments: bool | None = None
    answered: bool | None = None
    answered_by: uuid.UUID | None = None
    limit: int = Field(25, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(None, max_length=200)

    @field_validator("*", mode="wrap")
    @classmethod
    def _plain_words(cls, value: Any, handler: Any, info: ValidationInfo) -> Any:
        """An empty parameter is a left-out one; a wrong one is told what it takes, in words."""
        assert info.field_name is not None
        if value == "":
            return cls.model_fields[info.field_name].default
        try:
            return handler(value)
        except ValidationError:
            raise PydanticCustomError("invalid", _PLAIN[info.field_name]) from None


class Named(BaseModel):
    id: uuid.UUID
    name: str | None


class Visitor(Named):
    email: str | None


class SnippetPart(BaseModel):
    text: str
    match: bool  # the searched words, to be shown highlighted


class HistoryChat(BaseModel):
    id: uuid.UUID
    status: Literal["queued", "active", "ended"]
    created_at: str
    ended_at: str | None
    visitor: Visitor
    agent: Named | None
    department: Named
    rating: Literal["good", "bad"] | None
    rating_comment: str | None
    message_count: int
    has_attachments: bool
    snippet: list[SnippetPart] | None  # the best matching message's words around the match; None without one


class HistoryPage(BaseModel):
    chats: list[HistoryChat]
    next_cursor: str | None


def _moment(value: date | datetime | None, zone: ZoneInfo, *, end: bool) -> datetime | None:
    """A datetime as given (in `zone` if it names none); a date is its day in `zone`, `end` the day after it."""
    if value is None or isinstance(value, datetime):
        return value.replace(tzinfo=zone) if value is not None and value.tzinfo is None else value
    return datetime.combine(value + timedelta(days=1) if end else value, time(), zone)


def _history_filter(query: HistoryQuery) -> HistoryFilter:
    created_from = _moment(query.created_from, query.tz, end=False)
    created_to = _moment(query.created_to, query.tz, end=True)
    if created_from and created_to and created_from >= created_to:
        raise ApiError(422, "The start of the period is after its end.",
                       fields={"from": "Pick a start before the end."})
    try:
        after = decode_cursor(query.cursor) if query.cursor else None
    except ValueError:
        raise ApiError(422, "Some fields are invalid.", fields={"cursor": _PLAIN["cursor"]}) from None
    return HistoryFilter(text=query.q, created_from=created_from, created_to=created_to, status=query.status,
                         agent_id=query.agent_id, department_id=query.department_id, rating=query.rating,
                         has_attachments=query.attachments, answered=query.answered,
                         answered_by=query.answered_by, limit=query.limit, after=after)


@endpoint("Search all chats by words (messages, notes, the visitor's name and email) and filters, newest first",
          access=Access.AGENT, query=HistoryQuery, response=HistoryPage, tags=("chats",), scope="chats:read")
async def chats_search(call: Call) -> Response:
    search = _history_filter(call.query)
    async with call.runtime.engine.connect() as conn:
        page = await search_chats(conn, search, call.runtime.settings.search_language)
    return json_response(page)


routes = [Route("/api/v1/chats/search", chats_search, methods=["GET"])]
