"""Business hours in the widget: outside them a visitor, in a time zone of their own, reads when the desk opens
again in their own clock, and no chat can start though an agent is online."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import migrated_database
from tests.widget_helpers import agents_fixture, create_widget, host_site_fixture, open_widget
from tests.workspace_helpers import sign_in

host_site = pytest.fixture(host_site_fixture, name="host_site")
agents = pytest.fixture(agents_fixture, name="agents")
VISITOR_ZONE = ZoneInfo("America/New_York")


@pytest.fixture(scope="module")
def database_url(new_database) -> str:
    """A database of this module's own: its default department is the only one, so closing it closes the desk."""
    return migrated_database(new_database)


def expected_line(opening: datetime) -> str:
    """What the widget says, in en-US and the visitor's zone."""
    local = opening.astimezone(VISITOR_ZONE)
    days = (local.date() - datetime.now(VISITOR_ZONE).date()).days
    day = "today" if days == 0 else "tomorrow" if days == 1 else f"{local:%A}"
    return f"We're closed. We open again {day} at {local.hour % 12 or 12}:{local:%M} {local:%p}."


def test_outside_business_hours_the_widget_says_when_it_opens_in_the_visitors_zone(
        browser: Browser, live_server, make_agent, host_site, agents):
    admin_account = make_agent(role="admin")
    agents(live_server, "Sam Support")  # online, serving the default department
    widget = create_widget(live_server, admin_account, [host_site.origin])  # first: origins are read every 15 s
    # The admin opens Support one hour a week, two days from now, in Berlin: closed now.
    berlin = ZoneInfo("Europe/Berlin")
    opens = datetime.combine((datetime.now(berlin) + timedelta(days=2)).date(), time(9), tzinfo=berlin)
    console = browser.new_page(viewport={"width": 360, "height": 740})
    sign_in(console, live_server, admin_account)
    console.evaluate("location.hash = '#/admin/departments'")
    console.get_by_role("button", name="Business hours of Support: Always open").click()
    editor = console.get_by_role("dialog", name="Business hours of Support")
    editor.get_by_label("Time zone").fill("Europe/Berlin")
    day = f"{opens:%A}"
    editor.get_by_role("button", name=f"Add {day} hours").click()
    editor.get_by_label(f"{day} from").fill("09:00")
    editor.get_by_label(f"{day} until").fill("10:00")
    editor.get_by_role("button", name="Save hours").click()
    expect(console.get_by_role("button", name="Business hours of Support: Closed now (Europe/Berlin)")).to_be_visible()
    console.close()

    context = browser.new_context(timezone_id="America/New_York", locale="en-US")
    page = context.new_page()
    chat_frame = open_widget(page, host_site.page("/", live_server, widget["id"]))
    expect(chat_frame.get_by_text(expected_line(opens.astimezone(UTC)))).to_be_visible()
    expect(chat_frame.get_by_role("button", name="Send message")).to_be_visible()  # the offline form

    # Sam is online, yet nothing is offered: the settings say closed and a chat cannot start.
    settings = httpx.get(f"{live_server}/api/v1/widgets/{widget['id']}/settings").json()
    assert settings["departments"][0]["available"] is False
    assert settings["opens_at"] == opens.astimezone(UTC).isoformat().replace("+00:00", "Z")
    visitor = httpx.post(f"{live_server}/api/v1/widgets/{widget['id']}/visitors", json={"name": "Ada"}).json()
    started = httpx.post(f"{live_server}/api/v1/chats", json={},
                         headers={"Authorization": f"Bearer {visitor['token']}"})
    assert started.status_code == 409 and started.json()["error"]["code"] == "no_agents_online"
    context.close()
