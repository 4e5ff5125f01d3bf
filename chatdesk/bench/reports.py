"""`chatdesk bench reports`: every report over the last 30 days of a seeded history, over HTTP."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from chatdesk.bench.accounts import signed_in_admin
from chatdesk.bench.seed import SeedSize, seed_history
from chatdesk.bench.stats import percentiles

TABLES = ("summary", "departments", "agents", "daily", "hours", "comments", "triggers")


async def run_reports(base_url: str, admin_email: str, admin_password: str, database_url: str, *, size: SeedSize,
                      samples: int, days: int = 30, tz: str = "Europe/Paris") -> dict:
    """Seed the history once (reused when there), then time each report `samples` times:
    `GET /api/v1/reports` (whole, one department's, one agent's) and each table's CSV."""
    started = time.perf_counter()
    seeded = await seed_history(database_url, size)
    seed_s = time.perf_counter() - started
    today = datetime.now(ZoneInfo(tz)).date()
    query = {"from": (today - timedelta(days=days - 1)).isoformat(), "to": today.isoformat(), "tz": tz}
    async with signed_in_admin(base_url, admin_email, admin_password, "bench reports") as (session, admin, _):
        _, whole = await admin.request("GET", "/api/v1/reports", params=query)
        department = whole["departments"][0]["id"]
        agent = whole["agents"][0]["id"]
        reports = {"report": ("/api/v1/reports", query),
                   "report, one department": ("/api/v1/reports", {**query, "department_id": department}),
                   "report, one agent": ("/api/v1/reports", {**query, "agent_id": agent}),
                   **{f"{table}.csv": (f"/api/v1/reports/{table}.csv", query) for table in TABLES}}
        # The floor: a request that reads one row, timed the same way (the machine's noise).
        reports["floor: GET /api/v1/agents/me"] = ("/api/v1/agents/me", {})
        timings: dict[str, list[float]] = {name: [] for name in reports}
        for _ in range(samples):  # round robin: each report sees the same conditions
            for name, (path, params) in reports.items():
                begun = time.perf_counter()
                async with session.get(base_url + path, params=params,
                                       headers={"Authorization": f"Bearer {admin.token}"}) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"{name} answered {response.status}")
                timings[name].append((time.perf_counter() - begun) * 1000)
    return {"chats": size.chats, "messages": size.messages, "seeded": seeded, "seed_s": round(seed_s, 1),
            "days": days, "chats_in_range": whole["summary"]["started"],
            "chats_in_previous_range": whole["previous"]["started"],
            "ms": {name: percentiles(values) for name, values in timings.items()}}
