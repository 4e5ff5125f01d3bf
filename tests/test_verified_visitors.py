"""Verified visitors: the host site's server signs its user id with the widget's identity secret; the widget
then finds that user's chats on any device and browser, and a forged hash gets an ordinary visitor."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import bearer
from tests.widget_helpers import agents_fixture, conversation, create_widget, host_site_fixture, open_widget
from tests.workspace_helpers import department, sign_in

host_site = pytest.fixture(host_site_fixture, name="host_site")
agents = pytest.fixture(agents_fixture, name="agents")


def user_hash(secret: str, user_id: str) -> str:
    """What the host site's server computes (README, Verified visitors)."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def identify(user_id: str, hash_hex: str) -> str:
    who = {"user_id": user_id, "user_hash": hash_hex, "name": "Ada Lovelace", "email": "ada@example.com"}
    return f"<script>window.Chatdesk = {{q: [['identify', {json.dumps(who)}]]}};</script>"


def test_a_right_hash_is_one_visitor_everywhere_and_a_wrong_one_an_ordinary_visitor(client, make_agent, login):
    admin = bearer(login(make_agent(role="admin"))["token"])
    widget = client.post("/api/v1/widgets", headers=admin, json={"name": "Shop"}).json()
    secret = widget["identity_secret"]
    assert len(secret) == 64 and client.get(f"/api/v1/widgets/{widget['id']}", headers=admin).json()[
        "identity_secret"] == secret
    visitors = f"/api/v1/widgets/{widget['id']}/visitors"
    signed = {"user_id": "u-42", "user_hash": user_hash(secret, "u-42"), "name": "Ada", "email": "ada@example.com"}
    first = client.post(visitors, json=signed)
    again = client.post(visitors, json={**signed, "name": "Ada Lovelace", "user_hash": signed["user_hash"].upper()})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()  # the same visitor, the same token, on any device
    profile = client.get(f"/api/v1/visitors/{first.json()['visitor_id']}", headers=admin).json()["visitor"]
    assert profile["verified"] and profile["user_id"] == "u-42" and profile["name"] == "Ada Lovelace"

    forged = client.post(visitors, json={**signed, "user_hash": user_hash("guessed", "u-42")})
    missing = client.post(visitors, json={"user_id": "u-42", "email": "ada@example.com"})
    odd = client.post(visitors, json={**signed, "user_hash": "é" * 64})
    assert forged.status_code == missing.status_code == odd.status_code == 201  # nothing says why
    ids = {first.json()["visitor_id"], forged.json()["visitor_id"], missing.json()["visitor_id"]}
    assert len(ids) == 3
    profile = client.get(f"/api/v1/visitors/{forged.json()['visitor_id']}", headers=admin).json()["visitor"]
    assert not profile["verified"] and profile["user_id"] is None and profile["email"] == "ada@example.com"

    rotated = client.post(f"/api/v1/widgets/{widget['id']}/identity-secret", headers=admin).json()
    assert rotated["identity_secret"] != secret and len(rotated["identity_secret"]) == 64
    stale = client.post(visitors, json=signed).json()
    assert stale["visitor_id"] != first.json()["visitor_id"]  # the old secret's hashes verify nobody
    fresh = client.post(visitors, json={**signed, "user_hash": user_hash(rotated["identity_secret"], "u-42")})
    assert fresh.json()["visitor_id"] == first.json()["visitor_id"]


def test_a_verified_visitor_sees_their_chat_in_another_browser(page: Page, browser: Browser, live_server,
                                                               make_agent, host_site, agents):
    admin = make_agent(role="admin")
    widget = create_widget(live_server, admin, [host_site.origin])
    agents(live_server)
    signed = identify("u-7", user_hash(widget["identity_secret"], "u-7"))
    url = host_site.page("/account", live_server, widget["id"], head=signed)
    chat_frame = open_widget(page, url)
    expect(chat_frame.get_by_text("Welcome back!")).to_be_visible()  # verified: no name or email asked
    chat_frame.get_by_label("How can we help?").fill("Sent from my laptop")
    chat_frame.get_by_role("button", name="Start chat").click()
    expect(conversation(chat_frame).get_by_text("Sent from my laptop")).to_be_visible()

    phone = browser.new_context()  # another browser: no storage shared with the first
    try:
        other = open_widget(phone.new_page(), url)
        expect(conversation(other).get_by_text("Sent from my laptop")).to_be_visible()
    finally:
        phone.close()

    forged = browser.new_context()
    try:
        page_url = host_site.page("/forged", live_server, widget["id"], head=identify("u-7", "0" * 64))
        stranger = open_widget(forged.new_page(), page_url)
        expect(stranger.get_by_text("Welcome back!")).to_be_visible()  # a visitor of its own, with no chat
        expect(stranger.get_by_label("How can we help?")).to_be_visible()
        expect(conversation(stranger)).to_have_count(0)
    finally:
        forged.close()


def test_the_visitor_panel_says_verified(page: Page, live_server, database_url, make_agent):
    ada = make_agent(name="Ada Lovelace")
    widget = create_widget(live_server, make_agent(role="admin"), [])
    broadcast = department(database_url, [ada], mode="broadcast")
    visitor = httpx.post(f"{live_server}/api/v1/widgets/{widget['id']}/visitors", json={
        "name": "Vera Verified", "email": "vera@example.com", "user_id": "cust-9",
        "user_hash": user_hash(widget["identity_secret"], "cust-9")}).json()
    sign_in(page, live_server, ada, online=True)
    started = httpx.post(f"{live_server}/api/v1/chats", headers=bearer(visitor["token"]), json={
        "department_id": broadcast, "message": {"client_msg_id": "v1", "body": "Hello from my account"}})
    assert started.status_code == 201, started.text
    page.get_by_role("button", name="Accept chat with Vera Verified").click()
    panel = page.get_by_role("complementary", name="Visitor details")
    expect(panel.get_by_text("Verified", exact=True)).to_be_visible()
    expect(panel.get_by_text("cust-9")).to_be_visible()
