"""The one way a view is declared: who may call it, what body it takes, how OpenAPI shows it."""

from __future__ import annotations

import enum
import functools
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import orjson
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from chatdesk.desk.auth.principal import Principal, identify
from chatdesk.desk.runtime import Runtime
from chatdesk.errors import ApiError, forbidden, unauthorized
from chatdesk.web.api.plain_errors import plain_message

SESSION_COOKIE = "chatdesk_session"
# The session's CSRF token, readable by the workspace's script in every tab (not HttpOnly): a
# page of another site can neither read it nor make the browser send it as a header.
CSRF_COOKIE = "chatdesk_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Access(enum.Enum):
    """Who may call an endpoint."""

    PUBLIC = "public"
    VISITOR = "visitor"
    AGENT = "agent"  # agents, supervisors and admins
    SUPERVISOR = "supervisor"  # supervisors and admins
    ADMIN = "admin"
    PARTICIPANT = "participant"  # a visitor or an agent; the view checks what they may touch


@dataclass
class Call:
    """What a view gets: the request, the process's services, the caller and the parsed body."""

    request: Request
    runtime: Runtime
    principal: Principal | None
    body: Any = None
    query: Any = None

    @property
    def caller(self) -> Principal:
        """The authenticated caller: every route but the public ones has one."""
        if self.principal is None:
            raise unauthorized()
        return self.principal


@dataclass(frozen=True)
class EndpointSpec:
    """What OpenAPI says about an endpoint."""

    summary: str
    access: Access
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    tags: tuple[str, ...] = field(default_factory=tuple)
    query_token: bool = False
    opens_session: bool = False
    other_statuses: tuple[int, ...] = ()  # further successes, with the same body (a retry's 200)
    file_field: str | None = None  # the body is multipart/form-data with a file in this field
    password_change: bool = False  # open to an agent who must change their password first
    scope: str | None = None  # the API key scope that opens this route to keys (none: keys get 403)


View = Callable[[Call], Awaitable[Response]]


def endpoint(
    summary: str,
    *,
    access: Access,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    tags: tuple[str, ...] = (),
    query_token: bool = False,
    opens_session: bool = False,
    other_statuses: tuple[int, ...] = (),
    file_field: str | None = None,
    password_change: bool = False,
    scope: str | None = None,
) -> Callable[[View], Callable[[Request], Awaitable[Response]]]:
    """Wrap a view: authenticate and authorize the caller, parse query and body, then call it.

    `opens_session` (sign-in) takes JSON only and only from our own origin, so no other site can
    sign a visitor's browser into an account of its choosing. `password_change` marks the few routes
    an agent signed in with a one-time password may call (the others answer 403
    `password_change_required`). `scope` opens the route to API keys that have it (desk/auth/api_keys.py);
    their requests are rate-limited per key."""
    spec = EndpointSpec(summary, access, body, query, response, status, tags, query_token, opens_session,
                        other_statuses, file_field, password_change, scope)

    def wrap(view: View) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(view)
        async def handle(request: Request) -> Response:
            runtime: Runtime = request.app.state.runtime
            if opens_session:
                _require_json(request)
                _require_own_origin(request, runtime)
            principal = await _authorize(request, runtime, spec)
            parsed_query = validate(query, dict(request.query_params)) if query is not None else None
            parsed = await parse_body(request, body) if body is not None else None
            return await view(Call(request, runtime, principal, parsed, parsed_query))

        handle.spec = spec  # type: ignore[attr-defined]
        return handle

    return wrap


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """JSON via orjson: UUIDs (asyncpg's too) as strings, datetimes as RFC 3339 UTC with `Z`."""
    return Response(
        orjson.dumps(data, default=str, option=orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


async def parse_body(request: Request, model: type[BaseModel]) -> BaseModel:
    """The JSON body validated into `model`; 422 with a message per field otherwise."""
    raw = await request.body()
    try:
        data = orjson.loads(raw) if raw else {}
    except orjson.JSONDecodeError:
        raise ApiError(422, "The request body is not valid JSON.", fields={}) from None
    return validate(model, data)


NUL_MESSAGE = "Text may not contain the NUL character (\\u0000)."


def validate(model: type[BaseModel], data: Any) -> BaseModel:
    """`data` validated into `model`; 422 with a message per field otherwise, in plain words.

    Text holding a NUL character is refused here, for every body and query at once: PostgreSQL
    cannot store one, so it would otherwise fail deep inside a view."""
    fields = {_field_name(loc): NUL_MESSAGE for loc in _nul_locations(data)}
    try:
        parsed = model.model_validate(data)
    except ValidationError as error:
        fields |= {_field_name(issue["loc"]): plain_message(model, issue) for issue in error.errors(include_url=False)}
    if fields:
        raise ApiError(422, "Some fields are invalid.", fields=fields)
    return parsed


def _field_name(loc: tuple) -> str:
    return ".".join(str(part) for part in loc) or "body"


def _nul_locations(data: Any, loc: tuple = ()) -> list[tuple]:
    """Where in parsed JSON (or a query) a string or an object key holds a NUL character."""
    if isinstance(data, str):
        return [loc] if "\x00" in data else []
    if isinstance(data, list):
        data = dict(enumerate(data))
    if not isinstance(data, dict):
        return []
    found = [(*loc, key) for key in data if "\x00" in str(key)]
    return found + [inner for key, value in data.items() for inner in _nul_locations(value, (*loc, key))]


def _presented_token(request: Request, allow_query: bool) -> tuple[str | None, bool]:
    """(token, came_from_cookie). Header first, then `?access_token=` where allowed, then cookie."""
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip(), False
    if allow_query and request.query_params.get("access_token"):
        return request.query_params["access_token"], False
    cookie = request.cookies.get(SESSION_COOKIE)
    return cookie, cookie is not None


def set_csrf_cookie(response: Response, call: Call, csrf_token: str, max_age: int | None = None) -> None:
    """Hand the session's CSRF token to every tab of the workspace (see CSRF_COOKIE)."""
    response.set_cookie(CSRF_COOKIE, csrf_token, max_age=max_age, samesite="strict", path="/",
                        secure=call.runtime.settings.base_url.startswith("https://"))


def _require_json(request: Request) -> None:
    """415 unless the body is declared JSON: a cross-site form can send only form fields or text."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise ApiError(415, "Send the request body as JSON (Content-Type: application/json).")


def _require_own_origin(request: Request, runtime: Runtime) -> None:
    """403 when the browser says the request comes from a page of another site.

    Our origins: the public URL's and the one the request was addressed to. Clients that are not
    browsers send no `Origin` and pass."""
    origin = request.headers.get("origin")
    if origin is None:
        return
    public = urlsplit(runtime.settings.base_url)
    own = {f"{public.scheme}://{public.netloc}", f"{request.url.scheme}://{request.headers.get('host', '')}"}
    if origin not in own:
        raise forbidden("This request came from another site, so it was refused.")


_NEEDS = {Access.ADMIN: "This needs an admin.", Access.SUPERVISOR: "This needs a supervisor or an admin."}


async def _authorize(request: Request, runtime: Runtime, spec: EndpointSpec) -> Principal | None:
    token, via_cookie = _presented_token(request, spec.query_token)
    if spec.access is Access.PUBLIC:
        return None
    if not token:
        raise unauthorized()
    principal = await identify(runtime.engine, runtime.secret, token)
    if principal is None:
        raise unauthorized("Your session is invalid or has expired; sign in again.")
    if via_cookie and request.method not in SAFE_METHODS:
        _require_own_origin(request, runtime)
        presented = request.headers.get("x-csrf-token", "")
        if not principal.csrf_token or not hmac.compare_digest(presented, principal.csrf_token):
            raise forbidden("Missing or wrong X-CSRF-Token header for a cookie-authenticated request.")
    allowed = {
        Access.VISITOR: principal.kind == "visitor",
        Access.AGENT: principal.kind == "agent",
        Access.SUPERVISOR: principal.role in ("supervisor", "admin"),
        Access.ADMIN: principal.role == "admin",
        Access.PARTICIPANT: True,
    }[spec.access]
    if not allowed:
        raise forbidden(_NEEDS.get(spec.access, "Not for your role."))
    if principal.scopes is not None:
        if spec.scope is None or spec.scope not in principal.scopes:
            needed = f"the {spec.scope} scope" if spec.scope else "a signed-in agent"
            raise ApiError(403, f"This API key may not do this: it needs {needed}.", code="scope_missing")
        await runtime.counters.spend(runtime.settings.api_key_rate, f"api-key:{principal.api_key_id}")
    if principal.must_change_password and not spec.password_change:
        raise ApiError(403, "Choose a new password first: the one you signed in with was for one use only.",
                       code="password_change_required")
    return principal
