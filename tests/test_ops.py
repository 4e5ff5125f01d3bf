"""Operational endpoints: what /readyz tells anyone who asks, and what it leaves to the log."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from chatdesk.bench.server import free_port
from chatdesk.web.app import create_app

CLOSED_PORT = free_port()  # nothing listens there


@pytest.mark.parametrize(("part", "setting", "url"), [
    ("redis", "REDIS_URL", f"redis://127.0.0.1:{CLOSED_PORT}/0"),
    ("database", "DATABASE_URL", f"postgresql://postgres@127.0.0.1:{CLOSED_PORT}/chatdesk"),
])
def test_readyz_names_the_failing_part_and_logs_why(settings, caplog, part, setting, url):
    broken = settings.model_copy(update={setting.lower(): SecretStr(url)})
    with TestClient(create_app(broken), raise_server_exceptions=False) as client, \
            caplog.at_level(logging.WARNING, logger="chatdesk.ready"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"][part] == "failed"
    assert response.json()["error"]["message"] == f"Not ready: {part} unreachable."
    assert str(CLOSED_PORT) not in response.text and "127.0.0.1" not in response.text
    assert any(str(CLOSED_PORT) in record.getMessage() for record in caplog.records)
