"""A rehearsal of chatdesk on two hosts: two network namespaces, each running `chatdesk serve
--workers 2`, behind Debian's nginx with the configuration the README shows (its "Scale out"
section), sharing the session's PostgreSQL and Redis (the machine's, reached from the namespaces
through a TCP forward on each host's veth address). Chats run through nginx while one host is
killed and started again; the chaos invariants hold: nothing lost, nothing twice, order by seq.

Run it: `.venv/bin/pytest -m slow tests/test_multi_host.py -s` (as root: it makes namespaces).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest
from sqlalchemy.engine import make_url

from chatdesk.bench.server import ONE_ADDRESS_LOAD, clean_env, free_port, wait_ready
from tests.chaos_helpers import ChatLoad

pytestmark = [pytest.mark.slow, pytest.mark.server, pytest.mark.timeout(1200)]

README = Path(__file__).parent.parent / "README.md"
SERVE_PORT = 8000  # each host's own port, as in the README's upstream block
# Two workers each import the whole app before they answer: a minute or more on a busy machine.
READY_WITHIN_S = 240


def readme_nginx_site() -> str:
    """The nginx site the README shows, verbatim (its one ```nginx block)."""
    blocks = re.findall(r"```nginx\n(.*?)```", README.read_text(), re.DOTALL)
    assert len(blocks) == 1, "the README shows one nginx configuration"
    return blocks[0]


def _sh(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True)


class Host:
    """A network namespace joined to this machine by a veth pair: it is at `address`, this machine
    at `gateway`. PostgreSQL and Redis reach it through socat forwards on the gateway address."""

    def __init__(self, name: str, subnet: int, directory: Path) -> None:
        self.name, self.directory = name, directory
        self.gateway, self.address = f"10.201.{subnet}.1", f"10.201.{subnet}.2"
        self.outside, self.inside = f"{name}o", f"{name}i"
        self.forwards: list[subprocess.Popen] = []
        self.server: subprocess.Popen | None = None
        self.env: dict[str, str] = {}

    def create(self) -> Host:
        _sh("ip", "netns", "add", self.name)
        _sh("ip", "link", "add", self.outside, "type", "veth", "peer", "name", self.inside)
        _sh("ip", "link", "set", self.inside, "netns", self.name)
        _sh("ip", "addr", "add", f"{self.gateway}/30", "dev", self.outside)
        _sh("ip", "link", "set", self.outside, "up")
        for command in (("addr", "add", f"{self.address}/30", "dev", self.inside), ("link", "set", self.inside, "up"),
                        ("link", "set", "lo", "up")):
            _sh("ip", "netns", "exec", self.name, "ip", *command)
        return self

    def forward(self, target_host: str, target_port: int) -> int:
        """A port on the gateway address that leads to `target_host:target_port` on this machine."""
        port = free_port()
        log = (self.directory / f"{self.name}-socat-{port}.log").open("wb")
        self.forwards.append(subprocess.Popen(
            ["socat", f"TCP-LISTEN:{port},bind={self.gateway},reuseaddr,fork", f"TCP:{target_host}:{target_port}"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL))
        return port

    def configure(self, settings, database_url: str, redis_url: str) -> None:
        database = make_url(database_url)
        database = database.set(host=self.gateway, port=self.forward(database.host, database.port or 5432))
        redis = urlsplit(redis_url)
        redis = redis._replace(netloc=f"{self.gateway}:{self.forward(redis.hostname, redis.port or 6379)}")
        self.env = clean_env(
            DATABASE_URL=database.render_as_string(hide_password=False), REDIS_URL=redis.geturl(),
            CHATDESK_SECRET_KEY=settings.secret(), CHATDESK_DATA_DIR=str(settings.data_dir),
            CHATDESK_TRUSTED_PROXIES="10.201.0.0/16", **ONE_ADDRESS_LOAD,
            CHATDESK_VISITOR_MESSAGE_RATE="100000 per minute", CHATDESK_AGENT_MESSAGE_RATE="100000 per minute")

    def start(self) -> None:
        log = (self.directory / f"{self.name}-serve.log").open("ab")
        self.server = subprocess.Popen(
            ["ip", "netns", "exec", self.name, sys.executable, "-m", "chatdesk", "serve", "--host", "0.0.0.0",
             "--port", str(SERVE_PORT), "--workers", "2"],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_ready(f"http://{self.address}:{SERVE_PORT}", self.server, READY_WITHIN_S)

    def kill(self) -> None:
        """SIGKILL the server and its workers, as a host that loses power."""
        assert self.server is not None
        for process in [psutil.Process(self.server.pid), *psutil.Process(self.server.pid).children(recursive=True)]:
            process.kill()
        self.server.wait(timeout=30)

    def delete(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            self.server.wait(timeout=60)
        for forward in self.forwards:
            forward.terminate()
            forward.wait(timeout=10)
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)
        subprocess.run(["ip", "link", "del", self.outside], capture_output=True)


class Nginx:
    """Debian's nginx in a directory of its own, serving the README's site on a free local port."""

    def __init__(self, directory: Path, hosts: list[Host]) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        site = readme_nginx_site()
        upstreams = iter(f"server {host.address}:{SERVE_PORT};" for host in hosts)
        site = re.sub(r"server 10\.0\.0\.\d+:8000;", lambda _: next(upstreams), site)
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        (directory / "site.conf").write_text(site)
        temp = " ".join(f"{kind}_temp_path {directory / kind};" for kind in
                        ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (directory / "nginx.conf").write_text(
            f"worker_processes 1;\nerror_log {directory / 'error.log'} warn;\npid {directory / 'nginx.pid'};\n"
            "events { worker_connections 4096; }\n"
            f"http {{ access_log off; {temp} include {directory / 'site.conf'}; }}\n")
        self.process: subprocess.Popen | None = None

    def start(self) -> Nginx:
        self.process = subprocess.Popen(
            ["nginx", "-p", str(self.directory), "-c", str(self.directory / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=(self.directory / "stderr.log").open("wb"), stdin=subprocess.DEVNULL)
        wait_ready(self.url, self.process)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@pytest.fixture
def two_hosts(settings, database_url, redis_url, tmp_path) -> Iterator[tuple[list[Host], Nginx]]:
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root")
    tag = f"cd{os.getpid() % 100000}"
    subnets = random.sample(range(250), 2)
    hosts = [Host(f"{tag}{letter}", subnet, tmp_path) for letter, subnet in zip("ab", subnets, strict=True)]
    nginx = None
    try:
        for host in hosts:
            host.create().configure(settings, database_url, redis_url)
            host.start()
        nginx = Nginx(tmp_path, hosts).start()
        yield hosts, nginx
    finally:
        if nginx is not None:
            nginx.stop()
        for host in hosts:
            host.delete()


async def test_two_hosts_behind_nginx_lose_nothing_and_repeat_nothing(two_hosts, database_url, make_agent):
    hosts, nginx = two_hosts
    load = ChatLoad([nginx.url], database_url, make_agent, chats=20, total=2000)

    async def cut_streams() -> None:
        for participant in load.participants[::3]:
            load.cutter.cut(participant.client)

    async def kill_host() -> None:
        await asyncio.to_thread(hosts[0].kill)

    async def restart_host() -> None:
        await asyncio.to_thread(hosts[0].start)

    try:
        await load.open()
        await load.run([(0.2, cut_streams), (0.4, kill_host), (0.6, restart_host), (0.8, cut_streams)])
        figures = await load.check()
    finally:
        await load.close()
    print(f"\nmulti-host rehearsal (2 hosts x 2 workers behind nginx, one host killed and restarted): {figures}")
