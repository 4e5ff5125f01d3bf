"""Agent presence from open event streams: a heartbeat in Redis while any stream is open."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter

import redis.asyncio as aioredis

from chatdesk.periodic import every, stop_tasks

SEEN_KEY = "chatdesk:presence:seen"
# Heartbeats go out well inside the routing grace period (60 s by default), so one lost
# heartbeat never makes a connected agent look gone.
HEARTBEAT_S = 10.0


class PresenceTracker:
    """Counts this process's open agent streams and refreshes their last-seen time in Redis."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        self._open: Counter[uuid.UUID] = Counter()
        self._tasks: list[asyncio.Task] = []

    async def opened(self, agent_id: uuid.UUID) -> None:
        self._open[agent_id] += 1
        await self.redis.zadd(SEEN_KEY, {str(agent_id): time.time()})

    async def closed(self, agent_id: uuid.UUID) -> None:
        self._open[agent_id] -= 1
        if self._open[agent_id] <= 0:
            del self._open[agent_id]
        await self.redis.zadd(SEEN_KEY, {str(agent_id): time.time()})

    def start(self) -> None:
        self._tasks = [asyncio.create_task(every(HEARTBEAT_S, self._beat, "presence heartbeat"))]

    async def stop(self) -> None:
        await stop_tasks(self._tasks)

    async def _beat(self) -> None:
        if self._open:
            await self.redis.zadd(SEEN_KEY, {str(agent): time.time() for agent in self._open})

