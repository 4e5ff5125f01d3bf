"""Redis behind Sentinel: `REDIS_URL=redis+sentinel://...` reaches the master, and after a failover
every process reaches the new one; open streams resync (the new master may lack the last entries:
a new epoch, invariant 4 in docs/architecture.md) and nothing committed is lost or delivered twice."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import pytest

from chatdesk.realtime.connect import EPOCH_MASTER_KEY, SentinelTarget
from tests.chaos_helpers import ChatLoad, TwoParties
from tests.conftest import invoke_cli
from tests.realtime_helpers import wait_until
from tests.sentinel_helpers import SERVICE, SentinelSet


def test_sentinel_urls_name_the_sentinels_the_service_and_the_db():
    target = SentinelTarget.parse("redis+sentinel://h1:26380,h2,[::1]:26381/mymaster/2")
    assert target == SentinelTarget([("h1", 26380), ("h2", 26379), ("::1", 26381)], "mymaster", 2)
    secure = SentinelTarget.parse("rediss+sentinel://:s%40cret@h1:26379/cache?sentinel_password=watch")
    assert secure == SentinelTarget([("h1", 26379)], "cache", 0, None, "s@cret", "watch", ssl=True)
    assert SentinelTarget.parse("redis://127.0.0.1:6379/0") is None
    for bad in ("redis+sentinel://h1:26379", "redis+sentinel:///mymaster", "redis+sentinel://h1/m/x"):
        with pytest.raises(ValueError, match="service"):
            SentinelTarget.parse(bad)


@pytest.fixture
def sentinels(tmp_path) -> Iterator[SentinelSet]:
    (tmp_path / "sentinel").mkdir()
    redis_set = SentinelSet(tmp_path / "sentinel").start()
    yield redis_set
    redis_set.stop()


def _doctor_redis(monkeypatch, tmp_path, database_url: str, redis_url: str) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("CHATDESK_DATA_DIR", str(tmp_path / "doctor"))
    result = invoke_cli(["doctor", "--json"])
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    assert checks["Redis"]["ok"] and checks["live round trip"]["ok"], checks
    return checks["Redis"]["detail"]


@pytest.mark.server
async def test_a_failover_moves_every_stream_to_the_new_master(serve, make_agent, database_url, sentinels,
                                                              monkeypatch, tmp_path):
    old_master = sentinels.master_port()
    server = serve(redis=sentinels)
    chat = await TwoParties.open(server.base_url, database_url, make_agent())
    try:
        await chat.delivered(chat.visitor, "before the failover")
        started = time.monotonic()
        sentinels.failover()
        new_master = await asyncio.to_thread(sentinels.wait_for_new_master, old_master)
        await chat.delivered(chat.visitor, "after the failover", timeout_s=30)
        recovered = time.monotonic() - started
        # The new master got a new epoch: each open stream said `resync` and its client reloaded.
        await chat.resynced()
        # The new epoch is bound to the new master's replication id and to the failover that named it
        # (the sentinels' config epoch), so a server named master again by a later one starts anew.
        named = sentinels.client(sentinels.sentinel_ports[0]).sentinel_master(SERVICE)
        replid = sentinels.client(new_master).info("replication")["master_replid"]
        assert sentinels.client(new_master).get(EPOCH_MASTER_KEY) == f"{replid}/{named['config-epoch']}"
        for participant in chat.participants:
            bodies = [m["body"] for m in participant.mirror.messages[chat.chat_id].values()]
            assert bodies.count("before the failover") == 1 and bodies.count("after the failover") == 1
        print(f"\nSentinel failover of a quiet desk: a message sent after it reached both open streams "
              f"{recovered:.2f} s after the failover started")
        assert f"Sentinel master 'mymaster' at 127.0.0.1:{new_master}," in _doctor_redis(
            monkeypatch, tmp_path, database_url, sentinels.url)
    finally:
        await chat.close()


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_failovers_under_load_lose_nothing_and_repeat_nothing(serve, make_agent, database_url, sentinels):
    """Two servers, 20 chats, 6,000 messages: a `SENTINEL FAILOVER` at a third, a kill -9 of the
    master at two thirds (once the first has recovered). Prints each failover's time to recover:
    from its start to the first message delivered live through the new master (an event of the new
    epoch). The first master may still be master when the second failover names it master again
    (the sentinels turn it into a replica at their next look): its replication id is then the one
    the first epoch was bound to, and only the sentinels' config epoch tells the two apart."""
    env = {"CHATDESK_VISITOR_MESSAGE_RATE": "100000 per minute", "CHATDESK_AGENT_MESSAGE_RATE": "100000 per minute"}
    servers = [serve(redis=sentinels, **env) for _ in range(2)]
    load = ChatLoad([server.base_url for server in servers], database_url, make_agent, chats=20, total=6000)
    recoveries: list[tuple[str, float]] = []

    async def fail_over(kill: bool) -> None:
        await asyncio.gather(*measuring)  # one failover at a time: each stream resyncs after each
        epochs = {epoch for p in load.participants for epoch in p.epochs}
        if kill:
            roles = {port: sentinels.client(port).info("replication")["role"] for port in sentinels.server_ports}
            print(f"\nbefore the kill -9, the servers' roles: {roles}")
        started = time.monotonic()
        old = sentinels.failover(kill=kill)
        await asyncio.to_thread(sentinels.wait_for_new_master, old)

        def first_new_epoch_event() -> float | None:
            times = [at for p in load.participants for epoch, at in p.epochs.items() if epoch not in epochs]
            return min(times) if times else None

        async def measure() -> None:
            first = await wait_until(first_new_epoch_event, lambda at: at is not None, timeout_s=60)
            recoveries.append(("kill -9 of the master" if kill else "SENTINEL FAILOVER", first - started))

        measuring.append(asyncio.create_task(measure()))

    measuring: list[asyncio.Task] = []
    try:
        await load.open()
        await load.run([(1 / 3, lambda: fail_over(kill=False)), (2 / 3, lambda: fail_over(kill=True))])
        await asyncio.gather(*measuring)
        for what, seconds in recoveries:
            print(f"\n{what}: first message through the new master {seconds:.2f} s after the failover started")
        figures = await load.check()
        print(f"Sentinel failovers under load: {figures}")
        assert figures["resyncs"] >= 2 * len(load.participants)  # every stream resynced after each failover
    finally:
        await load.close()
