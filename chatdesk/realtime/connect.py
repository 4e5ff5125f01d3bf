"""Opening Redis: one factory for every process, from `REDIS_URL`.

`REDIS_URL` names one Redis (`redis://`, `rediss://` for TLS) or a Sentinel set that knows which
server is the master: `redis+sentinel://[[user]:password@]host:port[,host:port...]/service[/db]`
(`rediss+sentinel://` for TLS to the servers; `?sentinel_password=` when the sentinels ask for one).
With Sentinel every new connection asks the sentinels for the master, so after a failover the next
connection reaches the new one: a connection to the old master fails (killed, or refused with
READONLY once it is a replica) and is made again (redis-py's `SentinelConnectionPool`).

Every new connection also binds the streams' epoch to the master it reached (`_BIND_EPOCH`).
A replica promoted by a failover may lack the last entries the old master acknowledged, and a
restarted Redis the last second it had not written to disk; both start a new replication id, so
the first connection to them makes a new epoch before anything is read or pushed through it, and
an old cursor gets `resync` rather than a silent gap (invariant 4, docs/architecture.md).
Behind Sentinel the binding also names the failover that made the server master (the sentinels'
config epoch): an old master the sentinels had not yet turned into a replica, named master again
by a second failover, keeps its replication id but lacks what the other master took meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import redis.asyncio as aioredis
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool, SentinelManagedConnection

from chatdesk.periodic import every, stop_tasks
from chatdesk.realtime.streams import EPOCH_KEY

log = logging.getLogger(__name__)

SENTINEL_SCHEMES = {"redis+sentinel": False, "rediss+sentinel": True}  # scheme -> TLS to the servers
DEFAULT_SENTINEL_PORT = 26379
# How often a process asks the sentinels which server is master (`MasterWatch`).
MASTER_CHECK_S = 1.0
# The master's replication id the epoch belongs to.
EPOCH_MASTER_KEY = "chatdesk:epoch:master"

# KEYS: the epoch key, the epoch's master key. ARGV: a candidate epoch, the failover that named
# this server master ('' without Sentinel). A master that is not the one the epoch was made on, or
# is master by another failover, gets a new epoch; the first binding keeps an epoch already there
# (an upgrade, or two processes binding a fresh Redis at once). On a replica the write fails with
# READONLY, and the connection is refused. A server that keeps its replication id to itself
# (a managed Redis may refuse INFO) is left as it is.
_BIND_EPOCH = """
local info = redis.pcall('INFO', 'replication')
local replid = type(info) == 'string' and string.match(info, 'master_replid:(%w+)')
if not replid then return 0 end
local master = replid .. ARGV[2]
local bound = redis.call('GET', KEYS[2])
if bound == master then return 0 end
if bound then
  redis.call('SET', KEYS[1], ARGV[1])
else
  redis.call('SET', KEYS[1], ARGV[1], 'NX')
end
redis.call('SET', KEYS[2], master)
return 1
"""


@dataclass(frozen=True)
class SentinelTarget:
    """A Sentinel set and the master it watches, from a `redis+sentinel://` URL."""

    sentinels: list[tuple[str, int]]
    service: str
    db: int = 0
    username: str | None = None
    password: str | None = None
    sentinel_password: str | None = None
    ssl: bool = False

    @classmethod
    def parse(cls, url: str) -> SentinelTarget | None:
        """The target of a Sentinel URL; None for any other URL. A malformed one raises ValueError."""
        scheme, _, rest = url.partition("://")
        if scheme not in SENTINEL_SCHEMES:
            return None
        parts = urlsplit("//" + rest)
        userinfo, _, hosts = parts.netloc.rpartition("@")
        username, _, password = userinfo.partition(":")
        sentinels = [_host_port(host) for host in hosts.split(",") if host]
        path = [segment for segment in parts.path.split("/") if segment]
        if not sentinels or not 1 <= len(path) <= 2 or (len(path) == 2 and not path[1].isdigit()):
            raise ValueError(f"a Sentinel URL is {scheme}://[:password@]host:port[,host:port...]/service[/db]")
        query = parse_qs(parts.query)
        return cls(sentinels, unquote(path[0]), int(path[1]) if len(path) == 2 else 0,
                   unquote(username) or None, unquote(password) or None,
                   query.get("sentinel_password", [None])[0], SENTINEL_SCHEMES[scheme])

    def sentinel(self, **options: Any) -> Sentinel:
        """A client of the sentinels; `options` apply to the connections to the master."""
        sentinel_kwargs = {k: v for k, v in options.items() if k.startswith("socket_")}
        if self.sentinel_password:
            sentinel_kwargs["password"] = self.sentinel_password
        return _Sentinel(self.sentinels, sentinel_kwargs=sentinel_kwargs, username=self.username,
                         password=self.password, db=self.db, ssl=self.ssl, **options)


def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":") if text.rpartition(":")[2].isdigit() else (text, "", "")
    return host.strip("[]"), int(port) if port else DEFAULT_SENTINEL_PORT


class _Sentinel(Sentinel):
    """Sentinel's client that remembers, for each server the sentinels named master, the config
    epoch they named it under: it grows with every failover."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config_epochs: dict[tuple[str, int], int] = {}

    def check_master_state(self, state: dict, service_name: str) -> bool:
        named = super().check_master_state(state, service_name)
        if named:
            self.config_epochs[(state["ip"], state["port"])] = state["config-epoch"]
        return named


def _failover_of(connection: AbstractConnection) -> str:
    """Which failover named the server of this connection master: '/<config epoch>' behind
    Sentinel, '' otherwise."""
    if not isinstance(connection, SentinelManagedConnection):
        return ""
    sentinel = connection.connection_pool.sentinel_manager
    return f"/{sentinel.config_epochs.get((connection.host, connection.port), '')}"


class _SentinelMaster(aioredis.Redis):
    """The master's client; closing it closes its connections to the sentinels too."""

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        await super().aclose(close_connection_pool)
        await self.connection_pool.sentinel_manager.aclose()


class _BlockingSentinelPool(SentinelConnectionPool, aioredis.BlockingConnectionPool):
    """Sentinel's pool that waits for a free connection (up to `timeout`) instead of failing."""


async def _connect_and_bind_epoch(connection: AbstractConnection) -> None:
    await connection.on_connect()
    await connection.send_command("EVAL", _BIND_EPOCH, 2, EPOCH_KEY, EPOCH_MASTER_KEY, secrets.token_hex(6),
                                  _failover_of(connection))
    await connection.read_response()


def open_redis(url: str, *, max_connections: int | None = None, timeout: float | None = None,
               **options: Any) -> aioredis.Redis:
    """A client of the Redis `url` names (its master, for a Sentinel URL). With `max_connections`
    the pool waits up to `timeout` seconds for a free connection; `options` go to each connection."""
    options["redis_connect_func"] = _connect_and_bind_epoch
    pool_options = {} if max_connections is None else {"max_connections": max_connections, "timeout": timeout}
    target = SentinelTarget.parse(url)
    if target is None:
        pool_class = aioredis.ConnectionPool if max_connections is None else aioredis.BlockingConnectionPool
        return aioredis.Redis.from_pool(pool_class.from_url(url, **pool_options, **options))  # closed with it
    pool_class = SentinelConnectionPool if max_connections is None else _BlockingSentinelPool
    return target.sentinel(**options).master_for(target.service, redis_class=_SentinelMaster,
                                                 connection_pool_class=pool_class, **pool_options)


class MasterWatch:
    """For a Sentinel URL: asks the sentinels every `MASTER_CHECK_S` which server is master and, when
    it changed, closes every connection of the pool, the hub's subscription too, so the process moves
    to the new master at once. Without it, connections stay on an old master that is still up (a
    `SENTINEL FAILOVER`, a partition) until the sentinels demote it at their next look, up to 10 s on.
    A plain URL has nothing to watch."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self.pool = redis.connection_pool
        self._tasks: list[asyncio.Task] = []

    def start(self) -> None:
        if isinstance(self.pool, SentinelConnectionPool):
            check = every(MASTER_CHECK_S, self._check, "asking the sentinels for the master")
            self._tasks = [asyncio.create_task(check)]

    async def stop(self) -> None:
        await stop_tasks(self._tasks)

    async def _check(self) -> None:
        assert isinstance(self.pool, SentinelConnectionPool)
        known = self.pool.master_address
        address = await self.pool.get_master_address()  # closes the idle connections when it moved
        if known is not None and address != known:
            log.warning("the sentinels name a new Redis master, %s:%s; reconnecting", *address)
            await self.pool.disconnect(inuse_connections=True)


async def describe_master(url: str, timeout_s: float) -> str | None:
    """For a Sentinel URL, which server the sentinels name master, with its replicas and how many
    sentinels watch it (for `chatdesk doctor`); None for a plain URL."""
    target = SentinelTarget.parse(url)
    if target is None:
        return None
    sentinel = target.sentinel(socket_connect_timeout=timeout_s, socket_timeout=timeout_s)
    try:
        host, port = await sentinel.discover_master(target.service)
        state = (await sentinel.sentinels[0].sentinel_masters())[target.service]
    finally:
        await sentinel.aclose()
    return (f"Sentinel master {target.service!r} at {host}:{port}, {state['num-slaves']} replica(s), "
            f"{state['num-other-sentinels'] + 1} sentinel(s), quorum {state['quorum']}")
