"""`chatdesk bench ...`: benchmarks that print figures."""

from __future__ import annotations

import dataclasses
import math

import typer
from rich.table import Table

from chatdesk.bench.connections import raise_open_file_limit, run_connections
from chatdesk.bench.generator import describe, generate
from chatdesk.bench.history import run_history
from chatdesk.bench.realtime import run_realtime
from chatdesk.bench.routing import run_routing
from chatdesk.cli.common import DataDirOption, JsonOption, console, print_json
from chatdesk.cli.target import AdminEmailOption, AdminPasswordOption, UrlOption, target

GeneratorCpuOption = typer.Option(
    None, "--generator-cpu", min=0,
    help="Pin this process (the load generator) to one CPU once the server is up; the server, "
         "PostgreSQL and Redis keep every CPU. Use this, not taskset, which they would inherit.")

WorkersOption = typer.Option(1, "--workers", min=1, help="Server processes to start (without --url).")

bench = typer.Typer(help="Benchmarks: run them on a quiet machine and read medians and ratios.",
                    no_args_is_help=True)


def _print_figures(rows: list[tuple[str, dict]]) -> None:
    """A table of percentiles, one row per measure that has figures."""
    table = Table("measure", "n", "p50 ms", "p95 ms", "p99 ms", "max ms")
    for name, figures in rows:
        if figures:
            table.add_row(name, str(figures["n"]), *(f"{figures[k]:.2f}" for k in ("p50", "p95", "p99", "max")))
    console.print(table)


def _print_realtime(result) -> None:
    _print_figures([("delivery: POST start -> agent's SSE event", result.delivery_ms),
                    ("POST /messages answered", result.post_ms),
                    ("floor: Redis XADD -> XREAD", result.redis_floor_ms),
                    ("floor: PostgreSQL 1-row commit", result.postgres_floor_ms)])
    console.print(f"rate {result.rate:g} msg/s, {result.chats} live chats, {result.duration_s:g} s: "
                  f"sent {result.sent}, delivered {result.delivered}, errors {result.errors}")
    if result.server_cpu_ms_per_message is not None:
        console.print(f"server CPU {result.server_cpu_ms_per_message:.2f} ms per message; machine busy "
                      f"{result.machine_busy_percent:.0f} % of its {result.machine_cpus} CPUs while sending")
    if result.redis_floor_ms and result.postgres_floor_ms:
        floor = result.redis_floor_ms["p50"] + result.postgres_floor_ms["p50"]
        console.print(f"ratio chatdesk / floor (p50): {result.delivery_ms['p50'] / floor:.1f}x  "
                      f"(floor = Redis round trip + PostgreSQL commit = {floor:.2f} ms)")


@bench.command("realtime")
def realtime(
    rate: float = typer.Option(200, "--rate", min=1, help="Messages per second, all chats together."),
    chats: int = typer.Option(500, "--chats", min=1, help="Live chats (each with an open SSE stream)."),
    duration: float = typer.Option(20, "--duration", min=1, help="Seconds of sending."),
    url: str = UrlOption,
    admin_email: str = AdminEmailOption,
    admin_password: str = AdminPasswordOption,
    data_dir: str = DataDirOption,
    as_json: bool = JsonOption,
    generator_cpu: int | None = GeneratorCpuOption,
    workers: int = WorkersOption,
) -> None:
    """Delivery latency (POST -> SSE) p50/p95/p99 at a message rate, against the machine's floor."""
    with target(url, admin_email, admin_password, data_dir, workers) as (
            base_url, email, password, database_url, redis_url, pid):
        with console.status(f"Running: {chats} chats, {rate:g} msg/s for {duration:g} s..."):
            result, generator = generate(run_realtime(
                base_url, email, password, rate=rate, chats=chats, duration_s=duration,
                database_url=database_url, redis_url=redis_url, server_pid=pid), generator_cpu)
    if as_json:
        return print_json({**dataclasses.asdict(result), "generator": generator})
    _print_realtime(result)
    console.print(describe(generator))


@bench.command("routing")
def routing(
    rate: float = typer.Option(5, "--rate", min=0.1, help="New chats per second."),
    agents: int = typer.Option(10, "--agents", min=1, help="Agents holding event streams."),
    capacity: int = typer.Option(5, "--capacity", min=1, max=100, help="Chats per agent."),
    duration: float = typer.Option(60, "--duration", min=1,
                                   help="Seconds of arrivals (300 chats at 5/s: p99 is not just the slowest)."),
    hold: float = typer.Option(2, "--hold", min=0, help="Seconds an agent keeps each chat before ending it."),
    url: str = UrlOption,
    admin_email: str = AdminEmailOption,
    admin_password: str = AdminPasswordOption,
    data_dir: str = DataDirOption,
    as_json: bool = JsonOption,
    generator_cpu: int | None = GeneratorCpuOption,
) -> None:
    """Time from POST /chats to the agent's offer and to chat.assigned, p50/p95/p99."""
    with target(url, admin_email, admin_password, data_dir) as (base_url, email, password, _, _, _):
        with console.status(f"Running: {rate:g} chats/s against {agents} agents x {capacity} for {duration:g} s..."):
            result, generator = generate(run_routing(
                base_url, email, password, rate=rate, agents=agents, capacity=capacity, duration_s=duration,
                hold_s=hold), generator_cpu)
    if as_json:
        return print_json({**dataclasses.asdict(result), "generator": generator})
    _print_figures([("POST /chats -> offer at the agent", result.offer_ms),
                    ("offer -> the agent's accept answered", result.accept_ms),
                    ("POST /chats -> chat.assigned at the visitor", result.assigned_ms)])
    console.print(f"{result.chats} chats at {rate:g}/s, {agents} agents x {capacity}: assigned {result.assigned}, "
                  f"refused {result.refused}")
    console.print(describe(generator))


# Streams one server process can hold: its open-file limit (20,000 here) less room for the rest.
STREAMS_PER_SERVER_PROCESS = 19_000


@bench.command("connections")
def connections(
    # At most 25,000: the client's connections to one server port each take a local port (28,000 here).
    n: int = typer.Option(10000, "--n", min=1, max=25000,
                          help=f"Idle event streams to hold (at most {STREAMS_PER_SERVER_PROCESS} per worker)."),
    heartbeat: float = typer.Option(10, "--heartbeat", min=0.5, max=15, help="Server heartbeat, seconds."),
    workers: int = WorkersOption,
    url: str = UrlOption,
    admin_email: str = AdminEmailOption,
    admin_password: str = AdminPasswordOption,
    data_dir: str = DataDirOption,
    as_json: bool = JsonOption,
    generator_cpu: int | None = GeneratorCpuOption,
) -> None:
    """Hold N idle SSE streams on the server: RSS per stream (all its processes) and heartbeats on time."""
    if n > STREAMS_PER_SERVER_PROCESS * workers:
        raise typer.BadParameter(f"{n} streams need --workers {math.ceil(n / STREAMS_PER_SERVER_PROCESS)} or more")
    raise_open_file_limit()  # the server started here inherits it
    env = {"CHATDESK_SSE_HEARTBEAT_S": str(heartbeat)}
    with target(url, admin_email, admin_password, data_dir, workers,
                **env) as (base_url, email, password, _, _, pid), console.status(f"Opening {n} event streams..."):
        result, generator = generate(run_connections(
            base_url, email, password, n=n, server_pid=pid, heartbeat_s=heartbeat), generator_cpu)
    if as_json:
        return print_json({**dataclasses.asdict(result), "generator": generator})
    rss = (f"server RSS ({result.server_processes} processes) {result.rss_before_mb:.0f} MB -> "
           f"{result.rss_after_mb:.0f} MB: {result.rss_per_stream_kb:.1f} KB per stream"
           ) if result.rss_per_stream_kb is not None else "RSS: unknown (--url)"
    console.print(f"{result.opened} streams open in {result.open_s:.1f} s from {result.client_processes} "
                  f"client processes; {rss}")
    console.print(f"heartbeats: {result.heartbeats_on_time}/{result.n} streams beat in the last two intervals; "
                  f"gap between beats {result.heartbeat_gap_s}")
    console.print(describe(generator))


@bench.command("history")
def history(
    messages: int = typer.Option(10000, "--messages", min=100, help="Messages in the long chat."),
    samples: int = typer.Option(500, "--samples", min=10, help="Pages fetched."),
    url: str = UrlOption,
    admin_email: str = AdminEmailOption,
    admin_password: str = AdminPasswordOption,
    data_dir: str = DataDirOption,
    as_json: bool = JsonOption,
    generator_cpu: int | None = GeneratorCpuOption,
) -> None:
    """A page of 50 messages at random places in a long chat, over HTTP, p50/p95/p99."""
    with target(url, admin_email, admin_password, data_dir) as (base_url, email, password, database_url, _, _):
        if database_url is None:
            raise typer.BadParameter("bench history writes the long chat directly: set DATABASE_URL")
        with console.status(f"Writing {messages} messages and reading {samples} pages..."):
            result, generator = generate(run_history(
                base_url, email, password, database_url, messages=messages, samples=samples), generator_cpu)
    if as_json:
        return print_json({**result, "generator": generator})
    _print_figures([(f"page of {result['page']} from a {result['messages']}-message chat", result["ms"])])
    console.print(describe(generator))
