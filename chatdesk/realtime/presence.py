"""Agent presence from open event streams: a heartbeat in Redis while any stream is open."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter

import redis.asyncio as aioredis

SEEN_KEY = "chatdesk:presence:seen"
# Heartbeats go out well inside the routing grace period (60 s by default), so one lost
# heartbeat never makes a connected agent look gone.
HEARTBEAT_S = 10.0


class PresenceTracker:
    """Counts this process's open agent streams and refreshes their last-seen time in Redis."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        self._open: Counter[uuid.UUID] = Counter()
        self._task: asyncio.Task | None = None

    async def opened(self, agent_id: uuid.UUID) -> None:
        self._open[agent_id] += 1
        await self.redis.zadd(SEEN_KEY, {str(agent_id): time.time()})

    async def closed(self, agent_id: uuid.UUID) -> None:
        self._open[agent_id] -= 1
        if self._open[agent_id] <= 0:
            del self._open[agent_id]
        await self.redis.zadd(SEEN_KEY, {str(agent_id): time.time()})

    def start(self) -> None:
        self._task = asyncio.create_task(self._beat())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            if self._open:
                try:
                    await self.redis.zadd(SEEN_KEY, {str(agent): time.time() for agent in self._open})
                except aioredis.RedisError:
                    pass  # Redis is down; the next beat tries again


async def last_seen(redis: aioredis.Redis, agent_ids: list[uuid.UUID]) -> dict[uuid.UUID, float | None]:
    """When each agent last had an open event stream (unix time), None if never or forgotten."""
    if not agent_ids:
        return {}
    scores = await redis.zmscore(SEEN_KEY, [str(agent) for agent in agent_ids])
    return dict(zip(agent_ids, scores))
