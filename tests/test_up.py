"""`chatdesk up`: embedded default, restart with the same data, crash, external."""

from __future__ import annotations

import re
import signal
from pathlib import Path

import httpx
import psutil
import pytest

from chatdesk.bench.server import chatdesk_process, clean_env, free_port, wait_ready

pytestmark = pytest.mark.server  # each test runs `chatdesk up` and its embedded servers

READY_WITHIN_S = 60


def _password(log: Path) -> str | None:
    match = re.search(r"Password:\s+(\S+)", log.read_text())
    return match.group(1) if match else None


def _embedded_pids(data_dir: Path) -> dict[str, int]:
    """The running embedded servers' pids, from their pid files."""
    pids = {}
    postmaster = data_dir / "pg" / "postmaster.pid"
    if postmaster.exists():
        pids["postgres"] = int(postmaster.read_text().split()[0])
    valkey = data_dir / "redis" / "valkey.pid"
    if valkey.exists():
        pids["valkey"] = int(valkey.read_text().strip())
    return pids


def _sign_in(base_url: str, password: str) -> int:
    return httpx.post(base_url + "/api/v1/auth/login",
                      json={"email": "admin@chatdesk.local", "password": password}).status_code


class Up:
    """One `chatdesk up` process on a free port."""

    def __init__(self, data_dir: Path, log: Path, **env: str) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process = chatdesk_process(
            ["up", "--port", str(self.port), "--data-dir", str(data_dir)], clean_env(**env), log
        )

    def ready(self) -> float:
        return wait_ready(self.base_url, self.process, READY_WITHIN_S)

    def stop(self, signum: int) -> int:
        self.process.send_signal(signum)
        return self.process.wait(timeout=60)


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.parametrize(("first_stop", "second_stop"), [(signal.SIGTERM, signal.SIGINT)])
def test_up_on_embedded_default_then_restart_with_the_same_data(tmp_path, first_stop, second_stop):
    data_dir = tmp_path / "data"
    first = Up(data_dir, tmp_path / "first.log")
    first.ready()
    password = _password(first.log)
    assert password, first.log.read_text()
    assert _sign_in(first.base_url, password) == 200
    pids = _embedded_pids(data_dir)
    assert set(pids) == {"postgres", "valkey"}
    assert first.stop(first_stop) == 0
    assert all(_gone(pid) for pid in pids.values()), pids
    assert _embedded_pids(data_dir) == {}

    second = Up(data_dir, tmp_path / "second.log")
    second.ready()
    assert _password(second.log) is None  # not a first run any more
    assert _sign_in(second.base_url, password) == 200
    pids = _embedded_pids(data_dir)
    assert second.stop(second_stop) == 0
    assert all(_gone(pid) for pid in pids.values())


def test_a_crash_does_not_block_the_next_start(tmp_path):
    data_dir = tmp_path / "data"
    crashed = Up(data_dir, tmp_path / "crashed.log")
    crashed.ready()
    password = _password(crashed.log)
    crashed.stop(signal.SIGKILL)  # leaves servers and pid files behind

    again = Up(data_dir, tmp_path / "again.log")
    again.ready()
    assert _sign_in(again.base_url, password) == 200
    pids = _embedded_pids(data_dir)
    assert again.stop(signal.SIGTERM) == 0
    assert all(_gone(pid) for pid in pids.values()), "the adopted servers are stopped too"


def test_up_with_external_postgres_and_redis(tmp_path, new_database, redis_url):
    data_dir = tmp_path / "data"
    up = Up(data_dir, tmp_path / "up.log", DATABASE_URL=new_database(), REDIS_URL=redis_url)
    up.ready()
    password = _password(up.log)
    assert password and _sign_in(up.base_url, password) == 200
    assert not (data_dir / "pg").exists() and not (data_dir / "redis").exists()
    assert up.stop(signal.SIGTERM) == 0


def test_embedded_servers_take_no_standard_port(tmp_path):
    """PostgreSQL listens on a unix socket only, Valkey on a free loopback port: no collisions."""
    data_dir = tmp_path / "data"
    up = Up(data_dir, tmp_path / "up.log")
    up.ready()
    try:
        pids = _embedded_pids(data_dir)
        postgres_tcp = [c for c in psutil.Process(pids["postgres"]).net_connections("tcp")
                        if c.status == psutil.CONN_LISTEN]
        valkey_ports = {c.laddr.port for c in psutil.Process(pids["valkey"]).net_connections("tcp")
                        if c.status == psutil.CONN_LISTEN}
        assert postgres_tcp == []
        assert len(valkey_ports) == 1 and valkey_ports.isdisjoint({5432, 6379})
    finally:
        assert up.stop(signal.SIGTERM) == 0


def test_up_with_two_workers_shares_one_data_dir_and_key(tmp_path):
    data_dir = tmp_path / "data"
    port = free_port()
    log = tmp_path / "workers.log"
    process = chatdesk_process(["up", "--port", str(port), "--data-dir", str(data_dir), "--workers", "2"],
                               clean_env(), log)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base_url, process, READY_WITHIN_S)
        password = _password(log)
        assert {_sign_in(base_url, password) for _ in range(6)} == {200}  # requests land on both workers
        widget = re.search(r'data-widget-id="([0-9a-f-]+)"', log.read_text()).group(1)
        token = httpx.post(f"{base_url}/api/v1/widgets/{widget}/visitors", json={}).json()["token"]
        # A visitor token signed by one worker is good on the other: they share one key.
        statuses = {httpx.get(base_url + "/api/v1/chats", headers={"Authorization": f"Bearer {token}"}).status_code
                    for _ in range(10)}
        assert statuses == {200}
        assert (data_dir / "secret_key").exists()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
