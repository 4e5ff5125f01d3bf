"""Schemathesis over /api/v1/openapi.json against a live `chatdesk serve`, as admin, agent and visitor.

Every phase runs (examples, coverage, fuzzing, stateful) and every check but two: no response
may be a 5xx, answer a status the document does not declare, or break its declared schema,
content type or headers; a 405 must carry a correct `Allow`; an operation must not work without
its credentials. Left out: `positive_data_acceptance` and `negative_data_rejection`, which test
how exactly the request schemas describe what the server accepts (a body of only spaces, an
unknown placeholder, a NUL are refused by rules no JSON schema states).

`GET /api/v1/events` is left out: it is a stream that never ends, so every case would time out.
The authorization matrix (tests/test_authorization.py) covers it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import orjson
import pytest

from chatdesk.bench.server import ServerProcess
from chatdesk.config import Settings
from tests.conftest import PASSWORD, bearer, create_account, migrated_database, run
from tests.realtime_helpers import new_widget

# CI size: 10 generated cases an operation in the fuzzing phase; all three roles take about 2 minutes
# on a 2-core machine (the coverage and stateful phases add their own cases).
CI_EXAMPLES = 10
SLOW_EXAMPLES = 200
EXCLUDED_CHECKS = "positive_data_acceptance,negative_data_rejection"
# Send limits high enough that the fuzzer reaches the sending code instead of the limiter.
GENEROUS_RATES = {"CHATDESK_VISITOR_MESSAGE_RATE": "100000 per second",
                  "CHATDESK_AGENT_MESSAGE_RATE": "100000 per second", "CHATDESK_UPLOAD_RATE": "100000 per second"}


@pytest.fixture(scope="module")
def fuzz_server(new_database, redis_url, tmp_path_factory):
    """A live server on a database of its own (the fuzzer creates agents, widgets, departments)."""
    database_url = migrated_database(new_database)
    directory = tmp_path_factory.mktemp("fuzz")
    settings = Settings(DATABASE_URL=database_url, REDIS_URL=redis_url, CHATDESK_DATA_DIR=str(directory / "data"),
                        CHATDESK_SECRET_KEY="fuzz-secret-" + "x" * 32)
    server = ServerProcess(settings, directory / "serve.log", **GENEROUS_RATES).start()
    yield {"base_url": server.base_url, "database_url": database_url}
    server.stop()


def _visitor_with_chat(server: dict) -> tuple[str, str, str]:
    """(widget_id, token, chat_id): a new widget (an earlier run may have changed the last one's settings,
    e.g. to require consent) and a visitor of it who started a chat, which an agent now online may take."""
    base_url = server["base_url"]
    widget_id = run(new_widget(server["database_url"]))
    on_duty = create_account(server["database_url"])
    signed_in = httpx.post(f"{base_url}/api/v1/auth/login", json={"email": on_duty["email"], "password": PASSWORD})
    httpx.put(f"{base_url}/api/v1/agents/me/status", json={"status": "online"},
              headers=bearer(signed_in.json()["token"]))
    token = httpx.post(f"{base_url}/api/v1/widgets/{widget_id}/visitors", json={}).json()["token"]
    chat = httpx.post(f"{base_url}/api/v1/chats", json={}, headers=bearer(token))
    assert chat.status_code == 201, chat.text
    return widget_id, token, chat.json()["chat"]["id"]


def _credentials(server: dict, role: str, visitor_token: str) -> dict[str, str]:
    """Environment for tests/fuzz_hooks.py: a fresh account of this role, or the visitor's token."""
    if role == "visitor":
        return {"FUZZ_VISITOR_TOKEN": visitor_token}
    account = create_account(server["database_url"], role)
    return {"FUZZ_DATABASE_URL": server["database_url"], "FUZZ_AGENT_ID": account["id"]}


def fuzz(server: dict, role: str, report_dir: Path, max_examples: int) -> dict:
    """Run schemathesis as `role`; its JSON report (the CLI's own output rides along under `output`).

    Path parameters `chat_id` and `widget_id` name a real chat and widget, so that cases reach
    the code behind the lookup instead of stopping at 404 (other ids come from responses)."""
    widget_id, visitor_token, chat_id = _visitor_with_chat(server)
    config = report_dir / "schemathesis.toml"
    config.write_text(f'[parameters]\n"path.chat_id" = "{chat_id}"\n"path.widget_id" = "{widget_id}"\n')
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
        f"{server['base_url']}/api/v1/openapi.json",
        "--phases", "examples,coverage,fuzzing,stateful", "--max-examples", str(max_examples), "--seed", "1",
        "--checks", "all", "--exclude-checks", EXCLUDED_CHECKS, "--exclude-path", "/api/v1/events",
        "--workers", "2", "--request-timeout", "10", "--no-color",
        "--report", "json", "--report-dir", str(report_dir), "--report-json-path", str(report_dir / "report.json"),
    ]
    if role != "visitor":  # failed sign-ins would throttle this address; the visitor run fuzzes it
        command += ["--exclude-path", "/api/v1/auth/login"]
    env = {**os.environ, **_credentials(server, role, visitor_token), "SCHEMATHESIS_HOOKS": "tests.fuzz_hooks",
           "PYTHONPATH": str(Path(__file__).parent.parent)}
    # Run in the report directory, where the fuzzer also keeps its cache of past crashes.
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, cwd=report_dir)
    report = orjson.loads((report_dir / "report.json").read_bytes())
    return {**report, "output": finished.stdout + finished.stderr}


def _assert_clean(report: dict, role: str) -> None:
    cases = report["test_cases"]
    server_errors = sum(f["count"] for f in report["failures"] if f["code"] == "ST101")
    print(f"\nschemathesis as {role}: {cases['generated']} cases, {server_errors} responses >= 500, "
          f"{report['running_time']:.0f} s")
    assert report["complete"] and not report["failures"] and not report["errors"], report["output"][-20000:]
    # The examples phase runs the document's few examples (or has none to run); every other phase runs.
    statuses = {name: phase["status"] for name, phase in report["phases"].items()}
    assert statuses.pop("examples") in ("skip", "success")
    assert statuses == {"coverage": "success", "fuzzing": "success", "stateful": "success"}


# The admin's run last: it changes departments (hours, members) that the others' chats need.
@pytest.mark.parametrize("role", ["visitor", "agent", "admin"])
def test_schemathesis_finds_nothing(fuzz_server, role, tmp_path):
    _assert_clean(fuzz(fuzz_server, role, tmp_path, CI_EXAMPLES), role)


@pytest.mark.slow
@pytest.mark.parametrize("role", ["admin", "agent", "visitor"])
def test_schemathesis_finds_nothing_in_a_long_run(fuzz_server, role, tmp_path):
    _assert_clean(fuzz(fuzz_server, role, tmp_path, SLOW_EXAMPLES), role)
