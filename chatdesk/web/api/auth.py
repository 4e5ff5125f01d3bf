"""Sign in and out (docs/api.md, Sign-in and the session cookie)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field
from starlette.responses import Response
from starlette.routing import Route

from chatdesk.desk.agents import agent_json, find_agent_by_email
from chatdesk.desk.auth.passwords import verify_password
from chatdesk.desk.auth.sessions import create_session, revoke_session
from chatdesk.desk.auth.throttle import check_login_allowed, record_login_failure, record_login_success
from chatdesk.errors import unauthorized
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


class AgentBrief(BaseModel):
    id: str
    name: str
    email: str
    role: str
    status: str


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
    ttl = timedelta(hours=runtime.settings.session_ttl_hours)
    token, csrf_token = await create_session(
        runtime.engine, row.id, ttl=ttl, user_agent=call.request.headers.get("user-agent"), ip=ip
    )
    agent = agent_json(row)
    response = json_response({
        "token": token,
        "csrf_token": csrf_token,
        "agent": {key: agent[key] for key in ("id", "name", "email", "role", "status")},
    })
    max_age = int(ttl.total_seconds())
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="lax",
        secure=runtime.settings.base_url.startswith("https://"), path="/",
    )
    set_csrf_cookie(response, call, csrf_token, max_age)
    return response


@endpoint("Sign out: revoke this session", access=Access.AGENT, status=204, tags=("auth",))
async def logout(call: Call) -> Response:
    # An agent's principal always has its session (only visitors' have none).
    await revoke_session(call.runtime.engine, call.caller.session_id)  # type: ignore[arg-type]
    await call.runtime.open_streams.end(agent_stream(call.caller.id), call.caller.session_id)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


routes = [
    Route("/api/v1/auth/login", login, methods=["POST"]),
    Route("/api/v1/auth/logout", logout, methods=["POST"]),
]
