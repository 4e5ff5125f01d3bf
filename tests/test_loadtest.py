"""`chatdesk loadtest` runs the locust scenarios and judges the customer's targets."""

from __future__ import annotations

import json

import pytest

from tests.conftest import PASSWORD, invoke_cli

TARGETS = ["chat response (visitor message -> agent reply seen)", "queue processing (chat created -> assigned seen)",
           "real-time delivery (POST -> SSE at the other party)", "upload success", "message loss",
           "errors (failed requests and timeouts)"]


def _check(result, json_path, html_path) -> dict:
    """The table, the JSON and the HTML agree, nothing was lost, and the exit code follows the verdict."""
    report = json.loads(json_path.read_text())
    assert result.exit_code == (0 if report["ok"] else 1), result.output
    for target in ["Customer targets", "chat response", "queue processing", "real-time delivery", "upload success",
                   "message loss"]:
        assert target in result.output
    assert [row["target"] for row in report["targets"]] == TARGETS
    assert report["loss"]["missing"] == {"visitor": 0, "agent": 0}
    assert report["loss"]["messages"] > report["loss"]["chats"] > 0
    assert report["uploads"]["attempted"] > 0
    assert report["figures_ms"]["real-time delivery (POST -> SSE at the other party)"]["p50"] > 0
    html = html_path.read_text()
    assert ("all targets met" if report["ok"] else "targets missed") in html and "message loss" in html
    assert sum(error["count"] for error in report["errors"]) == int(report["targets"][-1]["measured"])
    assert "Failed requests" in html
    return report


def test_short_load_test_against_a_running_server(live_server, make_agent, tmp_path):
    admin = make_agent("admin")
    json_path, html_path = tmp_path / "report.json", tmp_path / "report.html"
    result = invoke_cli([
        "loadtest", "--url", live_server, "--admin-email", admin["email"], "--admin-password", PASSWORD,
        "--users", "20", "--spawn-rate", "20", "--duration", "15s",
        "--json-report", str(json_path), "--html-report", str(html_path)])
    report = _check(result, json_path, html_path)
    # On a quiet machine every target is met at this size; on a busy shared one a latency may
    # miss, so CI holds the run to correctness and leaves the latency verdict to the table.
    assert all(row["ok"] for row in report["targets"] if row["target"] in ("message loss", "upload success"))
    assert report["plan"] == {"users": 20, "spawn_rate": 20, "duration_s": 15, "agents": 2, "agent_capacity": 11}


def test_duration_must_be_a_duration():
    result = invoke_cli(["loadtest", "--duration", "soon"])
    assert result.exit_code == 2 and "not a duration" in result.output


@pytest.mark.slow
def test_load_test_200_users_for_a_minute(monkeypatch, settings, tmp_path):
    """The acceptance run, on a server the command starts itself (on this session's PostgreSQL and Redis)."""
    monkeypatch.setenv("DATABASE_URL", settings.database_url.get_secret_value())
    monkeypatch.setenv("REDIS_URL", settings.redis_url.get_secret_value())
    json_path, html_path = tmp_path / "report.json", tmp_path / "report.html"
    result = invoke_cli(["loadtest", "--users", "200", "--duration", "60s", "--data-dir", str(tmp_path / "data"),
                      "--json-report", str(json_path), "--html-report", str(html_path)])
    print(result.output)
    report = _check(result, json_path, html_path)
    assert report["ok"], result.output  # the acceptance run: every target met
    assert report["counts"]["chats ended"] > 100
