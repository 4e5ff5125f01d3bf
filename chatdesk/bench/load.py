"""`chatdesk loadtest`: run the locust scenarios in `loadtests/` and judge the customer's targets.

The run: agents, a widget and an auto-routing department of its own are made through the admin
API; locust runs headless in a child process (it patches the standard library with gevent, so it
stays out of this process); its users write what they measured and saw to a results file; the
threads of every chat they touched are then read back from the database through the admin API,
and each message must have reached both parties' event streams (a repeat, which at-least-once
delivery allows and clients drop by seq, is counted and shown). The load test's agents are
deactivated at the end, so a production server routes nothing to them afterwards.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import secrets
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chatdesk.bench.accounts import signed_in_admin
from chatdesk.bench.client import Client
from chatdesk.bench.stats import percentiles
from chatdesk.resources import resource_dir

# The customer's targets: (measure, bound, unit). Latencies are judged on p99.
LATENCY_TARGETS = [
    ("chat response (visitor message -> agent reply seen)", 5000),
    ("queue processing (chat created -> assigned seen)", 2000),
    ("real-time delivery (POST -> SSE at the other party)", 1000),
]
UPLOAD_SUCCESS_PCT = 99.0


@dataclass(frozen=True)
class Plan:
    users: int
    spawn_rate: float
    duration_s: float

    @property
    def agents(self) -> int:
        """One agent per ten users (at least one): locust's users are visitors and agents together."""
        return max(1, math.ceil(self.users / 10))

    @property
    def capacity(self) -> int:
        """Chats per agent: room for every visitor at once, and a little more."""
        visitors = max(1, self.users - self.agents)
        return min(100, math.ceil(visitors / self.agents) + 2)


def parse_duration(text: str) -> float:
    """`90`, `90s`, `5m`, `1h` -> seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if not match:
        raise ValueError(f"not a duration: {text!r} (try 60s, 5m, 1h)")
    return float(match[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[match[2]]


async def provision(base_url: str, admin_email: str, admin_password: str, plan: Plan) -> dict:
    """The run's department, widget and agents; returns the locust users' configuration."""
    async with signed_in_admin(base_url, admin_email, admin_password, "load test") as (_, admin, widget):
        _, department = await admin.request("POST", "/api/v1/departments", json={
            "name": f"load test {uuid.uuid4().hex[:6]}", "routing_mode": "auto"})
        agents = []
        for i in range(plan.agents):
            account = {"email": f"load-{uuid.uuid4().hex[:10]}@example.com", "password": secrets.token_urlsafe(12)}
            _, agent = await admin.request("POST", "/api/v1/agents", json={
                **account, "name": f"Load agent {i + 1}", "max_chats": plan.capacity,
                "department_ids": [department["id"]]})
            agents.append({**account, "id": agent["id"]})
    return {"widget_id": widget["id"], "department_id": department["id"], "agents": agents}


def run_locust(base_url: str, plan: Plan, config: dict, work_dir: Path, show: Callable[[str], None]) -> dict:
    """Run the scenarios headless; `show` gets each progress line. Returns the users' results."""
    config = {**config, "results": str(work_dir / "loadtest-results.json"),
              "agents": [{"email": a["email"], "password": a["password"]} for a in config["agents"]]}
    config_path = work_dir / "loadtest-config.json"
    config_path.write_text(json.dumps(config))
    log_path = work_dir / "locust.log"
    command = [sys.executable, "-m", "locust", "-f", str(resource_dir("loadtests") / "locustfile.py"),
               "--headless", "--only-summary", "--host", base_url, "--users", str(plan.users),
               "--spawn-rate", str(plan.spawn_rate), "--run-time", f"{int(plan.duration_s)}s",
               "--exit-code-on-error", "0"]
    env = {**os.environ, "CHATDESK_LOADTEST_CONFIG": str(config_path), "PYTHONUNBUFFERED": "1"}
    with log_path.open("w") as log, subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                                     stderr=subprocess.STDOUT, text=True) as process:
        for line in process.stdout or ():
            log.write(line)
            if line.startswith("[loadtest]"):
                show(line.removeprefix("[loadtest]").strip())
    results_path = Path(config["results"])
    if process.returncode != 0 or not results_path.exists():
        tail = "".join(log_path.read_text().splitlines(keepends=True)[-30:])
        raise RuntimeError(f"locust failed (exit {process.returncode}); the end of its log:\n{tail}")
    return json.loads(results_path.read_text())


async def check_loss(base_url: str, admin_email: str, admin_password: str, seen: dict) -> dict:
    """Every message of every touched chat, from the database, against what each party saw."""
    missing = {"visitor": 0, "agent": 0}
    twice = messages = 0
    async with Client(base_url) as admin:
        await admin.sign_in(admin_email, admin_password)
        for chat_id, parties in seen.items():
            _, chat = await admin.request("GET", f"/api/v1/chats/{chat_id}")
            expected = ["visitor"] + (["agent"] if chat["chat"]["agent"] or parties["agent"] else [])
            for message in await admin.messages_after(chat_id):
                messages += 1
                for party in expected:
                    entry = parties[party].get(str(message["seq"]))
                    if entry is None or entry[0] != message["id"]:
                        missing[party] += 1
                    elif entry[1] > 1:
                        twice += 1
    return {"chats": len(seen), "messages": messages, "missing": missing, "seen_twice": twice}


async def retire_agents(base_url: str, admin_email: str, admin_password: str, agents: list[dict]) -> None:
    """Deactivate the run's agents (history stays)."""
    async with Client(base_url) as admin:
        await admin.sign_in(admin_email, admin_password)
        for agent in agents:
            await admin.request("DELETE", f"/api/v1/agents/{agent['id']}")


def judge(plan: Plan, results: dict, loss: dict) -> dict:
    """The report: each target against what was measured, the figures behind it, and the verdict."""
    rows = []
    figures = {name: percentiles(results["samples"].get(name, [])) for name, _ in LATENCY_TARGETS}
    for name, bound in LATENCY_TARGETS:
        measured, failed = figures[name], results["failures"].get(name, 0)
        ok = measured["n"] > 0 and failed == 0 and measured["p99"] < bound
        rows.append({"target": name, "goal": f"p99 < {bound / 1000:g} s",
                     "measured": f"p99 {measured['p99'] / 1000:.3f} s (p50 {measured['p50'] / 1000:.3f} s, "
                                 f"n {measured['n']}, {failed} timed out)", "ok": ok})
    uploads = results["uploads"]
    rate = 100 * uploads["succeeded"] / uploads["attempted"] if uploads["attempted"] else 0.0
    rows.append({"target": "upload success", "goal": f"> {UPLOAD_SUCCESS_PCT:g} %",
                 "measured": f"{rate:.1f} % ({uploads['succeeded']}/{uploads['attempted']})",
                 "ok": uploads["attempted"] > 0 and rate > UPLOAD_SUCCESS_PCT})
    lost = loss["missing"]["visitor"] + loss["missing"]["agent"]
    # Delivery is at least once (the outbox sweeper may push a slow writer's event again);
    # clients drop a repeat by seq, as the widget does, so a repeat is reported, not lost.
    rows.append({"target": "message loss", "goal": "0",
                 "measured": f"{lost} of {loss['messages']} messages in {loss['chats']} chats "
                             f"(visitors missed {loss['missing']['visitor']}, agents {loss['missing']['agent']}; "
                             f"{loss['seen_twice']} came twice and were dropped by seq)",
                 "ok": lost == 0 and loss["messages"] > 0})
    rows.append({"target": "errors (failed requests and timeouts)", "goal": "0",
                 "measured": str(results["locust_failures"]), "ok": results["locust_failures"] == 0})
    return {"ok": all(row["ok"] for row in rows), "targets": rows,
            "plan": {"users": plan.users, "spawn_rate": plan.spawn_rate, "duration_s": plan.duration_s,
                     "agents": plan.agents, "agent_capacity": plan.capacity},
            "figures_ms": figures, "counts": results["counts"], "uploads": uploads, "loss": loss,
            "errors": results["errors"]}


def run_loadtest(base_url: str, admin_email: str, admin_password: str, plan: Plan, work_dir: Path,
                 show: Callable[[str], None]) -> dict:
    """Provision, run, check, clean up; the report."""
    config = asyncio.run(provision(base_url, admin_email, admin_password, plan))
    try:
        results = run_locust(base_url, plan, config, work_dir, show)
        loss = asyncio.run(check_loss(base_url, admin_email, admin_password, results["seen"]))
    finally:
        asyncio.run(retire_agents(base_url, admin_email, admin_password, config["agents"]))
    return judge(plan, results, loss)
