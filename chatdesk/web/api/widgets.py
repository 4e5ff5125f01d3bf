"""Widgets: public settings and visitor sign-up for the widget; management for admins."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AnyHttpUrl, BaseModel, EmailStr, Field
from starlette.responses import Response
from starlette.routing import Route

from chatdesk.desk.audit import record_admin_action
from chatdesk.desk.auth.visitor_tokens import VisitorIdentity, issue_visitor_token, read_visitor_token
from chatdesk.desk.languages import TAG_PATTERN, Language, LanguageSetting
from chatdesk.desk.widgets import (
    create_visitor,
    create_widget,
    get_widget,
    list_widgets,
    public_settings,
    rotate_identity_secret,
    snippet,
    update_widget,
)
from chatdesk.web.api.budgets import spend_address_and_widget
from chatdesk.web.api.endpoint import Access, Call, endpoint, json_response
from chatdesk.web.api.plain_errors import described


class PreChatField(BaseModel):
    name: str = Field(pattern=described(r"^[a-z][a-z0-9_]{0,39}$",
                                        "a lower-case letter, then up to 39 lower-case letters, digits or _"))
    label: str = Field(min_length=1, max_length=80)
    type: Literal["text", "email", "tel", "textarea", "select"] = "text"
    required: bool = False
    options: list[str] | None = None


class WidgetSettingsIn(BaseModel):
    title: str | None = Field(None, min_length=1, max_length=60)
    greeting: str | None = Field(None, max_length=300)
    color: str | None = Field(None, pattern=described(r"^#[0-9a-fA-F]{6}$", "a colour such as #2563eb"))
    position: Literal["left", "right"] | None = None
    pre_chat_fields: list[PreChatField] | None = Field(None, max_length=10)
    offline_message: str | None = Field(None, max_length=500)
    typing_preview: bool | None = None
    consent_text: str | None = Field(None, max_length=300)
    consent_url: str | None = Field(None, max_length=2000, pattern=described(
        r"^(https?://\S+)?$", "a web address starting with https:// (or nothing)"))
    consent_required: bool | None = None
    language: LanguageSetting | None = None  # "auto": the browser's, else default_language
    default_language: Language | None = None


class WidgetCreate(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    settings: WidgetSettingsIn = Field(default_factory=WidgetSettingsIn)
    allowed_origins: list[AnyHttpUrl] = Field(default_factory=list, max_length=50)


class WidgetPatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=80)
    settings: WidgetSettingsIn | None = None
    allowed_origins: list[AnyHttpUrl] | None = Field(None, max_length=50)


class WidgetOut(BaseModel):
    id: uuid.UUID
    name: str
    settings: dict
    allowed_origins: list[str]
    identity_secret: str  # the key of verified visitors' user_hash (README, Verified visitors)
    snippet: str


class WidgetList(BaseModel):
    widgets: list[WidgetOut]


class PublicDepartment(BaseModel):
    id: uuid.UUID
    name: str
    available: bool  # open and someone who serves it is online: a chat started there is taken
    opens_at: datetime | None  # closed by its business hours: when it opens again


class PublicTrigger(BaseModel):
    id: uuid.UUID
    department: str  # whose greeting it is
    greeting: str
    url: str  # the page pattern: empty, a part of the address, or a glob with *
    seconds: int  # on the page
    visits: int  # at least
    returning: Literal["any", "new", "returning"]


class LauncherLabels(BaseModel):
    """The host page's launcher, in `language`: {title} filled in, {count} left for the loader."""
    open: str
    close: str
    unread: str
    dismiss: str


class PublicSettings(BaseModel):
    widget_id: uuid.UUID
    title: str
    greeting: str
    color: str
    color_text: str
    position: str
    pre_chat_fields: list[dict]
    offline_message: str
    typing_preview: bool
    consent_text: str
    consent_url: str
    consent_required: bool
    departments: list[PublicDepartment]
    agents_online: bool  # any department is available
    opens_at: datetime | None  # none is: the soonest one closed by its business hours opens
    upload_max_bytes: int
    language: str  # the language to speak: the widget's override, else the browser's, else the widget's default
    dir: Literal["ltr", "rtl"]
    launcher: LauncherLabels
    triggers: list[PublicTrigger]  # enabled proactive greetings (desk/triggers.py)



# A BCP 47 tag such as "de" or "pt-BR" (desk/languages.py).
LanguageTag = Annotated[str, Field(max_length=35, pattern=described(TAG_PATTERN, "a language tag such as de or pt-BR"))]

# Pre-chat answers: short names, answers of up to a long paragraph, a few KB in all.
FieldName = Annotated[str, Field(max_length=40)]
FieldAnswer = Annotated[str, Field(max_length=1000)]
FIELDS_MAX_CHARS = 4000


def _fields_fit(fields: dict[str, str]) -> dict[str, str]:
    size = sum(len(name) + len(answer) for name, answer in fields.items())
    if size > FIELDS_MAX_CHARS:
        raise ValueError(f"The pre-chat answers are at most {FIELDS_MAX_CHARS} characters in all; these have {size}.")
    return fields


class VisitorIn(BaseModel):
    name: str | None = Field(None, max_length=120)
    email: EmailStr | None = None
    page_url: str | None = Field(None, max_length=2000)
    fields: Annotated[dict[FieldName, FieldAnswer], Field(max_length=20), AfterValidator(_fields_fit)] = Field(
        default_factory=dict)
    # A verified visitor: the host site's user id and HMAC-SHA256(widget's identity secret, user_id) in hex.
    user_id: str | None = Field(None, min_length=1, max_length=200)
    user_hash: str | None = Field(None, max_length=128)
    language: LanguageTag | None = None  # the widget's language for them (docs/api.md, The widget)


class VisitorOut(BaseModel):
    visitor_id: uuid.UUID
    token: str


def _changes(body: WidgetCreate | WidgetPatch) -> dict[str, Any]:
    changes = body.model_dump(exclude_none=True, mode="json")
    if "allowed_origins" in changes:
        changes["allowed_origins"] = [origin.rstrip("/") for origin in changes["allowed_origins"]]
    return changes


def _with_snippet(call: Call, widget: dict[str, Any]) -> dict[str, Any]:
    return {**widget, "snippet": snippet(call.runtime.settings.base_url, widget["id"])}


class SettingsQuery(BaseModel):
    """The visitor's page and visits: `triggers` then holds only the greetings whose conditions hold there."""

    page_url: str | None = Field(None, max_length=2000)
    visits: int | None = Field(None, ge=1, le=10**6)


@endpoint("Widget settings for the embed (public)", access=Access.PUBLIC, query=SettingsQuery,
          response=PublicSettings, tags=("visitors",))
async def settings(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        public = await public_settings(conn, call.request.path_params["widget_id"],
                                       call.request.headers.get("accept-language"), call.query.page_url,
                                       call.query.visits)
    return json_response({**public, "upload_max_bytes": call.runtime.settings.upload_max_bytes})


def _presented_visitor(call: Call, widget_id: uuid.UUID) -> uuid.UUID | None:
    """The visitor of this widget whose token came with the request, if one did (a visitor a proactive
    greeting registered, now filling in the pre-chat form)."""
    header = call.request.headers.get("authorization", "")
    identity = read_visitor_token(call.runtime.secret, header[7:].strip()) if header[:7].lower() == "bearer " else None
    return identity.visitor_id if identity is not None and identity.widget_id == widget_id else None


@endpoint("Register a visitor and get their token (with a visitor's token: bring that visitor up to date)",
          access=Access.PUBLIC, body=VisitorIn, response=VisitorOut, status=201, tags=("visitors",))
async def visitors_create(call: Call) -> Response:
    widget_id, budgets = call.request.path_params["widget_id"], call.runtime.settings
    await spend_address_and_widget(call, "visitors", widget_id, budgets.address_visitor_rate,
                                   budgets.widget_visitor_rate)
    user_agent = (call.request.headers.get("user-agent") or "")[:400]
    async with call.runtime.engine.begin() as conn:
        values = call.body.model_dump(mode="json", exclude={"user_hash"})
        visitor_id = await create_visitor(conn, widget_id, user_hash_hex=call.body.user_hash, user_agent=user_agent,
                                          known=_presented_visitor(call, widget_id), **values)
    token = issue_visitor_token(call.runtime.secret, VisitorIdentity(visitor_id, widget_id))
    return json_response({"visitor_id": visitor_id, "token": token}, 201)


@endpoint("List widgets", access=Access.ADMIN, response=WidgetList, tags=("admin",))
async def widgets_index(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        return json_response({"widgets": [_with_snippet(call, w) for w in await list_widgets(conn)]})


@endpoint("Create a widget", access=Access.ADMIN, body=WidgetCreate, response=WidgetOut, status=201, tags=("admin",))
async def widgets_create(call: Call) -> Response:
    async with call.runtime.engine.begin() as conn:
        widget = await create_widget(conn, **_changes(call.body))
        await record_admin_action(conn, call.caller, "widget.create", "widget", widget["id"], {})
    return json_response(_with_snippet(call, widget), 201)


@endpoint("A widget with its snippet", access=Access.ADMIN, response=WidgetOut, tags=("admin",))
async def widgets_show(call: Call) -> Response:
    async with call.runtime.engine.connect() as conn:
        return json_response(_with_snippet(call, await get_widget(conn, call.request.path_params["widget_id"])))


@endpoint("Change a widget's name, settings or allowed origins", access=Access.ADMIN, body=WidgetPatch,
          response=WidgetOut, tags=("admin",))
async def widgets_update(call: Call) -> Response:
    widget_id = call.request.path_params["widget_id"]
    changes = _changes(call.body)
    async with call.runtime.engine.begin() as conn:
        widget = await update_widget(conn, widget_id, changes)
        await record_admin_action(conn, call.caller, "widget.update", "widget", widget_id, changes)
    return json_response(_with_snippet(call, widget))


@endpoint("Rotate a widget's identity secret (hashes made with the old one stop verifying)", access=Access.ADMIN,
          response=WidgetOut, tags=("admin",))
async def widgets_rotate_identity_secret(call: Call) -> Response:
    widget_id = call.request.path_params["widget_id"]
    async with call.runtime.engine.begin() as conn:
        widget = await rotate_identity_secret(conn, widget_id)
        await record_admin_action(conn, call.caller, "widget.rotate_identity_secret", "widget", widget_id, {})
    return json_response(_with_snippet(call, widget))


routes = [
    Route("/api/v1/widgets/{widget_id:uuid}/settings", settings, methods=["GET"]),
    Route("/api/v1/widgets/{widget_id:uuid}/visitors", visitors_create, methods=["POST"]),
    Route("/api/v1/widgets", widgets_index, methods=["GET"]),
    Route("/api/v1/widgets", widgets_create, methods=["POST"]),
    Route("/api/v1/widgets/{widget_id:uuid}", widgets_show, methods=["GET"]),
    Route("/api/v1/widgets/{widget_id:uuid}", widgets_update, methods=["PATCH"]),
    Route("/api/v1/widgets/{widget_id:uuid}/identity-secret", widgets_rotate_identity_secret, methods=["POST"]),
]
