"""A real connection pooler for the tests: Debian's PgBouncer (`make test` installs it), started in the
foreground with a configuration of the test's own in a temporary directory: loopback on a free port,
every database of the test PostgreSQL under its own name, `pool_mode` transaction or session."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from chatdesk.bench.server import free_port

PGBOUNCER = "/usr/sbin/pgbouncer"
START_TIMEOUT_S = 15.0


def _runs_as() -> list[str]:
    """PgBouncer refuses to run as root: root hands it to `nobody`."""
    return ["-u", "nobody"] if os.geteuid() == 0 else []


class PgBouncer:
    """One PgBouncer process in front of the PostgreSQL `server_url` points at."""

    def __init__(self, server_url: str, pool_mode: str) -> None:
        # Not under pytest's tmp_path: its 0700 parents would keep `nobody` out.
        self.root = Path(tempfile.mkdtemp(prefix=f"chatdesk-pgbouncer-{pool_mode}-"))
        self.server = make_url(server_url)
        self.pool_mode = pool_mode
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, database_url: str) -> str:
        """`database_url` (on the test PostgreSQL) through this pooler; in transaction mode with
        `?pgbouncer=true`, which tells chatdesk (`chatdesk/config.py:transaction_pooled`)."""
        query = {"pgbouncer": "true"} if self.pool_mode == "transaction" else {}
        through = make_url(database_url).set(host="127.0.0.1", port=self.port, query=query)
        return through.render_as_string(hide_password=False).replace("+asyncpg", "")

    def _configure(self) -> Path:
        host = self.server.query.get("host") or self.server.host or "127.0.0.1"  # a socket dir, or a host
        user = self.server.username or "postgres"
        (self.root / "users.txt").write_text(f'"{user}" ""\n')
        config = self.root / "pgbouncer.ini"
        config.write_text(f"""\
[databases]
* = host={host} port={self.server.port or 5432} user={user}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {self.root}/users.txt
pool_mode = {self.pool_mode}
max_client_conn = 2000
default_pool_size = 60
; The suite makes a database a module: without a cap across them and a short idle time, the pools of
; finished modules kept PostgreSQL's 100 connections and the next test got "too many clients".
max_user_connections = 40
server_idle_timeout = 5
logfile = {self.root}/pgbouncer.log
pidfile = {self.root}/pgbouncer.pid
""")
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            for path in (self.root, *self.root.iterdir()):
                os.chown(path, nobody.pw_uid, nobody.pw_gid)
        return config

    def start(self) -> PgBouncer:
        if not Path(PGBOUNCER).exists():
            raise RuntimeError(f"{PGBOUNCER} is missing: `make test` installs pgbouncer")
        config = self._configure()
        self.process = subprocess.Popen([PGBOUNCER, *_runs_as(), str(config)], stdout=subprocess.DEVNULL,
                                        stderr=open(self.root / "stderr.log", "wb"))  # noqa: SIM115
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"pgbouncer did not start: {self.log()}") from None
                time.sleep(0.05)  # polling interval while the process comes up

    def log(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in (self.root / "stderr.log",
                                                                        self.root / "pgbouncer.log") if path.exists())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)
