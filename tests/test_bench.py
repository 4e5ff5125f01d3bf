"""`chatdesk bench realtime` runs end to end and prints its figures (small sizes)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import invoke_cli, migrated_database

pytestmark = pytest.mark.server  # each bench starts its own `chatdesk serve`


@pytest.fixture(autouse=True)
def _session_servers(monkeypatch, settings):
    """The benches start their server on this session's PostgreSQL and Redis."""
    monkeypatch.setenv("DATABASE_URL", settings.database_url.get_secret_value())
    monkeypatch.setenv("REDIS_URL", settings.redis_url.get_secret_value())


def test_bench_realtime_runs_and_reports(tmp_path):
    result = invoke_cli(["bench", "realtime", "--rate", "50", "--chats", "20", "--duration", "2",
                         "--data-dir", str(tmp_path), "--json", "--generator-cpu", "0"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["sent"] == 100 and report["delivered"] == 100 and report["errors"] == 0
    assert 0 < report["delivery_ms"]["p50"] <= report["delivery_ms"]["p99"]
    assert report["redis_floor_ms"]["n"] == 1000 and report["postgres_floor_ms"]["n"] == 500
    assert report["generator"]["cpu"] == 0 and report["generator"]["cpu_percent"] > 0
    assert report["server_cpu_ms_per_message"] > 0 and 0 < report["machine_busy_percent"] <= 100
    assert report["postgres_cpu_ms_per_message"] > 0  # the embedded PostgreSQL, on this machine


def test_bench_realtime_with_two_workers_counts_their_cpu(tmp_path):
    result = invoke_cli(["bench", "realtime", "--rate", "50", "--chats", "20", "--duration", "2", "--workers", "2",
                         "--data-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    # The work is in the workers: uvicorn's supervisor alone would show next to nothing.
    assert report["delivered"] == 100 and report["server_cpu_ms_per_message"] >= 0.5


def test_bench_routing_runs_and_reports(tmp_path):
    result = invoke_cli(["bench", "routing", "--rate", "4", "--agents", "2", "--capacity", "3",
                                      "--duration", "2", "--hold", "0.5", "--data-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["chats"] == 8 and report["assigned"] == 8 and report["refused"] == 0
    assert 0 < report["offer_ms"]["p50"] <= report["assigned_ms"]["p50"]
    assert report["accept_ms"]["n"] == 8


def test_bench_connections_runs_and_reports(tmp_path):
    result = invoke_cli(["bench", "connections", "--n", "100", "--heartbeat", "0.5",
                                      "--data-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["opened"] == 100 and report["heartbeats_on_time"] == 100
    assert report["rss_per_stream_kb"] is not None and report["heartbeat_gap_s"]["max"] < 2


def test_bench_history_runs_and_reports(tmp_path):
    result = invoke_cli(["bench", "history", "--messages", "300", "--samples", "20",
                                      "--data-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ms"]["n"] == 20 and 0 < report["ms"]["p50"] <= report["ms"]["p99"]


def test_bench_connections_sums_the_memory_of_a_two_worker_server(tmp_path):
    result = invoke_cli(["bench", "connections", "--n", "100", "--heartbeat", "0.5", "--workers", "2",
                         "--data-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["server_processes"] >= 3  # uvicorn's supervisor and its two workers
    assert report["opened"] == 100 and report["heartbeats_on_time"] == 100


def test_bench_connections_asks_for_workers_beyond_one_process_s_open_files():
    result = invoke_cli(["bench", "connections", "--n", "20000"])
    assert result.exit_code != 0 and "--workers 2" in result.output


def test_bench_mail_runs_and_reports(tmp_path):
    result = invoke_cli(["bench", "mail", "--mails", "30", "--runs", "2", "--data-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["mails"] == 30 and len(report["runs"]) == 2
    assert report["missing"] == 0 and report["duplicates"] == 0
    assert report["median_mails_per_s"] > 0 and all(run["drain_s"] > 0 for run in report["runs"])


def test_bench_search_seeds_once_and_reports(tmp_path):
    args = ["bench", "search", "--chats", "200", "--messages", "2000", "--samples", "10", "--data-dir", str(tmp_path),
            "--json"]
    first = invoke_cli(args)
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["seeded"] is True and report["chats"] == 200 and report["messages"] == 2000
    for measure in ("one_word_ms", "two_words_ms"):
        assert report[measure]["n"] == 10 and 0 < report[measure]["p50"] <= report[measure]["p99"]
    assert report["one_word_found"] > 0  # the words searched are in the chats
    again = invoke_cli(args)
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["seeded"] is False  # the same database: found, not written again


def test_bench_reports_seeds_once_and_reports(tmp_path, monkeypatch, new_database):
    monkeypatch.setenv("DATABASE_URL", migrated_database(new_database))  # its seed stays out of other tests
    args = ["bench", "reports", "--chats", "300", "--days", "40", "--samples", "2", "--data-dir", str(tmp_path),
            "--json"]
    first = invoke_cli(args)
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["seeded"] and report["chats"] == 300 and report["messages"] == 270 * 11 + 30
    # An even spread over 40 days: three quarters of the chats in the last 30, the rest before.
    assert 210 <= report["chats_in_range"] <= 240  # the spread ends at the seed's "now": a few either side
    assert report["chats_in_range"] + report["chats_in_previous_range"] == 300
    assert set(report["ms"]) >= {"report", "summary.csv", "hours.csv", "comments.csv"}
    assert all(figures["n"] == 2 and figures["p50"] > 0 for figures in report["ms"].values())
    again = json.loads(invoke_cli(args).stdout)
    assert not again["seeded"] and again["chats_in_range"] == report["chats_in_range"]
