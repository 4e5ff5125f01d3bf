"""A Redis Sentinel set of a test's own: Debian's `redis-server` as master and replica, three
`redis-sentinel`s watching them, on free ports in a temporary directory (never the machine's Redis)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import redis as sync_redis

from chatdesk.bench.server import free_port
from tests.conftest import run
from tests.realtime_helpers import wait_until

SERVICE = "mymaster"
# How long a silent master is down for the sentinels: short, so a test's failover is quick.
DOWN_AFTER_MS = 1000


def _wait(holds, what: str, timeout_s: float = 30.0) -> None:
    """Poll a condition on processes of our own (no event to await) until it holds."""
    def quietly() -> bool:
        try:
            return bool(holds())
        except sync_redis.RedisError:
            return False
    try:
        run(wait_until(quietly, bool, timeout_s))
    except AssertionError:
        raise AssertionError(f"timed out waiting until {what}") from None


class SentinelSet:
    """One master, one replica, three sentinels (quorum 2)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.server_ports = [free_port(), free_port()]
        self.sentinel_ports = [free_port() for _ in range(3)]
        self.processes: dict[int, subprocess.Popen] = {}  # port -> its process
        hosts = ",".join(f"127.0.0.1:{port}" for port in self.sentinel_ports)
        self.url = f"redis+sentinel://{hosts}/{SERVICE}/0"

    def start(self) -> SentinelSet:
        master, replica = self.server_ports
        self._server(master)
        self._server(replica, "--replicaof", "127.0.0.1", str(master))
        _wait(lambda: self.client(replica).info("replication")["master_link_status"] == "up", "the replica synced")
        for port in self.sentinel_ports:
            config = self.directory / f"sentinel-{port}.conf"
            config.write_text(f"port {port}\nbind 127.0.0.1\ndir {self.directory}\n"
                              f"sentinel monitor {SERVICE} 127.0.0.1 {master} 2\n"
                              f"sentinel down-after-milliseconds {SERVICE} {DOWN_AFTER_MS}\n"
                              f"sentinel failover-timeout {SERVICE} 10000\n")
            self._spawn(port, "redis-sentinel", str(config))
        _wait(self._settled, "every sentinel knows the replica and the other sentinels")
        return self

    def _server(self, port: int, *args: str) -> None:
        self._spawn(port, "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--dir", str(self.directory), *args)

    def _spawn(self, port: int, *command: str) -> None:
        log = (self.directory / f"{port}.log").open("wb")
        self.processes[port] = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                                stdin=subprocess.DEVNULL)
        _wait(lambda: self.client(port).ping(), f"port {port} answers")

    def client(self, port: int) -> sync_redis.Redis:
        return sync_redis.Redis(port=port, socket_timeout=2, decode_responses=True)

    def _settled(self) -> bool:
        for port in self.sentinel_ports:
            state = self.client(port).sentinel_master(SERVICE)
            if state["num-slaves"] < 1 or state["num-other-sentinels"] < 2:
                return False
        return True

    def master_port(self) -> int:
        """The master's port as the sentinels name it."""
        return int(self.client(self.sentinel_ports[0]).sentinel_get_master_addr_by_name(SERVICE)[1])

    def failover(self, *, kill: bool = False) -> int:
        """Fail the master over: `SENTINEL FAILOVER`, or kill -9 the master and let the sentinels
        notice. Returns at once, with the old master's port; `wait_for_new_master` follows."""
        old = self.master_port()
        if kill:
            self.processes[old].kill()
        else:
            self.client(self.sentinel_ports[0]).execute_command("SENTINEL", "FAILOVER", SERVICE)
        return old

    def wait_for_new_master(self, old: int, timeout_s: float = 30.0) -> int:
        """Wait until every sentinel names another master, and it takes writes; its port."""
        def switched() -> bool:
            ports = {int(self.client(port).sentinel_get_master_addr_by_name(SERVICE)[1])
                     for port in self.sentinel_ports}
            return len(ports) == 1 and old not in ports and self.client(ports.pop()).info("replication")[
                "role"] == "master"
        _wait(switched, "the sentinels agree on a new master", timeout_s)
        return self.master_port()

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
