"""The wheel: built, installed into a fresh venv, run from outside the checkout."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from chatdesk.bench.server import clean_env

pytestmark = pytest.mark.server  # builds the wheel and runs it in a venv of its own

REPO = Path(__file__).resolve().parents[1]


def test_wheel_installs_and_runs_outside_the_checkout(tmp_path, database_url, redis_url):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("chatdesk-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "chatdesk/migrations/env.py" in names
    assert any(name.startswith("chatdesk/migrations/versions/0001") for name in names)
    assert "chatdesk/static/workspace/index.html" in names
    assert "chatdesk/static/shared/stream.js" in names  # the modules both apps import

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin/pip"), "install", "--quiet", str(wheel)], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = clean_env(DATABASE_URL=database_url, REDIS_URL=redis_url, CHATDESK_DATA_DIR=str(tmp_path / "data"))
    env.pop("PYTHONPATH", None)

    def chatdesk(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(venv / "bin/chatdesk"), *args], cwd=elsewhere, env=env,
                              capture_output=True, text=True, timeout=120)

    help_run = chatdesk("--help")
    assert help_run.returncode == 0 and "migrate" in help_run.stdout
    status = chatdesk("migrate", "status", "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["at_head"] is True
    where = subprocess.run([str(venv / "bin/python"), "-c", "import chatdesk; print(chatdesk.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True)
    assert str(venv) in where.stdout, "the installed package, not the checkout, was imported"
