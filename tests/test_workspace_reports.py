"""The reports page: every chart drawn with data, its tables checked against the API and the CSV
download, screenshot baselines at 1440 x 900 and 390 x 844; a number opens those chats in History;
agents see no Reports link."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, migrated_database
from tests.reports_helpers import NY, known_day
from tests.screenshots import assert_screenshot
from tests.workspace_helpers import sign_in

# The browser's today: the known day and the one before fall in its default "last 7 days".
NOW = datetime(2026, 3, 11, 12, 0, tzinfo=NY)
QUERY = {"from": "2026-03-05", "to": "2026-03-11", "tz": "America/New_York"}


@pytest.fixture(scope="module")
def database_url(new_database) -> str:
    """A database of this module's own: the report shows every department and agent in it."""
    return migrated_database(new_database)


@pytest.fixture(scope="module")
def day(database_url, redis_url, tmp_path_factory):
    """The known day (10 March 2026 in New York) and the day before."""
    with known_day(database_url, redis_url, tmp_path_factory.mktemp("reports-page")) as made:
        yield made


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "timezone_id": "America/New_York", "locale": "en-US", "accept_downloads": True}


@pytest.fixture
def page(page: Page) -> Page:
    page.clock.set_fixed_time(NOW)
    return page


def _api(base_url: str, who: dict, path: str, **params: str) -> httpx.Response:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        token = http.post("/api/v1/auth/login", json={"email": who["email"], "password": PASSWORD}).json()["token"]
        response = http.get(path, params={**QUERY, **params}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response


def _table(page: Page, report: str) -> list[list[str]]:
    rows = page.locator(f'[data-report="{report}"] table.report-table tbody tr')
    return [[cell.strip() for cell in row.locator("th, td").all_text_contents()] for row in rows.all()]


def _open_reports(page: Page, live_server: str, who: dict) -> None:
    sign_in(page, live_server, who)
    page.get_by_role("link", name="Reports").click()
    expect(page.locator('[data-report="comments"]')).to_be_visible()


def test_the_reports_page_draws_every_chart_and_its_tables_match_the_api_and_the_csv(page, live_server, day):
    page.set_viewport_size({"width": 1440, "height": 900})
    _open_reports(page, live_server, day.supervisor)
    report = _api(live_server, day.supervisor, "/api/v1/reports").json()
    assert report["summary"]["started"] == 5  # the known day's 4 and the day before's 1
    cards = page.locator('[data-report="summary"] [data-figure="started"] .figure-value')
    expect(cards).to_have_text("5")
    expect(page.locator('[data-report="summary"] [data-figure="csat"] .figure-value')).to_have_text("50 %")

    # Charts: a line per series with a point a day, a bar per department and agent, the heatmap's cells.
    assert page.locator('[data-report="daily"] svg polyline').count() == 3
    assert page.locator('[data-report="daily"] svg .series-0 circle').count() == 7
    assert page.locator('[data-report="departments"] svg rect').count() == len(report["departments"])
    assert page.locator('[data-report="agents"] svg rect').count() == len(report["agents"])
    assert page.locator('[data-report="hours"] svg rect').count() == 168
    assert page.locator('[data-report="hours"] svg rect.heat:not(.empty)').count() == 5

    daily = _table(page, "daily")
    assert [row[:4] for row in daily] == [[d["date"], str(d["started"]), str(d["answered"]), str(d["missed"])]
                                          for d in report["daily"]]
    departments = _table(page, "departments")
    assert [(row[0], row[1], row[2], row[3]) for row in departments] == [
        (d["name"], str(d["started"]), str(d["answered"]), str(d["missed"])) for d in report["departments"]]
    agents = _table(page, "agents")
    assert [(row[0], row[1]) for row in agents] == [(a["name"], str(a["answered"])) for a in report["agents"]]
    assert [row[-1] for row in agents] == [f"{round(a['utilisation'] * 1000) / 10:g} %" for a in report["agents"]]
    hours = _table(page, "hours")
    assert [[int(n) for n in row[1:]] for row in hours] == report["busiest_hours"]
    expect(page.locator('[data-report="comments"] li')).to_have_count(2)

    # The CSV download is the API's CSV, and its rows are the table's.
    with page.expect_download() as download:
        page.locator('[data-report="departments"] a[data-table="departments"]').click()
    downloaded = download.value.path().read_bytes().decode()
    assert downloaded == _api(live_server, day.supervisor, "/api/v1/reports/departments.csv").text
    assert [(row["name"], row["started"]) for row in csv.DictReader(io.StringIO(downloaded))] == [
        (row[0], row[1]) for row in departments]

    page.locator("#main").evaluate("main => main.scrollTo(0, 0)")
    assert_screenshot(page, "reports-1440")
    assert_screenshot(page.locator('[data-report="agents"]'), "reports-agents-1440")
    page.locator('[data-report="hours"] summary').click()
    assert_screenshot(page.locator('[data-report="hours"]'), "reports-hours-1440")


def _listed(page: Page, count: int) -> set[str]:
    """The chats History lists, once it lists `count` of them."""
    results = page.get_by_role("list", name="Chats found").get_by_role("link")
    expect(results).to_have_count(count)
    return {link.get_attribute("data-chat-id") for link in results.all()}


def _searched(live_server: str, day, **filters: str) -> set[str]:
    page = _api(live_server, day.supervisor, "/api/v1/chats/search", limit="100", **filters).json()
    assert page["next_cursor"] is None
    return {chat["id"] for chat in page["chats"]}


def test_a_number_opens_those_chats_in_history(page, live_server, day):
    page.set_viewport_size({"width": 1440, "height": 900})
    _open_reports(page, live_server, day.supervisor)
    report = _api(live_server, day.supervisor, "/api/v1/reports").json()
    c = day.chats

    # Counts of chats are links; medians, shares and transfers (not a count of chats) are not.
    linked = page.locator('[data-report="summary"] .figure-value:has(a.chats-link)')
    expect(linked).to_have_count(3)
    assert [card.get_attribute("data-figure") for card in page.locator(".figure-card:has(.figure-value a)").all()] == [
        "started", "answered", "missed"]
    expect(page.locator('[data-figure="csat"] .figure-detail a')).to_have_text(["1", "1"])

    # "Missed: 2" (the known day's and the day before's): exactly those two, as the API finds them.
    assert report["summary"]["missed"] == 2
    missed = page.locator('[data-figure="missed"]').get_by_role("link", name="Open the 2 missed chats in History")
    missed.click()
    expect(page).to_have_url(re.compile(r"#/history\?.*answered=false"))
    assert _listed(page, 2) == _searched(live_server, day, answered="false", status="ended") == {c["c3"], c["c5"]}
    expect(page.get_by_label("Status")).to_have_value("ended")
    expect(page.get_by_label("Answered")).to_have_value("false")
    expect(page.get_by_label("From")).to_have_value("2026-03-05")

    # An agent's "answered", from the keyboard: the chats Ann answered first, the one she passed to Bob too.
    page.go_back()
    ann = next(row for row in report["agents"] if row["name"] == "Ann")
    agents = page.locator('[data-report="agents"]')
    link = agents.get_by_role("link", name="Open the 2 chats Ann answered first in History")
    expect(link).to_have_text(str(ann["answered"]))
    link.focus()
    page.keyboard.press("Enter")
    assert _listed(page, 2) == _searched(live_server, day, answered_by=day.ann["id"]) == {c["c1"], c["c2"]}
    expect(page.get_by_label("Answered")).to_have_value(day.ann["id"])
    page.reload()  # the filters live in the address
    assert _listed(page, 2) == {c["c1"], c["c2"]}
    expect(page.get_by_label("Answered")).to_have_value(day.ann["id"])

    # A department's started chats, and a comment opens its own chat.
    page.go_back()
    sales = next(row for row in report["departments"] if row["id"] == day.sales)
    page.get_by_role("link", name=f"Open the 3 chats started in {sales['name']} in History").click()
    assert _listed(page, 3) == _searched(live_server, day, department_id=day.sales) == {c["c1"], c["c2"], c["c5"]}
    # A day is New York's, as in the report: c2 began at 23:50 there, 03:50 on the 11th in UTC.
    page.go_back()
    page.get_by_role("link", name="Open the 3 answered chats on 2026-03-10 in History").click()
    assert _listed(page, 3) == {c["c1"], c["c2"], c["c4"]}
    page.go_back()
    page.get_by_role("link", name="Open the chat rated good: “Great help” in History").click()
    expect(page).to_have_url(re.compile(f"#/history/{c['c1']}\\?"))
    expect(page.get_by_role("region", name="Chat with Vi")).to_contain_text("Great help")
    expect(page.locator(f'.history-result[data-chat-id="{c["c1"]}"]')).to_have_attribute("aria-current", "true")

    # A report in another zone than the browser's: History counts that zone's days, and says so.
    page.go_back()
    page.get_by_label("Time zone").fill("UTC")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".report-body")).to_contain_text("2026-03-05 to 2026-03-11 (UTC)")  # not New York's any more
    page.get_by_role("link", name="Open the 4 chats started on 2026-03-10 in History").click()
    utc_day = {"from": "2026-03-10", "to": "2026-03-10", "tz": "UTC"}
    assert _listed(page, 4) == _searched(live_server, day, **utc_day) == {c["c5"], c["c1"], c["c3"], c["c4"]}
    expect(page.get_by_text("Days in the UTC time zone.")).to_be_visible()


def test_the_reports_page_on_a_phone(page, live_server, day):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, day.admin)
    page.goto(live_server + "/workspace/#/reports")
    expect(page.locator('[data-report="comments"]')).to_be_visible()
    assert_screenshot(page, "reports-390")
    assert_screenshot(page.locator('[data-report="daily"]'), "reports-daily-390")


def test_agents_see_no_reports(page, live_server, day):
    sign_in(page, live_server, day.ann)
    expect(page.get_by_role("link", name="Reports")).to_be_hidden()
    page.goto(live_server + "/workspace/#/reports")
    expect(page.get_by_role("heading", name="Supervisors and admins only")).to_be_visible()
