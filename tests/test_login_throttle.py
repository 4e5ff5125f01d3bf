"""Sign-in throttling against a real `chatdesk serve`: per (account, address), growing waits, and
client addresses taken from X-Forwarded-For only when the peer is a trusted proxy."""

from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError

from chatdesk.config import Settings
from tests.conftest import PASSWORD, run
from tests.realtime_helpers import wait_until
from tests.workspace_helpers import sql

ADDRESS_A, ADDRESS_B = "203.0.113.7", "198.51.100.9"


def sign_in(base_url: str, agent: dict, password: str, address: str) -> httpx.Response:
    """A sign-in whose request says, as a proxy would, that it came from `address`."""
    return httpx.post(base_url + "/api/v1/auth/login", json={"email": agent["email"], "password": password},
                      headers={"X-Forwarded-For": address}, timeout=10)


def fail_until_throttled(base_url: str, agent: dict, address: str) -> httpx.Response:
    """Wrong passwords from `address` until the server makes it wait; the 429."""
    return run(wait_until(lambda: sign_in(base_url, agent, "wrong password", address),
                          lambda response: response.status_code == 429))


def fail_after_the_wait(base_url: str, agent: dict, address: str) -> httpx.Response:
    """One more wrong password from `address` once its wait is over; the answer to the try right after."""
    run(wait_until(lambda: sign_in(base_url, agent, "wrong password", address),
                   lambda response: response.status_code == 401))
    return sign_in(base_url, agent, "wrong password", address)


@pytest.fixture
def behind_proxy(serve) -> str:
    """A server that believes X-Forwarded-For from its loopback peer (the proxy in these tests)."""
    return serve(CHATDESK_TRUSTED_PROXIES="127.0.0.1").base_url


def test_failures_from_one_address_never_lock_out_another(behind_proxy, make_agent):
    agent = make_agent()
    assert fail_until_throttled(behind_proxy, agent, ADDRESS_A).status_code == 429
    assert sign_in(behind_proxy, agent, PASSWORD, ADDRESS_A).status_code == 429
    assert sign_in(behind_proxy, agent, PASSWORD, ADDRESS_B).status_code == 200


def test_each_failure_past_the_free_ones_doubles_the_wait(behind_proxy, make_agent):
    agent = make_agent()
    throttled = [fail_until_throttled(behind_proxy, agent, ADDRESS_A)]
    throttled += [fail_after_the_wait(behind_proxy, agent, ADDRESS_A) for _ in range(2)]
    assert [(r.status_code, r.headers["retry-after"]) for r in throttled] == [(429, "1"), (429, "2"), (429, "4")]


@pytest.mark.parametrize(("trusted", "recorded"), [("", "127.0.0.1"), ("127.0.0.1/32", ADDRESS_B)])
def test_forwarded_for_is_believed_only_from_a_trusted_proxy(serve, make_agent, database_url, trusted, recorded):
    base_url = serve(CHATDESK_TRUSTED_PROXIES=trusted).base_url
    session = sign_in(base_url, make_agent(), PASSWORD, ADDRESS_B).json()
    rows = sql(database_url, "SELECT ip FROM chatdesk.sessions WHERE csrf_token = $1", session["csrf_token"])
    assert [row["ip"] for row in rows] == [recorded]


def test_trusted_proxies_are_addresses_or_networks():
    assert Settings(CHATDESK_TRUSTED_PROXIES="10.0.0.0/8, 127.0.0.1").trusted_proxies == "10.0.0.0/8,127.0.0.1/32"
    with pytest.raises(ValidationError, match="not-an-address"):
        Settings(CHATDESK_TRUSTED_PROXIES="10.0.0.0/8,not-an-address")
