"""Sign in and out (docs/api.md, Sign-in and the session cookie)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError
from starlette.responses import Response
from starlette.routing import Route

from chatdesk.desk.agents import agent_json, find_agent_by_email
from chatdesk.desk.auth.password_links import Purpose
from chatdesk.desk.auth.passwords import MIN_LENGTH, verify_password
from chatdesk.desk.auth.sessions import create_session, revoke_session
from chatdesk.desk.auth.supabase import agent_for
from chatdesk.desk.auth.throttle import check_login_allowed, record_login_failure, record_login_success
from chatdesk.desk.password_mail import request_password_reset, set_password_by_link
from chatdesk.errors import ApiError, unauthorized
from chatdesk.realtime.streams import agent_stream
from chatdesk.web.api.endpoint import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    Access,
    Call,
    endpoint,
    json_response,
    set_csrf_cookie,
)


class LoginIn(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


# Reset links asked for per email (a mailbox flooded by someone else); per address: a setting.
RESET_RATE_PER_EMAIL = "3 per 15 minutes"
RESET_ANSWER = "If an account has this email, a link to choose a new password is on its way. It works for one hour."


def _new_password(value: str) -> str:
    if len(value) < MIN_LENGTH:
        raise PydanticCustomError("password", f"Use at least {MIN_LENGTH} characters.")
    return value


NewPassword = Annotated[str, Field(max_length=1024), AfterValidator(_new_password)]


class ResetIn(BaseModel):
    email: str = Field(min_length=3, max_length=320)


class ResetOut(BaseModel):
    message: str


class LinkPasswordIn(BaseModel):
    token: str = Field(min_length=1, max_length=1000)
    new_password: NewPassword


class LinkPasswordOut(BaseModel):
    email: str  # to sign in with


class SupabaseIn(BaseModel):
    access_token: str = Field(min_length=10, max_length=16_384)


class SupabaseProvider(BaseModel):
    name: str  # CHATDESK_SUPABASE_NAME: "Sign in with <name>"
    url: str  # the project's URL: the page asks <url>/auth/v1/token for a token
    anon_key: str | None  # the project's public key, which that request carries


class ProvidersOut(BaseModel):
    supabase: SupabaseProvider | None


class AgentBrief(BaseModel):
    id: str
    name: str
    email: str
    role: str
    status: str
    must_change_password: bool  # signed in with a one-time password: choose a new one before anything else


class LoginOut(BaseModel):
    token: str
    csrf_token: str
    agent: AgentBrief


def client_ip(call: Call) -> str:
    """The caller's address: the peer's, or what a trusted proxy says it is (CHATDESK_TRUSTED_PROXIES)."""
    return call.request.client.host if call.request.client else "unknown"


@endpoint("Sign in with email and password", access=Access.PUBLIC, body=LoginIn, response=LoginOut, tags=("auth",),
          opens_session=True)
async def login(call: Call) -> Response:
    runtime, body, ip = call.runtime, call.body, client_ip(call)
    await check_login_allowed(runtime.redis, runtime.limiter, body.email, ip)
    async with runtime.engine.connect() as conn:
        row = await find_agent_by_email(conn, body.email)
    valid = await verify_password(row.password_hash if row else None, body.password)
    if row is None or not valid or not row.is_active:
        await record_login_failure(runtime.redis, runtime.limiter, body.email, ip)
        raise unauthorized("Wrong email or password.")
    await record_login_success(runtime.redis, body.email, ip)
    return await _session_response(call, row)


async def _session_response(call: Call, row: Any) -> Response:
    """A new session for the agent `row`: its token and CSRF token in the answer and in cookies."""
    runtime, ip = call.runtime, client_ip(call)
    ttl = timedelta(hours=runtime.settings.session_ttl_hours)
    token, csrf_token = await create_session(
        runtime.engine, row.id, ttl=ttl, user_agent=call.request.headers.get("user-agent"), ip=ip
    )
    agent = agent_json(row)
    response = json_response({
        "token": token,
        "csrf_token": csrf_token,
        "agent": {key: agent[key] for key in ("id", "name", "email", "role", "status", "must_change_password")},
    })
    max_age = int(ttl.total_seconds())
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="lax",
        secure=runtime.settings.base_url.startswith("https://"), path="/",
    )
    set_csrf_cookie(response, call, csrf_token, max_age)
    return response


@endpoint("Sign in with a Supabase access token (when SUPABASE_URL and its keys are set)", access=Access.PUBLIC,
          body=SupabaseIn, response=LoginOut, tags=("auth",), opens_session=True)
async def login_supabase(call: Call) -> Response:
    runtime = call.runtime
    if runtime.supabase is None:
        raise ApiError(404, "Signing in with Supabase is not set up here (SUPABASE_URL and its keys).")
    claims = await runtime.supabase.claims(call.body.access_token)
    async with runtime.engine.begin() as conn:
        row = await agent_for(conn, runtime.settings, claims)
    return await _session_response(call, row)


@endpoint("How agents may sign in: password, and Supabase when set up", access=Access.PUBLIC, response=ProvidersOut,
          tags=("auth",))
async def providers(call: Call) -> Response:
    settings = call.runtime.settings
    supabase = None
    if call.runtime.supabase is not None:
        supabase = {"name": settings.supabase_name, "url": (settings.supabase_url or "").rstrip("/"),
                    "anon_key": settings.supabase_anon_key.get_secret_value() if settings.supabase_anon_key else None}
    return json_response({"supabase": supabase})


@endpoint("Sign out: revoke this session", access=Access.AGENT, status=204, tags=("auth",), password_change=True)
async def logout(call: Call) -> Response:
    # An agent's principal always has its session (only visitors' have none).
    await revoke_session(call.runtime.engine, call.caller.session_id)  # type: ignore[arg-type]
    await call.runtime.open_streams.end(agent_stream(call.caller.id), call.caller.session_id)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@endpoint("Forgot my password: mail me a link to choose a new one (the same answer for any email)",
          access=Access.PUBLIC, body=ResetIn, response=ResetOut, status=202, tags=("auth",))
async def password_reset(call: Call) -> Response:
    runtime, email = call.runtime, call.body.email.strip().lower()
    await runtime.counters.spend(runtime.settings.password_reset_rate, f"reset:address:{client_ip(call)}")
    await runtime.counters.spend(RESET_RATE_PER_EMAIL, f"reset:email:{email}")
    async with runtime.transaction() as tx:
        await request_password_reset(tx, runtime.settings, runtime.secret, email)
    return json_response({"message": RESET_ANSWER}, 202)


async def _set_password(call: Call, purpose: Purpose) -> Response:
    async with call.runtime.transaction() as tx:
        agent, ended = await set_password_by_link(tx, call.runtime.secret, purpose, call.body.token,
                                                  call.body.new_password)
    for session_id in ended:
        await call.runtime.open_streams.end(agent_stream(agent["id"]), session_id)
    return json_response({"email": agent["email"]})


@endpoint("Choose a new password with the link of a reset mail (once, within the hour); every session ends",
          access=Access.PUBLIC, body=LinkPasswordIn, response=LinkPasswordOut, tags=("auth",))
async def password_reset_confirm(call: Call) -> Response:
    return await _set_password(call, "reset")


@endpoint("Accept an invitation: choose a password with the link of the invitation mail (once, within 7 days)",
          access=Access.PUBLIC, body=LinkPasswordIn, response=LinkPasswordOut, tags=("auth",))
async def invitation_accept(call: Call) -> Response:
    return await _set_password(call, "invite")


routes = [
    Route("/api/v1/auth/password-reset", password_reset, methods=["POST"]),
    Route("/api/v1/auth/password-reset/confirm", password_reset_confirm, methods=["POST"]),
    Route("/api/v1/auth/invitation/accept", invitation_accept, methods=["POST"]),
    Route("/api/v1/auth/login", login, methods=["POST"]),
    Route("/api/v1/auth/logout", logout, methods=["POST"]),
    Route("/api/v1/auth/supabase", login_supabase, methods=["POST"]),
    Route("/api/v1/auth/providers", providers, methods=["GET"]),
]
