"""`chatdesk bench ...`: benchmarks that print figures."""

from __future__ import annotations

import asyncio
import dataclasses
import math
import tempfile
from collections.abc import Callable, Coroutine
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from chatdesk.bench.connections import raise_open_file_limit, run_connections
from chatdesk.bench.generator import describe, generate
from chatdesk.bench.history import run_history
from chatdesk.bench.mail import BENCH_FROM, run_mail
from chatdesk.bench.realtime import run_realtime
from chatdesk.bench.reports import run_reports
from chatdesk.bench.routing import run_routing
from chatdesk.bench.search import run_search
from chatdesk.bench.seed import SeedSize
from chatdesk.bench.server import ServerProcess
from chatdesk.bench.smtp_sink import SmtpSink
from chatdesk.cli.common import DataDirOption, JsonOption, console, load_settings, print_json
from chatdesk.cli.provision import embedded_as_needed
from chatdesk.cli.target import AdminEmailOption, AdminPasswordOption, UrlOption, target
from chatdesk.db import migrate

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
    if result.postgres_cpu_ms_per_message is not None:
        console.print(f"PostgreSQL CPU {result.postgres_cpu_ms_per_message:.2f} ms per message")
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


def _writing_straight_to_the_database(what: str, url: str, admin_email: str, admin_password: str, data_dir: str,
                                      status: str, work: Callable[..., Coroutine[Any, Any, Any]],
                                      generator_cpu: int | None) -> tuple[Any, dict]:
    """Run a bench whose data is written into PostgreSQL directly (not through the API):
    `work(base_url, email, password, database_url)`, in the generator's process; (result, generator)."""
    with target(url, admin_email, admin_password, data_dir) as (base_url, email, password, database_url, _, _):
        if database_url is None:
            raise typer.BadParameter(f"bench {what} writes its data directly: set DATABASE_URL")
        with console.status(status):
            return generate(work(base_url, email, password, database_url), generator_cpu)


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
    result, generator = _writing_straight_to_the_database(
        "history", url, admin_email, admin_password, data_dir,
        f"Writing {messages} messages and reading {samples} pages...",
        lambda *target: run_history(*target, messages=messages, samples=samples), generator_cpu)
    if as_json:
        return print_json({**result, "generator": generator})
    _print_figures([(f"page of {result['page']} from a {result['messages']}-message chat", result["ms"])])
    console.print(describe(generator))


@bench.command("mail")
def mail(
    mails: int = typer.Option(1000, "--mails", min=2, help="Mails queued (in one transaction) per run."),
    runs: int = typer.Option(3, "--runs", min=1, help="Runs; the figures are their medians."),
    data_dir: str = DataDirOption,
    as_json: bool = JsonOption,
) -> None:
    """Queue N mails and time a `chatdesk serve` process draining them to an SMTP server on loopback (aiosmtpd)."""
    with ExitStack() as stack:
        scratch = data_dir or stack.enter_context(tempfile.TemporaryDirectory(prefix="chatdesk-bench-"))
        settings = stack.enter_context(embedded_as_needed(load_settings(data_dir=scratch)))
        migrate.upgrade(settings.required("database_url"))
        sink = SmtpSink().start()
        stack.callback(sink.stop)
        settings = settings.model_copy(update={"mail_from": BENCH_FROM})
        server = ServerProcess(settings, Path(settings.data_dir) / "bench-server.log",
                               CHATDESK_SMTP_URL=sink.url, CHATDESK_MAIL_FROM=BENCH_FROM)
        with console.status("Starting a chatdesk server..."):
            server.start()
        stack.callback(server.stop)
        with console.status(f"Running: {runs} x {mails} mails..."):
            result = asyncio.run(run_mail(settings, sink, mails=mails, runs=runs))
    report = {**dataclasses.asdict(result), "median_drain_s": result.median_drain_s,
              "median_mails_per_s": result.median_mails_per_s}
    if as_json:
        return print_json(report)
    table = Table("run", "queue (1 tx) s", "commit -> last s", "first -> last s", "mails/s")
    for number, run in enumerate(result.runs, 1):
        table.add_row(str(number), f"{run.enqueue_s:.3f}", f"{run.commit_to_last_s:.2f}", f"{run.drain_s:.2f}",
                      f"{run.mails_per_s:.0f}")
    console.print(table)
    console.print(f"{mails} mails x {runs} runs: median drain {result.median_drain_s:.2f} s, "
                  f"{result.median_mails_per_s:.0f} mails/s; missing {result.missing}, duplicates {result.duplicates}")


@bench.command("search")
def search(
    chats: int = typer.Option(100_000, "--chats", min=10, help="Chats to search (written once per database)."),
    messages: int = typer.Option(1_000_000, "--messages", min=10, help="Messages in them, all together."),
    samples: int = typer.Option(300, "--samples", min=10, help="Searches timed, of each kind."),
    url: str = UrlOption,
    admin_email: str = AdminEmailOption,
    admin_password: str = AdminPasswordOption,
    data_dir: str = DataDirOption,
    as_json: bool = JsonOption,
    generator_cpu: int | None = GeneratorCpuOption,
) -> None:
    """History search over many chats, one word and two words with a date filter, over HTTP, p50/p95/p99.

    The chats are written once: give a --data-dir (or DATABASE_URL) to find them again on later runs."""
    if messages < chats:
        raise typer.BadParameter("every chat needs a message: give at least as many --messages as --chats")
    result, generator = _writing_straight_to_the_database(
        "search", url, admin_email, admin_password, data_dir,
        f"Writing {chats} chats with {messages} messages (once), then searching...",
        lambda *target: run_search(*target, chats=chats, messages=messages, samples=samples), generator_cpu)
    if as_json:
        return print_json({**result, "generator": generator})
    _print_figures([(f"one word, last {result['period_days']} days", result["one_word_ms"]),
                    (f"two words, last {result['period_days']} days", result["two_words_ms"])])
    written = f"written in {result['seed_s']:.0f} s" if result["seeded"] else "found from an earlier run"
    console.print(f"{result['chats']} chats, {result['messages']} messages ({written}). Searches that found chats: "
                  f"{result['one_word_found']} / {result['two_words_found']}; that filled a page of {result['page']}: "
                  f"{result['one_word_full_pages']} / {result['two_words_full_pages']}")
    console.print(describe(generator))


@bench.command("reports")
def reports(
    chats: int = typer.Option(100_000, "--chats", min=100, help="Chats in the seeded history (a tenth missed)."),
    messages: int = typer.Option(11, "--messages", min=2, help="Messages in an answered chat (a missed one has 1)."),
    days: int = typer.Option(60, "--days", min=31, help="Days the history spreads over; reports cover the last 30."),
    samples: int = typer.Option(20, "--samples", min=1, help="Requests per report."),
    url: str = UrlOption,
    admin_email: str = AdminEmailOption,
    admin_password: str = AdminPasswordOption,
    data_dir: str = DataDirOption,
    as_json: bool = JsonOption,
    generator_cpu: int | None = GeneratorCpuOption,
) -> None:
    """Every report over the last 30 days of a seeded history (seeded once, reused), over HTTP, p50/p95/p99."""
    size = SeedSize(chats=chats, answered_messages=messages, days=days)
    result, generator = _writing_straight_to_the_database(
        "reports", url, admin_email, admin_password, data_dir,
        f"Seeding {size.chats} chats and {size.messages} messages (once), then timing reports...",
        lambda *target: run_reports(*target, size=size, samples=samples), generator_cpu)
    if as_json:
        return print_json({**result, "generator": generator})
    console.print(f"{result['chats']} chats, {result['messages']} messages over {days} days "
                  f"({'seeded in ' + str(result['seed_s']) + ' s' if result['seeded'] else 'seeded before'}); "
                  f"last {result['days']} days: {result['chats_in_range']} chats, the {result['days']} before: "
                  f"{result['chats_in_previous_range']}")
    _print_figures(list(result["ms"].items()))
    console.print(describe(generator))
