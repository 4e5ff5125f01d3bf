"""The admin console in a real browser against a real server: agents, departments, quick responses,
the widget, keyboard use, live status, what agents may not see, and its screenshots."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis.asyncio as aioredis
from playwright.sync_api import Browser, Page, expect
from starlette.routing import Route

from chatdesk.bench.server import ServerProcess
from chatdesk.config import Settings
from chatdesk.db import migrate
from chatdesk.db.engine import create_engine
from chatdesk.db.tables import quick_responses
from chatdesk.desk.agents import create_agent
from chatdesk.desk.departments import create_department
from chatdesk.desk.widgets import create_widget
from chatdesk.realtime.streams import agent_stream, live_channel
from chatdesk.web.api.endpoint import Access
from tests.conftest import PASSWORD, bearer, broadcast_default_department, in_thread, run
from tests.realtime_helpers import wait_until
from tests.screenshots import assert_screenshot

VIEWPORTS = {"1440x900": {"width": 1440, "height": 900}, "768x1024": {"width": 768, "height": 1024}}
SECTIONS = {"agents": "Agents", "departments": "Departments", "quick-responses": "Quick responses",
            "widgets": "Widgets", "api-keys": "API keys", "privacy": "Privacy", "triggers": "Triggers"}


async def _seed(url: str) -> None:
    """A small, fixed team: what the screenshots show (Support is the migrations' default department)."""
    await broadcast_default_department(url)
    engine = create_engine(url, pool_size=1)
    async with engine.begin() as conn:
        await create_department(conn, name="Billing", routing_mode="auto", accept_timeout_s=45)
        await create_agent(conn, email="alan@example.com", name="Alan Admin", role="admin", password=PASSWORD)
        await create_agent(conn, email="grace@example.com", name="Grace Hopper", role="agent", password=PASSWORD,
                           max_chats=4)
        await create_agent(conn, email="ada@example.com", name="Ada Lovelace", role="agent", password=PASSWORD)
        await conn.execute(quick_responses.insert(), [
            {"shortcut": "hello", "title": "Greeting",
             "body": "Hi {{visitor.name}}, this is {{agent.name}}. How can I help you today?"},
            {"shortcut": "hours", "title": "Opening hours",
             "body": "We answer chats Monday to Friday, 8:00 to 18:00 (CET)."},
        ])
        await create_widget(conn, "Website", {"title": "Chat with Acme", "greeting": "Hi! Questions about an order?"})
    await engine.dispose()


@pytest.fixture
def seeded_server(new_database, redis_url, settings, tmp_path):
    """A server on a database of its own holding only the fixed team above."""
    url = new_database()
    in_thread(migrate.upgrade, url)
    run(_seed(url))
    own = Settings(DATABASE_URL=url, REDIS_URL=redis_url, CHATDESK_DATA_DIR=str(tmp_path / "seeded"),
                   CHATDESK_SECRET_KEY=settings.secret())
    server = ServerProcess(own, tmp_path / "seeded.log", CHATDESK_PUBLIC_URL="https://chat.acme.example").start()
    yield server.base_url
    server.stop()


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/workspace/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#agent-name")).not_to_be_empty()


def open_dialog(page: Page, opener: str, fields: dict[str, str]):
    """Click `opener`, fill the dialog's text fields by label; returns the dialog."""
    page.get_by_role("button", name=opener).click()
    dialog = page.get_by_role("dialog")
    for label, value in fields.items():
        dialog.get_by_label(label, exact=True).fill(value)
    return dialog


def api_headers(base_url: str, email: str) -> dict[str, str]:
    response = httpx.post(base_url + "/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    return bearer(response.json()["token"])


def test_admin_manages_agents_departments_quick_responses_and_the_widget(page: Page, seeded_server, make_agent):
    base = seeded_server
    admin = api_headers(base, "alan@example.com")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, base, "alan@example.com")
    page.get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", name="Agents", level=1)).to_be_visible()

    # An agent: invited (tests/test_workspace_password_links.py follows the mail), capacity raised, then deactivated.
    dialog = open_dialog(page, "Invite agent", {"Name": "Nina Newcomer", "Email": "nina@"})
    dialog.get_by_role("button", name="Send invitation").click()
    expect(dialog.locator("[data-error-for=email]")).to_be_visible()  # the API's 422, under its field
    expect(dialog.get_by_text("Email is not set up yet")).to_be_visible()
    dialog.get_by_label("Email").fill("nina@example.com")
    dialog.get_by_label("Billing").check()
    dialog.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("cell", name=re.compile("Nina Newcomer"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Nina Newcomer")).get_by_text("Invited")).to_be_visible()
    page.get_by_label("Max chats for Nina Newcomer").fill("5")
    page.get_by_label("Max chats for Nina Newcomer").press("Tab")
    expect(page.get_by_role("status").filter(has_text="up to 5 chats")).to_be_visible()
    nina = next(a for a in httpx.get(base + "/api/v1/agents", headers=admin).json()["agents"]
                if a["email"] == "nina@example.com")
    assert nina["max_chats"] == 5 and nina["role"] == "agent" and nina["invited_at"]
    page.get_by_role("row", name=re.compile("Nina Newcomer")).get_by_role("button", name="Deactivate").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("row", name=re.compile("Nina Newcomer")).get_by_text("Deactivated")).to_be_visible()

    # A department in broadcast mode with a 90 s accept timeout.
    page.get_by_role("link", name="Departments").click()
    dialog = open_dialog(page, "Add department", {"Name": "Returns", "Accept timeout (seconds)": "90"})
    dialog.get_by_label("Routing").select_option("broadcast")
    dialog.get_by_role("button", name="Add department").click()
    expect(page.get_by_label("Routing of Returns")).to_have_value("broadcast")
    page.get_by_label("Routing of Returns").select_option("auto")
    expect(page.get_by_role("status").filter(has_text="Returns now routes in auto mode")).to_be_visible()
    returns = next(d for d in httpx.get(base + "/api/v1/departments", headers=admin).json()["departments"]
                   if d["name"] == "Returns")
    assert (returns["routing_mode"], returns["accept_timeout_s"]) == ("auto", 90)

    # A shared quick response, with a placeholder inserted from its chip; every agent can read it.
    page.get_by_role("link", name="Quick responses").click()
    dialog = open_dialog(page, "New quick response", {"Shortcut": "thanks", "Title": "Thank you",
                                                      "Text": "Thanks for waiting, "})
    dialog.get_by_role("button", name="{{visitor.name}}").click()
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_text("/thanks", exact=True)).to_be_visible()
    expect(page.get_by_text("Thanks for waiting, {{visitor.name}}")).to_be_visible()
    listed = httpx.get(base + "/api/v1/quick-responses", headers=api_headers(base, "ada@example.com")).json()
    assert {"shortcut": "thanks", "shared": True, "body": "Thanks for waiting, {{visitor.name}}"}.items() <= next(
        r for r in listed["quick_responses"] if r["shortcut"] == "thanks").items()

    # The widget: a new colour shows in the preview as it is typed, then is saved for visitors.
    page.get_by_role("link", name="Widgets").click()
    header = page.get_by_test_id("widget-preview-panel").locator(".wp-header")
    expect(header).to_have_css("background-color", "rgb(37, 99, 235)")
    page.get_by_label("Accent colour", exact=True).fill("#16a34a")
    expect(header).to_have_css("background-color", "rgb(22, 163, 74)")
    page.get_by_label("Title").fill("Talk to Acme")
    expect(header).to_contain_text("Talk to Acme")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text="All changes saved")).to_be_visible()
    widget = httpx.get(base + "/api/v1/widgets", headers=admin).json()["widgets"][0]
    public = httpx.get(f"{base}/api/v1/widgets/{widget['id']}/settings").json()
    assert (public["color"], public["title"]) == ("#16a34a", "Talk to Acme")

    embed = page.get_by_role("region", name="Embed code")
    embed.get_by_role("button", name="Copy").click()
    expect(embed.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == widget["snippet"]

    # The demo shop's real widget wears the new colour, with the foreground the preview showed.
    preview_foreground = header.evaluate("element => getComputedStyle(element).color")
    page.goto(base + "/demo")
    launcher = page.get_by_role("button", name="Open Talk to Acme")
    expect(launcher).to_have_css("background-color", "rgb(22, 163, 74)")
    expect(launcher).to_have_css("color", preview_foreground)


def test_an_invalid_colour_is_refused_with_its_field_named(page: Page, seeded_server):
    sign_in(page, seeded_server, "alan@example.com")
    page.goto(seeded_server + "/workspace/#/admin/widgets")
    page.get_by_label("Accent colour", exact=True).fill("teal")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("[data-error-for='settings.color']")).to_be_visible()
    expect(page.get_by_label("Accent colour", exact=True)).to_be_focused()


def test_the_console_works_from_the_keyboard(page: Page, seeded_server):
    sign_in(page, seeded_server, "alan@example.com")
    page.get_by_role("link", name="Admin").focus()
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Departments").focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Add department").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog").get_by_label("Name")).to_be_focused()
    page.keyboard.type("Keyboard team")
    page.keyboard.press("Enter")  # submits the form
    expect(page.get_by_label("Routing of Keyboard team")).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.get_by_role("button", name="Add department").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("button", name="Add department")).to_be_focused()


async def _stream_followed(redis_url: str, agent_id: str) -> None:
    """Wait until a server follows the agent's live channel: their open page will hear ephemeral events."""
    redis = aioredis.from_url(redis_url)
    try:
        await wait_until(lambda: redis.pubsub_numsub(live_channel(agent_stream(agent_id))),
                         lambda counts: counts[0][1] > 0)
    finally:
        await redis.aclose()


def test_the_agents_page_shows_status_changes_live(page: Page, seeded_server, redis_url):
    admin = httpx.post(seeded_server + "/api/v1/auth/login",
                       json={"email": "alan@example.com", "password": PASSWORD}).json()["agent"]
    sign_in(page, seeded_server, "alan@example.com")
    page.get_by_role("link", name="Admin").click()
    grace = page.get_by_role("row", name=re.compile("Grace Hopper"))
    expect(grace).to_contain_text("Offline")
    run(_stream_followed(redis_url, admin["id"]))
    headers = api_headers(seeded_server, "grace@example.com")
    for status, shown in (("online", "Online"), ("away", "Away")):
        assert httpx.put(seeded_server + "/api/v1/agents/me/status", headers=headers,
                         json={"status": status}).status_code == 200
        expect(grace).to_contain_text(shown)  # no reload
    expect(page.get_by_role("row", name=re.compile("Ada Lovelace"))).to_contain_text("Offline")



def test_department_cards_follow_presence_live(page: Page, seeded_server, redis_url):
    """Grace, in no department, serves Support: her going online shows there, and Support takes chats."""
    admin = httpx.post(seeded_server + "/api/v1/auth/login",
                       json={"email": "alan@example.com", "password": PASSWORD}).json()["agent"]
    sign_in(page, seeded_server, "alan@example.com")
    page.evaluate("location.hash = '#/admin/departments'")
    support = page.get_by_role("region", name="Support")
    grace = support.get_by_role("listitem").filter(has_text="Grace Hopper")
    expect(grace).to_contain_text("Offline")
    expect(support.get_by_text("Nobody online")).to_be_visible()
    run(_stream_followed(redis_url, admin["id"]))
    grace_headers = api_headers(seeded_server, "grace@example.com")
    assert httpx.put(seeded_server + "/api/v1/agents/me/status", headers=grace_headers,
                     json={"status": "online"}).status_code == 200
    expect(grace).to_contain_text("Online")  # no reload
    expect(support.get_by_text("Taking chats")).to_be_visible()
    expect(page.get_by_role("region", name="Billing").get_by_text("Nobody online")).to_be_visible()

def _admin_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every API route declared admin-only, straight from the app's route table."""
    routes = []
    for route in app.routes:
        spec = getattr(getattr(route, "endpoint", None), "spec", None)
        if isinstance(route, Route) and spec is not None and spec.access is Access.ADMIN:
            path = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), route.path)
            routes += [(method, path) for method in sorted(route.methods - {"HEAD"})]
    return routes


def test_agents_get_403_on_every_admin_route(client, make_agent, login):
    routes = _admin_routes(client.app)
    assert {("POST", "/api/v1/agents"), ("POST", "/api/v1/departments"), ("PATCH", "/api/v1/widgets/{id}")} <= {
        (method, re.sub(r"[0-9a-f-]{36}", "{id}", path)) for method, path in routes}
    headers = bearer(login(make_agent())["token"])
    client.cookies.clear()
    for method, path in routes:
        response = client.request(method, path, headers=headers, json={})
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["error"]["code"] == "forbidden"


def test_admin_only_routes_are_exactly_those_tagged_admin(client):
    for route in client.app.routes:
        spec = getattr(getattr(route, "endpoint", None), "spec", None)
        if spec is not None:
            assert (spec.access is Access.ADMIN) == ("admin" in spec.tags), route.path


def test_agents_see_no_admin_pages(page: Page, seeded_server):
    sign_in(page, seeded_server, "grace@example.com")
    expect(page.get_by_role("link", name="Admin")).to_be_hidden()
    for section in ("", *SECTIONS):
        page.evaluate(f"location.hash = '#/admin/{section}'")
        expect(page.get_by_role("heading", name="Admins only")).to_be_visible()
        expect(page.locator(".admin")).to_have_count(0)


@contextlib.contextmanager
def admin_page(browser: Browser, base_url: str, size: dict[str, int]) -> Iterator[Page]:
    """Alan signed in on a page of a context of its own, as the screenshots want it (light, no motion)."""
    context = browser.new_context(viewport=size, color_scheme="light", reduced_motion="reduce")
    try:
        page = context.new_page()
        sign_in(page, base_url, "alan@example.com")
        yield page
    finally:
        context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_admin_screenshots(browser: Browser, seeded_server, viewport):
    with admin_page(browser, seeded_server, VIEWPORTS[viewport]) as page:
        for section, title in SECTIONS.items():
            page.evaluate(f"location.hash = '#/admin/{section}'")
            expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
            expect(page.locator(".admin-loading")).to_have_count(0)
            # The admin area only: the shell around it has screenshots of its own.
            assert_screenshot(page.locator("#main"), f"admin/{section}-{viewport}",
                              mask=[page.get_by_test_id("snippet")], mask_color="#a1a1aa")


MEMBER_VIEWPORTS = {"1440x900": {"width": 1440, "height": 900}, "390x844": {"width": 390, "height": 844}}


@pytest.mark.parametrize("viewport", MEMBER_VIEWPORTS)
def test_department_members_screenshots(browser: Browser, seeded_server, viewport):
    """Billing with Grace added in the console and Ada removed again; Support served by those in no department."""
    with admin_page(browser, seeded_server, MEMBER_VIEWPORTS[viewport]) as page:
        page.evaluate("location.hash = '#/admin/departments'")
        billing = page.get_by_role("region", name="Billing")
        for name in ("Grace Hopper", "Ada Lovelace"):
            email = f"{name.split()[0].lower()}@example.com"
            billing.get_by_label("Agent to add to Billing").select_option(label=f"{name} ({email})")
            billing.get_by_role("button", name="Add", exact=True).click()
            expect(billing.get_by_role("list", name="Agents of Billing")).to_contain_text(name)
        billing.get_by_role("button", name="Remove Ada Lovelace from Billing").click()
        expect(billing.get_by_role("listitem")).to_have_count(1)
        expect(billing.get_by_label("Agent to add to Billing")).to_be_focused()
        support = page.get_by_role("region", name="Support")
        expect(support.get_by_role("listitem")).to_have_count(2)  # Ada and Alan: in no department
        page.locator(".toast").evaluate_all("toasts => toasts.forEach((toast) => toast.remove())")
        page.mouse.move(0, 0)  # no hover on the button under the pointer after the clicks
        assert_screenshot(page.locator(".members-section"), f"admin/department-members-{viewport}")


def test_admin_shows_copies_and_rotates_the_identity_secret(page: Page, seeded_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, seeded_server, "alan@example.com")
    page.goto(seeded_server + "/workspace/#/admin/widgets")
    card = page.get_by_role("region", name="Verified visitors")
    secret = card.get_by_test_id("identity-secret")
    expect(secret).to_have_text("•" * 32)  # hidden until asked for
    widget = httpx.get(seeded_server + "/api/v1/widgets", headers=api_headers(seeded_server, "alan@example.com")
                       ).json()["widgets"][0]
    card.get_by_role("button", name="Show").click()
    expect(secret).to_have_text(widget["identity_secret"])
    expect(card.get_by_role("button", name="Hide")).to_have_attribute("aria-pressed", "true")
    card.get_by_role("button", name="Copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == widget["identity_secret"]
    card.get_by_role("button", name="Rotate").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Cancel").click()
    expect(secret).to_have_text(widget["identity_secret"])
    card.get_by_role("button", name="Rotate").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Rotate").click()
    expect(secret).not_to_have_text(widget["identity_secret"])
    rotated = httpx.get(f"{seeded_server}/api/v1/widgets/{widget['id']}",
                        headers=api_headers(seeded_server, "alan@example.com")).json()["identity_secret"]
    expect(secret).to_have_text(rotated)


@pytest.mark.parametrize("viewport", MEMBER_VIEWPORTS)
def test_identity_secret_screenshots(browser: Browser, seeded_server, viewport):
    with admin_page(browser, seeded_server, MEMBER_VIEWPORTS[viewport]) as page:
        page.evaluate("location.hash = '#/admin/widgets'")
        card = page.get_by_role("region", name="Verified visitors")
        expect(card.get_by_test_id("identity-secret")).to_have_text("•" * 32)
        assert_screenshot(card, f"admin/identity-secret-{viewport}")


def _new_key_in_the_console(page: Page, name: str, bot: str, scopes: list[str]) -> str:
    page.get_by_role("button", name="New API key").click()
    dialog = page.get_by_role("dialog", name="New API key")
    dialog.get_by_label("Name", exact=True).fill(name)
    dialog.get_by_label("Bot name").fill(bot)
    for scope in scopes:
        dialog.get_by_label(scope).check()
    dialog.get_by_role("button", name="Create key").click()
    shown = page.get_by_role("dialog", name="Your new API key")
    token = shown.get_by_test_id("new-api-key").inner_text()
    shown.get_by_role("button", name="Done").click()
    expect(shown).to_have_count(0)
    return token


def test_admin_makes_uses_and_revokes_an_api_key(page: Page, seeded_server):
    sign_in(page, seeded_server, "alan@example.com")
    page.goto(seeded_server + "/workspace/#/admin/api-keys")
    expect(page.get_by_text("No API keys yet")).to_be_visible()
    page.get_by_role("button", name="New API key").click()
    page.get_by_role("dialog", name="New API key").get_by_role("button", name="Create key").click()
    expect(page.locator("[data-error-for='scopes']")).to_be_visible()  # no scope picked: said under the scopes
    page.keyboard.press("Escape")
    token = _new_key_in_the_console(page, "Helpdesk sync", "Order bot", ["chats:read", "tickets:read"])
    assert token.startswith("cdk_")
    row = page.get_by_role("row", name=re.compile("Helpdesk sync"))
    expect(row).to_contain_text("Order bot")
    expect(row).to_contain_text("Never")
    assert httpx.get(seeded_server + "/api/v1/tickets", headers=bearer(token)).status_code == 200
    page.reload()
    expect(page.get_by_role("row", name=re.compile("Helpdesk sync"))).not_to_contain_text("Never")  # last used
    page.get_by_role("row", name=re.compile("Helpdesk sync")).get_by_role("button", name="Revoke").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("row", name=re.compile("Helpdesk sync"))).to_contain_text("Revoked")
    assert httpx.get(seeded_server + "/api/v1/tickets", headers=bearer(token)).status_code == 401


@pytest.mark.parametrize("viewport", MEMBER_VIEWPORTS)
def test_api_keys_screenshots(browser: Browser, seeded_server, viewport):
    with admin_page(browser, seeded_server, MEMBER_VIEWPORTS[viewport]) as page:
        page.evaluate("location.hash = '#/admin/api-keys'")
        _new_key_in_the_console(page, f"Helpdesk sync {viewport}", "Order bot",
                                ["chats:read", "tickets:read", "tickets:write", "messages:send"])
        expect(page.get_by_role("row", name=re.compile(f"Helpdesk sync {viewport}"))).to_be_visible()
        page.locator(".toast").evaluate_all("toasts => toasts.forEach((toast) => toast.remove())")
        assert_screenshot(page.locator("#main"), f"admin/api-keys-list-{viewport}",
                          mask=[page.locator(".hint")], mask_color="#a1a1aa")
