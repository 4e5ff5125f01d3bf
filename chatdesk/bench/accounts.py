"""Accounts a benchmark needs, made through the admin API (so `--url` targets work too)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp

from chatdesk.bench.client import Client


@asynccontextmanager
async def signed_in_admin(base_url: str, email: str, password: str,
                          widget_name: str) -> AsyncIterator[tuple[aiohttp.ClientSession, Client, dict]]:
    """A client session for the whole run (no connection limit), the admin signed in, and a new widget."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                     timeout=aiohttp.ClientTimeout(total=None)) as session:
        admin = Client(base_url, session=session)
        await admin.sign_in(email, password)
        _, widget = await admin.request("POST", "/api/v1/widgets", json={"name": widget_name})
        yield session, admin, widget


async def online_agents(base_url: str, session: aiohttp.ClientSession, admin: Client, count: int,
                        capacity: int, department_id: str | None = None) -> list[Client]:
    """`count` new agents with `capacity` each (members of `department_id` if given), signed in and online."""
    password = uuid.uuid4().hex
    agents = []
    for i in range(count):
        email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
        await admin.request("POST", "/api/v1/agents", json={
            "email": email, "name": f"Bench agent {i}", "password": password, "max_chats": capacity,
            "department_ids": [department_id] if department_id else []})
        agent = Client(base_url, session=session)
        await agent.sign_in(email, password)
        await agent.set_status("online")
        agents.append(agent)
    return agents
