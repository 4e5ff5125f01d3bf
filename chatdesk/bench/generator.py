"""The load generator's own footprint: pinned to one CPU on request, and the share of it used.

The goals are measured with server and generator sharing the machine, so every figure comes with
what the generator took. Pinning happens after the server, PostgreSQL and Redis have started:
processes inherit CPU affinity, and they must keep every CPU.

The generator runs on uvloop with its cycle collector off: a full collection over thousands of
client streams stopped its loop for 90-125 ms, which showed up as the server's delivery tail.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Coroutine
from typing import Any

import uvloop


def _cpu_seconds() -> float:
    """CPU time of this process and of its child processes that have ended (client processes)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def generate(work: Coroutine[Any, Any, Any], cpu: int | None) -> tuple[Any, dict[str, Any]]:
    """Run the generator's coroutine, on `cpu` alone if given (its client processes inherit
    that); returns its result and `{"cpu", "cpu_percent"}` (100 = one whole core busy for the
    whole run)."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    wall, used = time.perf_counter(), _cpu_seconds()
    gc.collect()
    gc.disable()
    try:
        result = uvloop.run(work)
    finally:
        gc.enable()
    share = 100 * (_cpu_seconds() - used) / (time.perf_counter() - wall)
    return result, {"cpu": cpu, "cpu_percent": round(share, 1)}


def describe(generator: dict[str, Any]) -> str:
    where = f"pinned to CPU {generator['cpu']}" if generator["cpu"] is not None else "not pinned"
    return f"generator: {where}, {generator['cpu_percent']:.0f} % of one core"
