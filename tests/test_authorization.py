"""The authorization matrix: every API route of the route table x every kind of caller, each cell's
status asserted (invariant 8 in docs/architecture.md).

Rows come from the app's routes, so a new route joins by construction: without a row in
EXPECTED it fails the test. A row gives the status for the seven identities; the four broken
credentials, and an agent signed in with a one-time password, follow from the route's Access (see
`expected`). An unsafe cell runs on things no earlier cell changed: after
one that got through (a chat accepted, a ticket closed ...), the next unsafe cell makes new ones, so one
cell's change never decides another's. Refused cells change nothing, so they share things.

"Cookie from another origin" on unsafe routes expects 403 from the Origin check of branch h-auth
(and sign-in from another origin too); until that is merged those cells fail.
"""

from __future__ import annotations

import functools
import uuid
from datetime import timedelta

import pytest
import redis as sync_redis
from starlette.routing import Route
from starlette.testclient import TestClient

from chatdesk.bench.server import ONE_ADDRESS_LOAD, free_port
from chatdesk.config import Settings
from chatdesk.desk.auth.passwords import hash_password
from chatdesk.desk.auth.sessions import create_session
from chatdesk.desk.mail.inbound import take_mail
from chatdesk.desk.mail.incoming import parse_mail
from chatdesk.desk.ticket_links import ticket_token
from chatdesk.web import api
from chatdesk.web.api.endpoint import SAFE_METHODS, SESSION_COOKIE, Access
from chatdesk.web.app import create_app
from tests.conftest import PASSWORD, bearer, create_account, migrated_database, run
from tests.files_samples import image
from tests.imap_helpers import customer_mail
from tests.realtime_helpers import new_widget
from tests.workspace_helpers import sql

IDENTITIES = ("anonymous", "owner visitor", "other visitor", "agent", "other agent", "supervisor", "admin")
BROKEN = ("deactivated agent", "revoked session", "cookie without CSRF", "cookie from another origin")
# An agent who signed in with a one-time password (an admin's reset, the first admin's printed one) may
# only see themselves, choose a new password, and sign out: every other route answers 403.
ONE_TIME = "one-time password"
# An API key with every scope, acting as a bot agent of its own: on a route with a scope it gets what
# the other agent (one who holds nothing) gets; every other route but the public ones refuses it (403).
API_KEY = "api key"
CALLERS = (*IDENTITIES, *BROKEN, ONE_TIME, API_KEY)
PASSWORD_CHANGE_ROUTES = {("GET", "/api/v1/agents/me"), ("POST", "/api/v1/agents/me/password"),
                          ("POST", "/api/v1/auth/logout")}
MY_PASSWORD = ("POST", "/api/v1/agents/me/password")
ELSEWHERE = "https://elsewhere.example"
SIGN_IN = {("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/supabase")}

# (method, path) -> statuses for IDENTITIES, in that order. The chat belongs to the owner visitor
# and is assigned to the agent (the supervisor owns no chat); the quick response is the agent's own;
# the ticket comes from the chat.
EXPECTED: dict[tuple[str, str], tuple[int, ...]] = {
    ("POST", "/api/v1/auth/login"): (200, 200, 200, 200, 200, 200, 200),
    ("POST", "/api/v1/auth/logout"): (401, 403, 403, 204, 204, 204, 204),
    ("POST", "/api/v1/auth/password-reset"): (202, 202, 202, 202, 202, 202, 202),
    # Public: a link's token is the credential; the matrix's is a forged one (tests/test_password_mail.py).
    ("POST", "/api/v1/auth/password-reset/confirm"): (400, 400, 400, 400, 400, 400, 400),
    ("POST", "/api/v1/auth/invitation/accept"): (400, 400, 400, 400, 400, 400, 400),
    # Not set up in this server (no SUPABASE_URL): tests/test_supabase_sign_in.py signs in with it.
    ("POST", "/api/v1/auth/supabase"): (404, 404, 404, 404, 404, 404, 404),
    ("GET", "/api/v1/auth/providers"): (200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/agents/me"): (401, 403, 403, 200, 200, 200, 200),
    ("GET", "/api/v1/agents/colleagues"): (401, 403, 403, 200, 200, 200, 200),
    ("PUT", "/api/v1/agents/me/status"): (401, 403, 403, 200, 200, 200, 200),
    ("PATCH", "/api/v1/agents/me/preferences"): (401, 403, 403, 200, 200, 200, 200),
    ("PATCH", "/api/v1/agents/me"): (401, 403, 403, 200, 200, 200, 200),
    ("POST", "/api/v1/agents/me/password"): (401, 403, 403, 204, 204, 204, 204),
    ("POST", "/api/v1/agents/{agent_id:uuid}/password-reset"): (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/agents"): (401, 403, 403, 403, 403, 403, 200),
    ("POST", "/api/v1/agents"): (401, 403, 403, 403, 403, 403, 201),
    ("POST", "/api/v1/agents/invitations"): (401, 403, 403, 403, 403, 403, 201),
    # The agent made for the cell has a password of their own: nothing to resend.
    ("POST", "/api/v1/agents/{agent_id:uuid}/invitation"): (401, 403, 403, 403, 403, 403, 409),
    ("PATCH", "/api/v1/agents/{agent_id:uuid}"): (401, 403, 403, 403, 403, 403, 200),
    ("DELETE", "/api/v1/agents/{agent_id:uuid}"): (401, 403, 403, 403, 403, 403, 204),
    ("GET", "/api/v1/departments"): (401, 403, 403, 200, 200, 200, 200),
    ("POST", "/api/v1/departments"): (401, 403, 403, 403, 403, 403, 201),
    ("PATCH", "/api/v1/departments/{department_id:uuid}"): (401, 403, 403, 403, 403, 403, 200),
    ("PUT", "/api/v1/departments/{department_id:uuid}/hours"): (401, 403, 403, 403, 403, 403, 200),
    ("DELETE", "/api/v1/departments/{department_id:uuid}/hours"): (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/departments/{department_id:uuid}/agents"): (401, 403, 403, 403, 403, 403, 200),
    ("PUT", "/api/v1/departments/{department_id:uuid}/agents/{agent_id:uuid}"): (401, 403, 403, 403, 403, 403, 200),
    ("DELETE", "/api/v1/departments/{department_id:uuid}/agents/{agent_id:uuid}"):
        (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/quick-responses"): (401, 403, 403, 200, 200, 200, 200),
    ("POST", "/api/v1/quick-responses"): (401, 403, 403, 201, 201, 201, 201),
    # Another agent's personal response is not theirs to know of, an admin's included.
    ("PATCH", "/api/v1/quick-responses/{response_id:uuid}"): (401, 403, 403, 200, 404, 404, 404),
    ("DELETE", "/api/v1/quick-responses/{response_id:uuid}"): (401, 403, 403, 204, 404, 404, 404),
    ("GET", "/api/v1/widgets/{widget_id:uuid}/settings"): (200, 200, 200, 200, 200, 200, 200),
    ("POST", "/api/v1/widgets/{widget_id:uuid}/visitors"): (201, 201, 201, 201, 201, 201, 201),
    ("GET", "/api/v1/widgets"): (401, 403, 403, 403, 403, 403, 200),
    ("POST", "/api/v1/widgets"): (401, 403, 403, 403, 403, 403, 201),
    ("GET", "/api/v1/widgets/{widget_id:uuid}"): (401, 403, 403, 403, 403, 403, 200),
    ("PATCH", "/api/v1/widgets/{widget_id:uuid}"): (401, 403, 403, 403, 403, 403, 200),
    ("POST", "/api/v1/widgets/{widget_id:uuid}/identity-secret"): (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/api-keys"): (401, 403, 403, 403, 403, 403, 200),
    ("POST", "/api/v1/api-keys"): (401, 403, 403, 403, 403, 403, 201),
    ("DELETE", "/api/v1/api-keys/{key_id:uuid}"): (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/chats"): (401, 200, 200, 200, 200, 200, 200),
    # History: every agent searches every chat; no visitor searches at all.
    ("GET", "/api/v1/chats/search"): (401, 403, 403, 200, 200, 200, 200),
    ("POST", "/api/v1/chats"): (401, 201, 201, 403, 403, 403, 403),
    # Another visitor's chat does not exist for a visitor; agents read every chat but write only their own.
    ("GET", "/api/v1/chats/{chat_id:uuid}"): (401, 200, 404, 200, 200, 200, 200),
    ("GET", "/api/v1/chats/{chat_id:uuid}/messages"): (401, 200, 404, 200, 200, 200, 200),
    ("POST", "/api/v1/chats/{chat_id:uuid}/messages"): (401, 201, 404, 201, 403, 403, 403),
    ("POST", "/api/v1/chats/{chat_id:uuid}/typing"): (401, 204, 404, 204, 403, 403, 403),
    ("POST", "/api/v1/chats/{chat_id:uuid}/read"): (401, 204, 404, 204, 403, 403, 403),
    ("POST", "/api/v1/chats/{chat_id:uuid}/accept"): (401, 403, 403, 200, 200, 200, 200),
    ("PATCH", "/api/v1/chats/{chat_id:uuid}"): (401, 403, 403, 200, 200, 200, 200),
    ("DELETE", "/api/v1/chats/{chat_id:uuid}"): (401, 403, 403, 403, 403, 403, 204),
    # Broadcast departments offer nothing, so there is nothing to pass on: 409 once authorized.
    ("POST", "/api/v1/chats/{chat_id:uuid}/decline"): (401, 403, 403, 409, 409, 409, 409),
    ("POST", "/api/v1/chats/{chat_id:uuid}/end"): (401, 200, 404, 200, 403, 403, 403),
    ("POST", "/api/v1/chats/{chat_id:uuid}/transfer"): (401, 403, 403, 200, 403, 403, 403),
    # The chat is still active: 409 once authorized.
    ("POST", "/api/v1/chats/{chat_id:uuid}/rating"): (401, 409, 404, 403, 403, 403, 403),
    ("POST", "/api/v1/widgets/{widget_id:uuid}/offline-messages"): (201, 201, 201, 201, 201, 201, 201),
    ("POST", "/api/v1/chats/{chat_id:uuid}/ticket"): (401, 403, 403, 201, 201, 201, 201),
    ("GET", "/api/v1/chats/{chat_id:uuid}/transcript"): (401, 200, 404, 200, 200, 200, 200),
    # The chat is still active: 409 for its visitor (tests/test_transcript_email.py sends an ended one's).
    ("POST", "/api/v1/chats/{chat_id:uuid}/transcript-email"): (401, 409, 404, 403, 403, 403, 403),
    ("GET", "/api/v1/tickets"): (401, 403, 403, 200, 200, 200, 200),
    ("GET", "/api/v1/tickets/counts"): (401, 403, 403, 200, 200, 200, 200),
    ("GET", "/api/v1/tickets/{ticket_id:uuid}"): (401, 403, 403, 200, 200, 200, 200),
    ("PATCH", "/api/v1/tickets/{ticket_id:uuid}"): (401, 403, 403, 200, 200, 200, 200),
    ("POST", "/api/v1/tickets/{ticket_id:uuid}/comments"): (401, 403, 403, 201, 201, 201, 201),
    ("POST", "/api/v1/tickets/{ticket_id:uuid}/revoke-links"): (401, 403, 403, 200, 200, 200, 200),
    # The customer's ticket page: the link's token is the credential, whoever else one is.
    ("GET", "/api/v1/ticket-page/{token}"): (200, 200, 200, 200, 200, 200, 200),
    ("POST", "/api/v1/ticket-page/{token}/replies"): (201, 201, 201, 201, 201, 201, 201),
    ("GET", "/api/v1/visitors/{visitor_id:uuid}"): (401, 403, 403, 200, 200, 200, 200),
    ("POST", "/api/v1/chats/{chat_id:uuid}/attachments"): (401, 201, 404, 201, 403, 403, 403),
    ("GET", "/api/v1/attachments/{attachment_id:uuid}"): (401, 200, 404, 200, 200, 200, 200),
    ("GET", "/api/v1/attachments/{attachment_id:uuid}/thumbnail"): (401, 200, 404, 200, 200, 200, 200),
    ("GET", "/api/v1/ticket-attachments/{file_id:uuid}"): (401, 403, 403, 200, 200, 200, 200),
    ("GET", "/api/v1/events"): (401, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/mail/status"): (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/supervision"): (401, 403, 403, 403, 403, 200, 200),
    ("POST", "/api/v1/chats/{chat_id:uuid}/notes"): (401, 403, 403, 403, 403, 201, 201),
    ("POST", "/api/v1/chats/{chat_id:uuid}/takeover"): (401, 403, 403, 403, 403, 200, 200),
    ("POST", "/api/v1/chats/{chat_id:uuid}/reassign"): (401, 403, 403, 403, 403, 200, 200),
    ("PUT", "/api/v1/chats/{chat_id:uuid}/watch"): (401, 403, 403, 403, 403, 204, 204),
    ("DELETE", "/api/v1/chats/{chat_id:uuid}/watch"): (401, 403, 403, 403, 403, 204, 204),
    ("GET", "/api/v1/reports"): (401, 403, 403, 403, 403, 200, 200),
    ("GET", "/api/v1/reports/{table}.csv"): (401, 403, 403, 403, 403, 200, 200),
    ("GET", "/api/v1/webhooks"): (401, 403, 403, 403, 403, 403, 200),
    ("POST", "/api/v1/webhooks"): (401, 403, 403, 403, 403, 403, 201),
    ("PATCH", "/api/v1/webhooks/{webhook_id:uuid}"): (401, 403, 403, 403, 403, 403, 200),
    ("DELETE", "/api/v1/webhooks/{webhook_id:uuid}"): (401, 403, 403, 403, 403, 403, 204),
    # Nothing listens on the endpoint's port: the test is sent, fails and says so (200).
    ("POST", "/api/v1/webhooks/{webhook_id:uuid}/test"): (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/webhooks/{webhook_id:uuid}/deliveries"): (401, 403, 403, 403, 403, 403, 200),
    # Privacy requests are the admins' alone: an export discloses everything, an erasure cannot be undone.
    ("GET", "/api/v1/privacy/visitors"): (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/privacy/visitors/{visitor_id:uuid}/export"): (401, 403, 403, 403, 403, 403, 200),
    # The visitor's chat is still active: 409 once authorized (tests/test_privacy.py erases ended ones).
    ("POST", "/api/v1/privacy/visitors/{visitor_id:uuid}/erase"): (401, 403, 403, 403, 403, 403, 409),
    ("GET", "/api/v1/triggers"): (401, 403, 403, 403, 403, 403, 200),
    ("POST", "/api/v1/triggers"): (401, 403, 403, 403, 403, 403, 201),
    ("PATCH", "/api/v1/triggers/{trigger_id:uuid}"): (401, 403, 403, 403, 403, 403, 200),
    ("DELETE", "/api/v1/triggers/{trigger_id:uuid}"): (401, 403, 403, 403, 403, 403, 204),
    # Any visitor of the trigger's widget is greeted once (the trigger is new for each cell).
    ("POST", "/api/v1/triggers/{trigger_id:uuid}/firings"): (401, 201, 201, 403, 403, 403, 403),
}


def _scope(method: str, path: str) -> str | None:
    return next(route.endpoint.spec.scope for route in api.routes
                if isinstance(route, Route) and route.path == path and method in route.methods)


def expected(method: str, path: str, access: Access, who: str) -> int:
    """The status `who` must get. Broken credentials: a deactivated agent's or a revoked session
    is no credential (401); a cookie without its CSRF token, or from another origin, may read what
    the agent reads but change nothing (403). Public routes ignore credentials altogether."""
    row = dict(zip(IDENTITIES, EXPECTED[method, path], strict=True))
    if who in row:
        return row[who]
    if who == "cookie from another origin" and (method, path) in SIGN_IN:
        return 403  # no other site may sign a browser in to an account of its choosing
    if access is Access.PUBLIC:
        return row["anonymous"]
    if who == API_KEY:
        return row["other agent"] if _scope(method, path) else 403
    if who == ONE_TIME:
        return row["agent"] if (method, path) in PASSWORD_CHANGE_ROUTES else 403
    if who in ("deactivated agent", "revoked session"):
        return 401
    return row["agent"] if method in SAFE_METHODS else 403


@pytest.fixture(scope="module")
def database_url(new_database) -> str:
    """A database of this module's own: the matrix creates agents, widgets and departments."""
    url = migrated_database(new_database)
    run(new_widget(url))
    return url


def _routes(routes: list) -> list[tuple[str, str, Access]]:
    """(method, path, access) of every route declared with `@endpoint`, from a route table."""
    return [(method, route.path, route.endpoint.spec.access) for route in routes
            if isinstance(route, Route) and hasattr(route.endpoint, "spec")
            for method in sorted(route.methods - {"HEAD"})]


class World:
    """Accounts, and on demand the things a route's path names; `fresh()` forgets the things, which
    `changed` asks for (a cell got through an unsafe route)."""

    def __init__(self, client: TestClient, database_url: str) -> None:
        self.client = client
        self.database_url = database_url
        self.admin = create_account(database_url, "admin")
        self.agent = create_account(database_url, max_chats=100)
        self.other_agent = create_account(database_url)
        self.supervisor = create_account(database_url, "supervisor")
        self.deactivated = create_account(database_url)
        self.one_time = create_account(database_url)
        self.restore_passwords()
        admin = self.session_headers(self.admin)
        assert client.delete(f"/api/v1/agents/{self.deactivated['id']}", headers=admin).status_code == 204
        for online in (self.agent, self.supervisor, self.admin):  # the supervisors take chats over
            assert client.put("/api/v1/agents/me/status", json={"status": "online"},
                              headers=self.session_headers(online)).status_code == 200
        self.widget_id = client.get("/api/v1/widgets", headers=admin).json()["widgets"][0]["id"]
        self.department_id = client.get("/api/v1/departments", headers=admin).json()["departments"][0]["id"]
        self.other_visitor = self.new_visitor()
        key = client.post("/api/v1/api-keys", headers=admin, json={
            "name": "Matrix", "bot_name": "Matrix bot",
            "scopes": ["chats:read", "tickets:read", "tickets:write", "messages:send"]})
        self.api_key = bearer(key.json()["token"])
        self.things: dict[str, str] = {}
        self.changed = False

    def restore_passwords(self) -> None:
        """Every account's password PASSWORD again, and the one-time account held to changing it (a cell of
        `POST /agents/me/password` changes the caller's)."""
        accounts = [uuid.UUID(a["id"]) for a in (self.admin, self.agent, self.other_agent, self.supervisor,
                                                  self.one_time)]
        sql(self.database_url, "UPDATE chatdesk.agents SET password_hash = $1, must_change_password = (id = $2) "
            "WHERE id = ANY($3)", run(hash_password(PASSWORD)), uuid.UUID(self.one_time["id"]), accounts)

    def session(self, agent: dict) -> tuple[str, str]:
        """A new session of `agent`: (token, csrf_token), opened in the app's own event loop."""
        runtime = self.client.app.state.runtime
        open_session = functools.partial(create_session, runtime.engine, uuid.UUID(agent["id"]),
                                         ttl=timedelta(hours=1), user_agent="matrix", ip=None)
        return self.client.portal.call(open_session)

    def session_headers(self, agent: dict) -> dict[str, str]:
        return bearer(self.session(agent)[0])

    def new_visitor(self) -> dict[str, str]:
        response = self.client.post(f"/api/v1/widgets/{self.widget_id}/visitors", json={"name": "Ada"})
        return {"id": response.json()["visitor_id"], "headers": bearer(response.json()["token"])}

    def fresh(self) -> None:
        """Forget this world's things (the next lookups create new ones); the visitor ends the chat
        (whoever has it now) to keep free capacity."""
        if "chat_id" in self.things:
            self.client.post(f"/api/v1/chats/{self.things['chat_id']}/end", headers=self.things["owner"])
        self.things = {}
        self.changed = False

    def thing(self, name: str) -> str:
        if name not in self.things:
            self.things[name] = getattr(self, f"_new_{name}")()
        return self.things[name]

    def caller(self, who: str) -> dict[str, str]:
        """Headers of one column's caller, with credentials opened for this cell."""
        if who == "anonymous":
            return {}
        if who == "owner visitor":
            return self.things["owner"] if "owner" in self.things else self.new_visitor()["headers"]
        if who == "other visitor":
            return self.other_visitor["headers"]
        if who == API_KEY:
            return self.api_key
        if who in ("agent", "other agent", "supervisor", "admin", "deactivated agent", ONE_TIME):
            account = {"agent": self.agent, "other agent": self.other_agent, "supervisor": self.supervisor,
                       "admin": self.admin, "deactivated agent": self.deactivated, ONE_TIME: self.one_time}[who]
            return self.session_headers(account)
        if who == "revoked session":
            headers = self.session_headers(self.agent)
            assert self.client.post("/api/v1/auth/logout", headers=headers).status_code == 204
            return headers
        token, csrf_token = self.session(self.agent)
        cookie = {"Cookie": f"{SESSION_COOKIE}={token}"}
        if who == "cookie without CSRF":
            return cookie
        return {**cookie, "X-CSRF-Token": csrf_token, "Origin": ELSEWHERE}

    # The things, each made through the API the way people make them.
    def _new_queued_chat_id(self) -> str:
        owner = self.new_visitor()
        self.things["owner"] = owner["headers"]
        self.things["visitor_id"] = owner["id"]
        return self.client.post("/api/v1/chats", json={}, headers=owner["headers"]).json()["chat"]["id"]

    def _new_chat_id(self) -> str:
        """The owner visitor's chat, accepted by the agent, with one message."""
        chat_id = self.thing("queued_chat_id")
        accepted = self.client.post(f"/api/v1/chats/{chat_id}/accept", headers=self.session_headers(self.agent))
        assert accepted.status_code == 200, accepted.text
        sent = self.client.post(f"/api/v1/chats/{chat_id}/messages", json={"client_msg_id": "m1", "body": "Hi"},
                                headers=self.things["owner"])
        assert sent.status_code == 201, sent.text
        return chat_id

    def _new_visitor_id(self) -> str:
        self.thing("chat_id")
        return self.things["visitor_id"]

    def _new_ticket_id(self) -> str:
        url = f"/api/v1/chats/{self.thing('chat_id')}/ticket"
        return self.client.post(url, headers=self.session_headers(self.agent)).json()["ticket_id"]

    def _new_token(self) -> str:
        """A valid link to the ticket's customer page, made as the mails make it (the app's settings)."""
        ticket_id = uuid.UUID(self.thing("ticket_id"))
        [row] = sql(self.database_url, "SELECT link_version FROM chatdesk.tickets WHERE id = $1", ticket_id)
        return ticket_token(self.client.app.state.runtime.settings, ticket_id, row["link_version"])

    def _new_attachment_id(self) -> str:
        url = f"/api/v1/chats/{self.thing('chat_id')}/attachments"
        response = self.client.post(url, files={"file": ("dot.png", image("PNG"), "image/png")},
                                    headers=self.things["owner"])
        assert response.status_code == 201, response.text
        return response.json()["attachment"]["id"]

    def _new_file_id(self) -> str:
        """A file that came by mail with a customer's reply (taken the way the mailbox reader takes it)."""
        runtime = self.client.app.state.runtime
        mail = customer_mail(subject="Receipt", body="Here it is", files=[("receipt.txt", "text/plain", b"paid")])

        async def take() -> uuid.UUID | None:
            async with runtime.transaction() as tx:
                return (await take_mail(tx, runtime.settings, runtime.storage, parse_mail(bytes(mail)), [])).ticket_id

        ticket_id = self.client.portal.call(take)
        ticket = self.client.get(f"/api/v1/tickets/{ticket_id}", headers=self.session_headers(self.agent)).json()
        return ticket["comments"][0]["attachments"][0]["id"]

    def _new_response_id(self) -> str:
        body = {"shortcut": f"q{uuid.uuid4().hex[:8]}", "title": "Thanks", "body": "Thank you!"}
        return self.client.post("/api/v1/quick-responses", json=body,
                                headers=self.session_headers(self.agent)).json()["id"]

    def _new_department_id(self) -> str:
        return self.client.post("/api/v1/departments", json={"name": f"Dept {uuid.uuid4().hex[:6]}"},
                                headers=self.session_headers(self.admin)).json()["id"]

    def _new_agent_id(self) -> str:
        return create_account(self.database_url)["id"]

    def _new_webhook_id(self) -> str:
        return self.client.post("/api/v1/webhooks", json=self.body("POST", "/api/v1/webhooks"),
                                headers=self.session_headers(self.admin)).json()["id"]

    def _new_trigger_id(self) -> str:
        return self.client.post("/api/v1/triggers", json=self.body("POST", "/api/v1/triggers"),
                                headers=self.session_headers(self.admin)).json()["id"]

    def _new_widget_id(self) -> str:
        return self.widget_id

    def _new_key_id(self) -> str:
        body = {"name": "Revoke me", "bot_name": "Bot", "scopes": ["chats:read"]}
        return self.client.post("/api/v1/api-keys", json=body, headers=self.session_headers(self.admin)
                                ).json()["api_key"]["id"]

    def url(self, path: str) -> str:
        """The path with ids of this world's things; accepting and declining take a queued chat."""
        if path.endswith(("/accept", "/decline")):
            path = path.replace("{chat_id:uuid}", self.thing("queued_chat_id"))
        for name in ("chat_id", "ticket_id", "attachment_id", "file_id", "response_id", "department_id", "agent_id",
                     "widget_id", "visitor_id", "webhook_id", "key_id", "trigger_id"):
            if f"{{{name}:uuid}}" in path:
                path = path.replace(f"{{{name}:uuid}}", self.thing(name))
        if "{token}" in path:
            path = path.replace("{token}", self.thing("token"))
        if path.startswith("/api/v1/reports"):
            path = path.replace("{table}", "summary") + "?from=2026-03-01&to=2026-03-31&tz=Europe/Paris"
        return path

    def body(self, method: str, path: str) -> dict | None:
        """A valid body for the route, so that a cell that gets past authorization does its work."""
        unique = uuid.uuid4().hex[:8]
        return {
            ("POST", "/api/v1/auth/login"): {"email": self.agent["email"], "password": PASSWORD},
            ("POST", "/api/v1/auth/supabase"): {"access_token": "not.a.token"},
            ("PUT", "/api/v1/agents/me/status"): {"status": "online"},
            ("PATCH", "/api/v1/agents/me/preferences"): {"sound": True},
            ("PATCH", "/api/v1/agents/me"): {"display_name": "Sam from Support"},
            MY_PASSWORD: {"current_password": PASSWORD, "new_password": f"{PASSWORD} {unique}"},
            ("POST", "/api/v1/agents"): {"email": f"new-{unique}@example.com", "name": "New", "password": PASSWORD},
            ("PATCH", "/api/v1/agents/{agent_id:uuid}"): {"name": "Renamed"},
            ("POST", "/api/v1/agents/invitations"): {"email": f"invited-{unique}@example.com", "name": "Invited"},
            ("POST", "/api/v1/auth/password-reset"): {"email": f"nobody-{unique}@example.com"},
            ("POST", "/api/v1/auth/password-reset/confirm"): {"token": "forged", "new_password": PASSWORD},
            ("POST", "/api/v1/auth/invitation/accept"): {"token": "forged", "new_password": PASSWORD},
            ("POST", "/api/v1/departments"): {"name": f"Sales {unique}"},
            ("PATCH", "/api/v1/departments/{department_id:uuid}"): {"accept_timeout_s": 60},
            ("PUT", "/api/v1/departments/{department_id:uuid}/hours"):
                {"time_zone": "Europe/Paris", "weekly": [{"day": "mon", "start": "09:00", "end": "17:00"}]},
            ("POST", "/api/v1/quick-responses"): {"shortcut": f"s{unique}", "title": "Hi", "body": "Hello"},
            ("PATCH", "/api/v1/quick-responses/{response_id:uuid}"): {"title": "Hello again"},
            ("POST", "/api/v1/widgets"): {"name": f"Shop {unique}"},
            ("PATCH", "/api/v1/widgets/{widget_id:uuid}"): {"name": "Shop"},
            ("POST", "/api/v1/widgets/{widget_id:uuid}/visitors"): {"name": "Ada"},
            ("POST", "/api/v1/widgets/{widget_id:uuid}/offline-messages"):
                {"name": "Grace", "email": "grace@example.com", "body": "Call me"},
            ("POST", "/api/v1/chats"): {},
            ("POST", "/api/v1/chats/{chat_id:uuid}/messages"): {"client_msg_id": unique, "body": "Hello"},
            ("POST", "/api/v1/chats/{chat_id:uuid}/typing"): {"typing": True},
            ("POST", "/api/v1/chats/{chat_id:uuid}/read"): {"seq": 1},
            ("POST", "/api/v1/chats/{chat_id:uuid}/transfer"): {"department_id": self.department_id},
            ("POST", "/api/v1/chats/{chat_id:uuid}/notes"): {"client_msg_id": unique, "body": "Offer a refund"},
            ("POST", "/api/v1/chats/{chat_id:uuid}/reassign"): {"agent_id": self.supervisor["id"]},
            ("POST", "/api/v1/chats/{chat_id:uuid}/rating"): {"score": "good"},
            ("POST", "/api/v1/chats/{chat_id:uuid}/transcript-email"): {"email": "ada@example.com"},
            ("PATCH", "/api/v1/chats/{chat_id:uuid}"): {"priority": 1},
            ("PATCH", "/api/v1/tickets/{ticket_id:uuid}"): {"status": "pending"},
            ("POST", "/api/v1/tickets/{ticket_id:uuid}/comments"): {"body": "Called back"},
            ("POST", "/api/v1/ticket-page/{token}/replies"): {"body": "Thanks, that worked"},
            ("POST", "/api/v1/webhooks"): {"url": f"http://127.0.0.1:{free_port()}/hook", "events": ["chat.ended"]},
            ("PATCH", "/api/v1/webhooks/{webhook_id:uuid}"): {"enabled": False},
            ("POST", "/api/v1/api-keys"): {"name": f"Key {unique}", "bot_name": "Bot", "scopes": ["tickets:read"]},
            ("POST", "/api/v1/triggers"): {"widget_id": self.widget_id, "department_id": self.department_id,
                                           "name": f"Hello {unique}", "greeting": "Need a hand?"},
            ("PATCH", "/api/v1/triggers/{trigger_id:uuid}"): {"enabled": False},
            ("POST", "/api/v1/triggers/{trigger_id:uuid}/firings"):
                {"page_url": "https://shop.example/", "seconds_on_page": 5, "visits": 1},
        }.get((method, path))


@pytest.fixture(scope="module")
def world(database_url, redis_url, tmp_path_factory):
    """One app (lifespan running) and one set of accounts for all the cells; Redis starts empty."""
    sync_redis.Redis.from_url(redis_url).flushdb()
    settings = Settings(**ONE_ADDRESS_LOAD, DATABASE_URL=database_url, REDIS_URL=redis_url,
                        CHATDESK_DATA_DIR=str(tmp_path_factory.mktemp("matrix")), CHATDESK_SECRET_KEY="m" * 40,
                        CHATDESK_WEBHOOKS_ALLOW_PRIVATE="true")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield World(client, database_url)


# A queued chat left waiting is soon offered to the online agent: these take one made just before.
TAKES_A_NEW_CHAT = ("/accept", "/decline")


def observe(world: World, method: str, path: str, who: str) -> int:
    """The status one caller gets from one route; unsafe calls run on things no earlier call changed."""
    unsafe = method not in SAFE_METHODS
    if unsafe and (world.changed or path.endswith(TAKES_A_NEW_CHAT)):
        world.fresh()
    status = _call(world, method, path, who)
    world.changed |= unsafe and status < 400
    return status


def _call(world: World, method: str, path: str, who: str) -> int:
    url = world.url(path)
    headers = world.caller(who)
    world.client.cookies.clear()  # a cookie is sent only where the column says so
    if path == "/api/v1/chats/{chat_id:uuid}/attachments":
        files = {"file": ("dot.png", image("PNG"), "image/png")}
        return world.client.request(method, url, headers=headers, files=files).status_code
    if path == "/api/v1/events":  # HEAD: the same checks, the headers without a never-ending stream
        return world.client.head(url, headers=headers).status_code
    status = world.client.request(method, url, headers=headers, json=world.body(method, path)).status_code
    if (method, path) == MY_PASSWORD:
        world.restore_passwords()
    return status


def test_every_route_has_a_row(world):
    routes = {(method, path) for method, path, _ in _routes(world.client.app.routes)}
    assert routes == set(EXPECTED), "routes without a row, rows without a route: fill EXPECTED in"


@pytest.mark.parametrize(("method", "path", "access"), _routes(api.routes), ids=lambda value: str(value))
@pytest.mark.parametrize("who", CALLERS)
def test_cell(world, method, path, access, who):
    assert (method, path) in EXPECTED, f"{method} {path} has no row in EXPECTED"
    assert observe(world, method, path, who) == expected(method, path, access, who)
