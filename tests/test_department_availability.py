"""Departments and availability end to end: an admin puts an agent in a new department in the console, and
the widget on a customer's page offers that department only while that agent is online; once they are away
the visitor gets the offline form, never a 409, and the browser console stays clean."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.screenshots import assert_screenshot
from tests.widget_helpers import agents_fixture, conversation, create_widget, host_site_fixture, open_widget
from tests.workspace_helpers import sign_in

host_site = pytest.fixture(host_site_fixture, name="host_site")
agents = pytest.fixture(agents_fixture, name="agents")


class Console:
    """Every console line of a page and its frames (the widget's cross-site frame included)."""

    def __init__(self, page: Page) -> None:
        self.lines: list[str] = []
        page.on("console", self._heard)

    def _heard(self, message: ConsoleMessage) -> None:
        self.lines.append(f"{message.type}: {message.text} @ {message.location.get('url', '')}")

    def problems(self) -> list[str]:
        """Errors and warnings, and anything naming a 409; a host page without a favicon is not ours."""
        return [line for line in self.lines if ("409" in line or line.startswith(("error", "warning")))
                and not line.endswith("/favicon.ico")]


def add_member_in_console(page: Page, base_url: str, admin: dict, department: str, agent: dict) -> None:
    sign_in(page, base_url, admin)
    page.evaluate("location.hash = '#/admin/departments'")
    page.get_by_role("button", name="Add department").click()
    page.get_by_role("dialog").get_by_label("Name").fill(department)
    page.get_by_role("dialog").get_by_role("button", name="Add department").click()
    card = page.get_by_role("region", name=department)
    expect(card.get_by_text("No agents yet")).to_be_visible()
    card.get_by_label(f"Agent to add to {department}").select_option(label=f"{agent['name']} ({agent['email']})")
    card.get_by_role("button", name="Add", exact=True).click()
    expect(card.get_by_role("list", name=f"Agents of {department}")).to_contain_text(agent["name"])
    expect(card.get_by_text("Taking chats")).to_be_visible()  # the agent is online: the widget offers it


def test_the_widget_offers_a_department_only_while_its_agent_is_online(
        page: Page, browser: Browser, live_server, make_agent, host_site, agents):
    returns = f"Returns {secrets.token_hex(3)}"
    admin = make_agent(role="admin", name="Alan Admin")
    agents(live_server, "Sam Support")  # online in no department: the default department takes chats too
    grace = agents(live_server, "Grace Returns")
    widget = create_widget(live_server, admin, [host_site.origin])
    console_page = browser.new_context().new_page()  # the admin's own browser
    add_member_in_console(console_page, live_server, admin, returns,
                          grace.run(grace.client.request("GET", "/api/v1/agents/me"))[1])
    console_page.context.close()

    console = Console(page)
    chat_frame = open_widget(page, host_site.page("/", live_server, widget["id"]))
    department = chat_frame.get_by_label("Department")
    expect(department.locator("option", has_text=returns)).to_have_count(1)
    chat_frame.get_by_label("Name").fill("Rita Return")
    chat_frame.get_by_label("Email", exact=True).fill("rita@example.com")
    department.select_option(returns)
    chat_frame.get_by_label("How can we help?").fill("The kettle arrived broken")
    chat_frame.get_by_role("button", name="Start chat").click()
    expect(conversation(chat_frame).get_by_text("The kettle arrived broken")).to_be_visible()
    offer = grace.wait_for(lambda e: e.type == "chat.offered" and e.data["chat"]["visitor"]["name"] == "Rita Return")
    chat = grace.run(grace.client.accept(offer.data["chat"]["id"]))  # Returns routes to Grace alone
    expect(chat_frame.get_by_role("heading", name="Grace Returns")).to_be_visible()

    # Grace ends the chat; a new one offers Returns again, but she steps away before the visitor sends it.
    grace.run(grace.client.end(chat["id"]))
    chat_frame.get_by_role("button", name="Start a new chat").click()
    department.select_option(returns)
    chat_frame.get_by_label("How can we help?").fill("Also, the lid is missing")
    grace.run(grace.client.set_status("away"))
    chat_frame.get_by_role("button", name="Start chat").click()
    expect(chat_frame.get_by_role("textbox", name="Message")).to_have_value("Also, the lid is missing")
    expect(chat_frame.get_by_text("We're away right now", exact=True)).to_be_visible()
    expect(chat_frame.get_by_text("We typically reply in a few minutes")).to_have_count(0)
    expect(chat_frame.get_by_label("Email", exact=True)).to_have_value("rita@example.com")  # remembered
    assert_screenshot(page.locator("chatdesk-widget iframe"), "widget/department-closed-offline", max_changed=0.01)
    chat_frame.get_by_role("button", name="Send message").click()
    expect(chat_frame.get_by_role("heading", name="Message sent")).to_be_visible()

    page.reload()  # a later page: Returns is not on offer while Grace is away
    expect(chat_frame.get_by_role("button", name="Start chat")).to_be_visible()
    expect(chat_frame.locator("option", has_text=returns)).to_have_count(0)
    grace.run(grace.client.set_status("online"))
    page.keyboard.press("Escape")  # minimised; opening it again looks at who is online now
    page.get_by_role("button", name=re.compile("^Open ")).click()
    expect(department.locator("option", has_text=returns)).to_have_count(1)

    assert console.problems() == [], console.lines
