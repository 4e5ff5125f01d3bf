"""Reports: a known day of chats in New York (crossing midnight), every figure asserted exactly
through the API, the CSV export and the CLI; bad ranges refused in plain words."""

from __future__ import annotations

import csv
import io

import orjson
import pytest

from tests.conftest import bearer, invoke_cli, migrated_database, run
from tests.reports_helpers import fetch, known_day, ny, sql

DAY = {"from": "2026-03-10", "to": "2026-03-10", "tz": "America/New_York"}


@pytest.fixture(scope="module")
def database_url(new_database) -> str:
    """A database of this module's own, so that the day's figures are only this module's chats."""
    return migrated_database(new_database)


@pytest.fixture(scope="module")
def day(database_url, redis_url, tmp_path_factory):
    """The known day (10 March 2026 in New York) and the day before."""
    with known_day(database_url, redis_url, tmp_path_factory.mktemp("reports")) as made:
        yield made


def _figures(started, answered, missed, wait, first_response, handle, per_chat, transfers, rated, good):
    return {"started": started, "answered": answered, "missed": missed,
            "wait_p50_s": wait[0], "wait_p90_s": wait[1],
            "first_response_p50_s": first_response[0], "first_response_p90_s": first_response[1],
            "handle_p50_s": handle[0], "handle_p90_s": handle[1], "messages_per_chat": per_chat,
            "transfers": transfers, "rated": rated, "rated_good": good,
            "csat": round(good / rated, 4) if rated else None}


NONE = (None, None)
# Waits 30, 60 (Ann) and 120 s (Bob); first replies 60, 20, 60 s; handled 600, 840, 1080 s;
# messages (neither system lines nor notes) 2 + 3 + 1 + 3 over 4 chats. p90 interpolates.
SUMMARY = {**_figures(4, 3, 1, (60.0, 108.0), (60.0, 60.0), (840.0, 1032.0), 2.25, 1, 2, 1), "offline_messages": 1}
SALES = {**_figures(2, 2, 0, (45.0, 57.0), (40.0, 56.0), (720.0, 816.0), 2.5, 1, 2, 1), "offline_messages": 1}
SUPPORT = {**_figures(2, 1, 1, (120.0, 120.0), (60.0, 60.0), (1080.0, 1080.0), 2.0, 0, 0, 0), "offline_messages": 0}
ANN = {**_figures(2, 2, 0, (45.0, 57.0), (40.0, 56.0), (720.0, 816.0), 2.5, 1, 2, 1),
       # online 08:00-18:00 and 23:00-24:00 with 2 slots; in chats 600 + 240 s
       "online_s": 39600.0, "chat_s": 840.0, "capacity_s": 79200.0, "utilisation": 0.0106}
BOB = {**_figures(1, 1, 0, (120.0, 120.0), (60.0, 60.0), (1080.0, 1080.0), 3.0, 0, 0, 0),
       # online 00:00-01:00 and 23:00-24:00 with 3 slots; in chats 1080 + 300 s (until midnight)
       "online_s": 7200.0, "chat_s": 1380.0, "capacity_s": 21600.0, "utilisation": 0.0639}
PREVIOUS = {**_figures(1, 0, 1, NONE, NONE, NONE, 0.0, 0, 0, 0), "offline_messages": 1}


def _report(day, **params) -> dict:
    response = day.client.get("/api/v1/reports", params={**DAY, **params}, headers=day.headers(day.supervisor))
    assert response.status_code == 200, response.text
    return response.json()


def _without_ids(rows: list[dict]) -> dict[str, dict]:
    return {row["name"]: {k: v for k, v in row.items() if k not in ("id", "name")} for row in rows}


def test_every_figure_of_the_day_through_the_api(day):
    report = _report(day)
    assert report["period"] == {"from": "2026-03-10", "to": "2026-03-10", "tz": "America/New_York", "days": 1}
    assert report["previous_period"] == {"from": "2026-03-09", "to": "2026-03-09", "tz": "America/New_York",
                                         "days": 1}
    assert report["summary"] == SUMMARY
    sales_name = next(row["name"] for row in report["departments"] if row["id"] == day.sales)
    support_name = next(row["name"] for row in report["departments"] if row["id"] == day.support)
    assert _without_ids(report["departments"]) == {sales_name: SALES, support_name: SUPPORT}
    assert _without_ids(report["agents"]) == {"Ann": ANN, "Bob": BOB}
    assert report["daily"] == [{"date": "2026-03-10", "started": 4, "answered": 3, "missed": 1, "wait_p50_s": 60.0}]
    tuesday = [0] * 24
    for hour in (0, 9, 12, 23):
        tuesday[hour] = 1
    assert report["busiest_hours"] == [[0] * 24, tuesday, *[[0] * 24] * 5]
    assert [(c["chat_id"], c["rating"], c["comment"]) for c in report["comments"]] == [
        (day.chats["c2"], "bad", "Too slow"), (day.chats["c1"], "good", "Great help")]
    assert report["previous"] == PREVIOUS


def test_a_department_and_an_agent_alone(day):
    sales = _report(day, department_id=day.sales)
    assert sales["summary"] == SALES
    assert [row["id"] for row in sales["departments"]] == [day.sales]
    assert _without_ids(sales["agents"]) == {"Ann": ANN}
    bob = _report(day, agent_id=day.bob["id"])
    assert bob["summary"] == {**{k: BOB[k] for k in SUMMARY if k in BOB}, "offline_messages": None}
    assert _without_ids(bob["agents"]) == {"Bob": BOB}


def _found(day, **params) -> set[str]:
    response = day.client.get("/api/v1/chats/search", params={**params, "limit": 100},
                              headers=day.headers(day.supervisor))
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return {chat["id"] for chat in response.json()["chats"]}


def test_history_finds_exactly_the_chats_each_figure_counts(day):
    """The Reports page links a figure to History's search with these filters: the same chats."""
    c, ann, bob = day.chats, day.ann["id"], day.bob["id"]
    report = _report(day)
    summary = report["summary"]
    departments = {row["id"]: row for row in report["departments"]}
    agents = {row["name"]: row for row in report["agents"]}
    expected = [
        ({}, summary["started"], {"c1", "c2", "c3", "c4"}),
        ({"answered": "true"}, summary["answered"], {"c1", "c2", "c4"}),
        ({"answered": "false", "status": "ended"}, summary["missed"], {"c3"}),
        ({"rating": "good"}, summary["rated_good"], {"c1"}),
        ({"rating": "bad"}, summary["rated"] - summary["rated_good"], {"c2"}),
        ({"department_id": day.sales, "answered": "true"}, departments[day.sales]["answered"], {"c1", "c2"}),
        ({"department_id": day.support, "answered": "false", "status": "ended"}, departments[day.support]["missed"],
         {"c3"}),
        ({"answered_by": ann}, agents["Ann"]["answered"], {"c1", "c2"}),  # c2 went on to Bob: still Ann's
        ({"answered_by": bob}, agents["Bob"]["answered"], {"c4"}),
    ]
    for filters, figure, chats in expected:
        found = _found(day, **DAY, **filters)
        assert found == {c[name] for name in chats}, filters
        assert len(found) == figure, filters
    # The days are New York's with `tz`; without it, UTC's (c5 at 02:30 UTC on the 10th, c2 at 03:50 on the 11th).
    assert _found(day, **{"from": "2026-03-10", "to": "2026-03-10"}) == {c["c5"], c["c1"], c["c3"], c["c4"]}
    assert _found(day, **{**DAY, "to": "2026-03-10T23:00:00"}) == {c["c1"], c["c3"], c["c4"]}  # a time: in `tz` too
    assert _found(day, **DAY, agent_id=ann) == {c["c1"]}  # who has the chat now
    assert _found(day, answered="false") == {c["c3"], c["c5"]}


def _csv(day, table: str) -> list[dict]:
    response = day.client.get(f"/api/v1/reports/{table}.csv", params=DAY, headers=day.headers(day.admin))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    name = f"chatdesk-{table}-2026-03-10-2026-03-10.csv"
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    return list(csv.DictReader(io.StringIO(response.text)))


def _text(value) -> str:
    return "" if value is None else str(value)


def test_every_table_as_csv(day):
    summary = {row["figure"]: (row["value"], row["previous"]) for row in _csv(day, "summary")}
    assert summary == {name: (_text(value), _text(PREVIOUS[name])) for name, value in SUMMARY.items()}
    agents = {row.pop("name"): row for row in _csv(day, "agents")}
    assert {name: {k: v for k, v in row.items() if k != "id"} for name, row in agents.items()} == {
        "Ann": {k: _text(v) for k, v in ANN.items()}, "Bob": {k: _text(v) for k, v in BOB.items()}}
    departments = {row["id"]: row for row in _csv(day, "departments")}
    assert {k: departments[day.sales][k] for k in SALES} == {k: _text(v) for k, v in SALES.items()}
    assert {k: departments[day.support][k] for k in SUPPORT} == {k: _text(v) for k, v in SUPPORT.items()}
    assert _csv(day, "daily") == [{"date": "2026-03-10", "started": "4", "answered": "3", "missed": "1",
                                   "wait_p50_s": "60.0"}]
    hours = {(row["weekday"], row["hour"]): row["chats"] for row in _csv(day, "hours")}
    assert len(hours) == 168 and {key for key, n in hours.items() if n != "0"} == {
        ("2", "0"), ("2", "9"), ("2", "12"), ("2", "23")}
    assert [(row["chat_id"], row["rating"], row["comment"], row["agent"]) for row in _csv(day, "comments")] == [
        (day.chats["c2"], "bad", "Too slow", "Ann"), (day.chats["c1"], "good", "Great help", "Ann")]


def test_the_cli_prints_the_same_figures(day, redis_url, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", day.url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("CHATDESK_DATA_DIR", str(tmp_path))
    result = invoke_cli(["report", "--from", "2026-03-10", "--to", "2026-03-10", "--tz", "America/New_York", "--json"])
    assert result.exit_code == 0, result.output
    printed = orjson.loads(result.output)
    assert printed == _report(day)
    table = invoke_cli(["report", "--from", "2026-03-10", "--to", "2026-03-10", "--tz", "America/New_York"])
    assert table.exit_code == 0, table.output
    assert "Too slow" in table.output and "Ann" in table.output and "2026-03-09" in table.output


@pytest.mark.parametrize(("params", "message"), [
    ({"from": "2026-02-30"}, "'2026-02-30' is not a date; write it as YYYY-MM-DD."),
    ({"to": "tomorrow"}, "'tomorrow' is not a date; write it as YYYY-MM-DD."),
    ({"from": "2026-03-11"}, "The first day comes after the last day."),
    ({"from": "2025-03-09"}, "A report covers at most 366 days."),
    ({"tz": "Mars/Olympus"}, "'Mars/Olympus' is not a time zone; use an IANA name such as Europe/Paris."),
    ({"tz": "../../etc/passwd"}, "'../../etc/passwd' is not a time zone; use an IANA name such as Europe/Paris."),
    ({"from": "0001-01-01"}, "Reports cover days from 2000-01-01 to 2099-12-31."),
    ({"to": "9999-12-31"}, "Reports cover days from 2000-01-01 to 2099-12-31."),
])
def test_bad_ranges_are_refused_in_plain_words(day, params, message):
    response = day.client.get("/api/v1/reports", params={**DAY, **params}, headers=day.headers(day.supervisor))
    assert response.status_code == 422
    assert response.json()["error"]["message"] == message
    csv_response = day.client.get("/api/v1/reports/summary.csv", params={**DAY, **params},
                                  headers=day.headers(day.supervisor))
    assert csv_response.status_code == 422


def test_an_unknown_table_and_an_agent_are_refused(day):
    assert day.client.get("/api/v1/reports/nothing.csv", params=DAY, headers=day.headers(day.admin)).status_code == 404
    assert day.client.get("/api/v1/reports", params=DAY, headers=day.headers(day.ann)).status_code == 403


def _gauge(text: str, name: str, department: str) -> float:
    prefix = f'{name}{{department="{department}"}} '
    return float(next(line[len(prefix):] for line in text.splitlines() if line.startswith(prefix)))


def test_metrics_show_each_queue_its_longest_wait_and_agents_online(day):
    sales = run(fetch(day.url, "SELECT name FROM chatdesk.departments WHERE id = $1", day.sales))[0]["name"]
    token = day.client.post(f"/api/v1/widgets/{day.widget}/visitors", json={"name": "Q"}).json()["token"]
    queued = day.client.post("/api/v1/chats", json={"department_id": day.sales}, headers=bearer(token))
    assert queued.status_code == 201, queued.text
    run(sql(day.url, [("UPDATE chatdesk.chats SET created_at = now() - interval '90 seconds' WHERE id = $1",
                        queued.json()["chat"]["id"])]))
    text = day.client.get("/metrics").text
    assert _gauge(text, "chatdesk_queue_length", sales) == 1
    assert 90 <= _gauge(text, "chatdesk_queue_longest_wait_seconds", sales) < 120
    assert _gauge(text, "chatdesk_agents_online", sales) == 1  # Ann, its only member
    day.post(f"/api/v1/chats/{queued.json()['chat']['id']}/end", bearer(token))
    text = day.client.get("/metrics").text
    assert _gauge(text, "chatdesk_queue_length", sales) == 0
    assert _gauge(text, "chatdesk_queue_longest_wait_seconds", sales) == 0


def test_status_changes_and_capacity_are_logged_for_online_time(day):
    headers = day.headers(day.bob)
    assert day.client.put("/api/v1/agents/me/status", json={"status": "away"}, headers=headers).status_code == 200
    assert day.client.put("/api/v1/agents/me/status", json={"status": "away"}, headers=headers).status_code == 200
    changed = day.client.patch(f"/api/v1/agents/{day.bob['id']}", json={"max_chats": 5}, headers=day.headers(day.admin))
    assert changed.status_code == 200, changed.text
    rows = run(fetch(day.url, "SELECT status, max_chats FROM chatdesk.agent_status_log WHERE agent_id = $1 "
                              "AND at > now() - interval '1 hour' ORDER BY at, id", day.bob["id"]))
    # Once per change: the second "away" changed nothing.
    assert [(row["status"], row["max_chats"]) for row in rows] == [("away", 3), ("away", 5)]


def test_each_trigger_counts_the_visitors_it_greeted_and_the_chats_that_followed(day):
    admin = day.headers(day.admin)
    made = {}
    for name, department in (("Pricing", day.sales), ("Idle", day.support)):
        response = day.client.post("/api/v1/triggers", headers=admin, json={
            "widget_id": day.widget, "department_id": department, "name": name, "greeting": "Hi!",
            "only_when_open": False})
        assert response.status_code == 201, response.text
        made[name] = response.json()["id"]
    # Greeted on the day at 09:00 (then chatted) and 23:59, and the day before: moved there after the API's firing.
    for at, engaged in ((ny(10, 9, 0), True), (ny(10, 23, 59), False), (ny(9, 23, 0), True)):
        token = day.client.post(f"/api/v1/widgets/{day.widget}/visitors", json={}).json()["token"]
        fired = day.client.post(f"/api/v1/triggers/{made['Pricing']}/firings", headers=bearer(token),
                                json={"page_url": "https://shop.example/", "seconds_on_page": 1, "visits": 1})
        assert fired.status_code == 201, fired.text
        moved = ("UPDATE chatdesk.trigger_firings SET fired_at = $2, engaged_at = $3 "
                 "WHERE trigger_id = $1 AND visitor_id = $4")
        run(sql(day.url, [(moved, made["Pricing"], at, at if engaged else None, fired.json()["firing"]["visitor_id"])]))
    shown = {row["name"]: (row["triggered"], row["engaged"], row["engagement"]) for row in _report(day)["triggers"]}
    assert shown == {"Pricing": (2, 1, 0.5), "Idle": (0, 0, None)}
    assert [row["name"] for row in _report(day, department_id=day.sales)["triggers"]] == ["Pricing"]
    assert _report(day, agent_id=day.ann["id"])["triggers"] == []
    assert {row["name"]: (row["triggered"], row["engaged"], row["engagement"]) for row in _csv(day, "triggers")} == {
        "Pricing": ("2", "1", "0.5"), "Idle": ("0", "0", "")}
