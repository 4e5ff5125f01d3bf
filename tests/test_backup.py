"""`chatdesk backup` and `chatdesk restore` on the embedded default: a chat with its messages, a file and
a ticket, backed up while the app runs, restored into a new data dir and served there by `chatdesk up`."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from chatdesk.bench.server import clean_env
from chatdesk.cli.embedded import EmbeddedServices
from chatdesk.config import Settings
from chatdesk.db import migrate
from tests.conftest import broadcast_default_department, in_thread, invoke_cli, run
from tests.files_samples import SAMPLES
from tests.test_up import Up


@pytest.fixture
def workdir() -> Iterator[Path]:
    """Data dirs and the archive. Not under pytest's tmp_path: another test session starting on the machine
    makes its parent 0700 again, which keeps the embedded PostgreSQL's own user (as root: `pgserver`) out."""
    root = Path(tempfile.mkdtemp(prefix="chatdesk-backup-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def database_url(workdir) -> Iterator[str]:
    """The embedded PostgreSQL of this test's data dir (`settings`), migrated."""
    services = EmbeddedServices(workdir / "data")
    url = services.start(database=True, redis=False)["DATABASE_URL"]
    in_thread(migrate.upgrade, url)
    run(broadcast_default_department(url))
    yield url
    services.stop()


@pytest.fixture
def settings(database_url, redis_url, workdir) -> Settings:
    """The embedded default's settings: no CHATDESK_SECRET_KEY, so the data dir keeps the generated one."""
    return Settings(DATABASE_URL=database_url, REDIS_URL=redis_url, CHATDESK_DATA_DIR=str(workdir / "data"))


def _chatdesk(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chatdesk", *map(str, args)], env=clean_env(), capture_output=True,
                          text=True, timeout=180, check=False)


@pytest.mark.server  # embedded PostgreSQL servers, `chatdesk backup`, `restore` and `up`
def test_a_backup_restored_into_a_new_data_dir_serves_every_chat_message_ticket_and_file(
        client, active_chat, settings, redis_url, workdir):
    chat_url = f"/api/v1/chats/{active_chat['chat_id']}"
    data, content_type = SAMPLES["photo.png"]
    upload = client.post(chat_url + "/attachments", headers=active_chat["visitor"],
                         files={"file": ("receipt.png", data, content_type)})
    assert upload.status_code == 201, upload.text
    attachment = upload.json()["attachment"]
    assert client.post(chat_url + "/messages", headers=active_chat["visitor"], json={
        "client_msg_id": "m1", "body": "My receipt", "attachment_ids": [attachment["id"]]}).status_code == 201
    assert client.post(chat_url + "/messages", headers=active_chat["agent"], json={
        "client_msg_id": "m2", "body": "Thanks, a refund is on its way"}).status_code == 201
    ticket = client.post(chat_url + "/ticket", headers=active_chat["agent"]).json()
    before = client.get(chat_url + "/messages", headers=active_chat["agent"]).json()["messages"]

    archive = workdir / "chatdesk.tar"
    backed_up = _chatdesk("backup", archive, "--data-dir", settings.data_dir)  # while the app serves
    assert backed_up.returncode == 0, backed_up.stderr
    restored = workdir / "restored"
    assert _chatdesk("restore", archive, "--data-dir", restored).returncode == 0
    again = invoke_cli(["restore", str(archive), "--data-dir", str(restored)])  # refused before anything starts
    assert again.exit_code == 1 and "is not empty" in again.output

    up = Up(restored, workdir / "up.log", REDIS_URL=redis_url)
    try:
        up.ready()
        with httpx.Client(base_url=up.base_url) as http:
            # The agent's session (in the database) and the visitor's token (signed with the restored key) work.
            for who in ("agent", "visitor"):
                messages = http.get(chat_url + "/messages", headers=active_chat[who]).json()["messages"]
                assert [(m["seq"], m["body"]) for m in messages] == [(m["seq"], m["body"]) for m in before]
            found = http.get(f"/api/v1/tickets/{ticket['ticket_id']}", headers=active_chat["agent"])
            assert found.status_code == 200 and found.json()["chat_id"] == active_chat["chat_id"]
            download = http.get(attachment["url"], headers=active_chat["agent"])
            assert download.status_code == 200 and download.content == data
    finally:
        up.stop(signal.SIGTERM)


def test_backup_through_a_transaction_pooler_asks_for_a_direct_connection(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@aws-0-eu.pooler.supabase.com:6543/postgres")
    refused = invoke_cli(["backup", str(tmp_path / "b.tar"), "--data-dir", str(tmp_path / "data")])
    assert refused.exit_code == 1 and "direct connection" in refused.output
    assert not (tmp_path / "b.tar").exists()


def test_restoring_what_is_no_backup_says_so(tmp_path):
    (tmp_path / "notes.tar").write_text("not a tar")
    refused = invoke_cli(["restore", str(tmp_path / "notes.tar"), "--data-dir", str(tmp_path / "data")])
    assert refused.exit_code == 1 and "is not a backup written by `chatdesk backup`" in refused.output
