"""Run `chatdesk serve` as a child process: for benchmarks, load tests and the test suite."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

from chatdesk.config import Settings

# Variables a child server must not inherit from the caller: it gets exactly what it is given.
_OWN_VARIABLES = {"DATABASE_URL", "REDIS_URL", "SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_BUCKET"}
# A benchmark, a load test or a test suite makes all its visitors from one address (and across
# tests, on one Redis): the servers they start lift the budgets per address and per widget.
ONE_ADDRESS_LOAD = {
    "CHATDESK_ADDRESS_VISITOR_RATE": "1000000 per minute",
    "CHATDESK_WIDGET_VISITOR_RATE": "1000000 per minute",
    "CHATDESK_ADDRESS_CHAT_RATE": "1000000 per minute",
    "CHATDESK_WIDGET_CHAT_RATE": "1000000 per minute",
    "CHATDESK_ADDRESS_UPLOAD_BYTE_RATE": "1000000000000 per minute",
    "CHATDESK_WIDGET_UPLOAD_BYTE_RATE": "1000000000000 per minute",
    "CHATDESK_ADDRESS_QUEUED_CHATS": "1000000",
    "CHATDESK_OFFLINE_MESSAGE_RATE": "1000000 per minute",
    "CHATDESK_PASSWORD_RESET_RATE": "1000000 per minute",
}


def process_tree(pid: int) -> list[psutil.Process]:
    """A server process and its children (uvicorn's workers), for what they use together."""
    parent = psutil.Process(pid)
    return [parent, *parent.children(recursive=True)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**values: str) -> dict[str, str]:
    """The environment without chatdesk's variables, plus `values`."""
    env = {k: v for k, v in os.environ.items() if k not in _OWN_VARIABLES and not k.startswith("CHATDESK_")}
    return {**env, **values}


def wait_ready(base_url: str, process: subprocess.Popen, timeout_s: float = 60) -> float:
    """Poll /readyz until 200; returns the seconds it took. Fails if the process dies first."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before it was ready")
        try:
            with urllib.request.urlopen(base_url + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)  # polling interval while a separate process comes up
    raise RuntimeError(f"{base_url} was not ready within {timeout_s} s")


def chatdesk_process(args: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """Start `python -m chatdesk ARGS` with its output in a log file."""
    return subprocess.Popen(
        [sys.executable, "-m", "chatdesk", *args], env=env, stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )


class ServerProcess:
    """A `chatdesk serve` process on a fixed port, which can be killed and started again; `env`
    is added to its environment (and may set the budgets ONE_ADDRESS_LOAD lifts)."""

    def __init__(self, settings: Settings, log_path: Path, workers: int = 1, **env: str) -> None:
        self.workers = workers
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.env = clean_env(
            DATABASE_URL=settings.required("database_url"), REDIS_URL=settings.required("redis_url"),
            CHATDESK_SECRET_KEY=settings.secret(), CHATDESK_DATA_DIR=str(settings.data_dir),
            **{**ONE_ADDRESS_LOAD, **env},
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> ServerProcess:
        self.process = chatdesk_process(["serve", "--port", str(self.port), "--workers", str(self.workers)],
                                        self.env, self.log_path)
        wait_ready(self.base_url, self.process)
        return self

    @property
    def pid(self) -> int:
        """The process id of the running server."""
        assert self.process is not None, "the server is not started"
        return self.process.pid

    def kill(self) -> None:
        assert self.process is not None, "the server is not started"
        self.process.kill()
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
