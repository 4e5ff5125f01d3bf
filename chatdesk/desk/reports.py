"""Reports: what a support team did over a range of days in the viewer's time zone (docs/api.md, Reports).

Every chat figure counts the chats *started* in the period (`created_at`), so the figures of one
report agree with one another: answered + missed + still open = started. The period runs from the
first day's midnight to the midnight after the last day, in the viewer's IANA time zone. Per-agent
figures belong to the agent who first answered the chat (`first_agent_id`); online time and
utilisation come from `agent_status_log` and `chat_assignments` (migration 0013). The previous
period is the same number of days just before.
"""

from __future__ import annotations

import asyncio
import csv
import functools
import io
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chatdesk.db.tables import chats, departments
from chatdesk.desk.availability import online
from chatdesk.errors import ApiError

MAX_DAYS = 366
COMMENTS_SHOWN = 100

# The figures each of overall, department and agent gets, in the order tables show them.
CHAT_FIGURES = [
    "started", "answered", "missed", "wait_p50_s", "wait_p90_s", "first_response_p50_s", "first_response_p90_s",
    "handle_p50_s", "handle_p90_s", "messages_per_chat", "transfers", "rated", "rated_good", "csat",
]
AGENT_TIME = ["online_s", "chat_s", "capacity_s", "utilisation"]


@dataclass(frozen=True)
class Period:
    """Whole days `first`..`last` (inclusive) in the time zone `tz`."""

    first: date
    last: date
    tz: str

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), ZoneInfo(self.tz))

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), ZoneInfo(self.tz))

    def previous(self) -> Period:
        """The same number of days just before."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1), self.tz)

    def json(self) -> dict[str, Any]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat(), "tz": self.tz, "days": self.days}


EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


def _day(value: str, name: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ApiError(422, f"'{value}' is not a date; write it as YYYY-MM-DD.",
                       fields={name: "Write the date as YYYY-MM-DD."}) from None
    if not EARLIEST <= day <= LATEST:
        raise ApiError(422, f"Reports cover days from {EARLIEST} to {LATEST}.",
                       fields={name: f"Between {EARLIEST} and {LATEST}."})
    return day


def period(first: str, last: str, tz: str) -> Period:
    """The period `first`..`last` in `tz`; 422 in plain words for a bad date, zone or range."""
    start, end = _day(first, "from"), _day(last, "to")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ApiError(422, f"'{tz}' is not a time zone; use an IANA name such as Europe/Paris.",
                       fields={"tz": "Use an IANA time zone name such as Europe/Paris."}) from None
    if start > end:
        raise ApiError(422, "The first day comes after the last day.", fields={"from": "Must not be after 'to'."})
    if (end - start).days + 1 > MAX_DAYS:
        raise ApiError(422, f"A report covers at most {MAX_DAYS} days.",
                       fields={"to": f"At most {MAX_DAYS} days after 'from'."})
    return Period(start, end, tz)


@dataclass(frozen=True)
class Scope:
    """Which chats count: all, one department's, or those one agent answered."""

    department_id: uuid.UUID | None = None
    agent_id: uuid.UUID | None = None

    def where(self, alias: str = "ch") -> str:
        """SQL conditions for the chats `alias` in scope and in the period (:start, :end)."""
        conditions = [f"{alias}.created_at >= :start", f"{alias}.created_at < :end"]
        if self.department_id:
            conditions.append(f"{alias}.department_id = :department_id")
        if self.agent_id:
            conditions.append(f"{alias}.first_agent_id = :agent_id")
        return " AND ".join(conditions)

    def params(self, period: Period) -> dict[str, Any]:
        return {"start": period.start, "end": period.end, "tz": period.tz,
                "department_id": self.department_id, "agent_id": self.agent_id}


Work = Callable[[AsyncConnection], Awaitable[Any]]
Runner = Callable[[Work], Awaitable[Any]]


async def _tuned(conn: AsyncConnection, work: Work) -> Any:
    # A report sorts tens of thousands of durations: in memory, and without JIT compilation (which
    # costs more than it saves on queries of this size); for this transaction only, one round trip.
    await conn.execute(sa.text("SELECT set_config('work_mem', '32MB', true), set_config('jit', 'off', true)"))
    return await work(conn)


def on_engine(engine: AsyncEngine) -> Runner:
    """Run each part of a report on a pooled connection of its own, side by side."""
    async def run(work: Work) -> Any:
        async with engine.connect() as conn:
            return await _tuned(conn, work)
    return run


def on_connection(conn: AsyncConnection) -> Runner:
    """Run the parts of a report one after the other on one connection (the CLI's)."""
    lock = asyncio.Lock()

    async def run(work: Work) -> Any:
        async with lock:
            return await _tuned(conn, work)
    return run


def _percentiles(name: str) -> str:
    return f"percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY {name}) AS {name}"


# An ended chat carries its message count and first reply (a trigger, migration 0013); a chat still
# open has them counted now.
_MESSAGES = """CASE WHEN ch.status = 'ended' THEN ch.message_count
    ELSE (SELECT count(*) FROM chatdesk.messages m
          WHERE m.chat_id = ch.id AND m.sender_type <> 'system' AND NOT m.internal) END"""
_FIRST_REPLY = """CASE WHEN ch.first_assigned_at IS NULL THEN NULL WHEN ch.status = 'ended' THEN ch.first_reply_at
    ELSE (SELECT min(m.created_at) FROM chatdesk.messages m
          WHERE m.chat_id = ch.id AND m.sender_type = 'agent' AND NOT m.internal
            AND m.created_at >= ch.first_assigned_at) END"""


def _chat_figures_sql(scope: Scope, *, grouped: bool) -> str:
    """The chat figures of all the chats in scope and, `grouped`, of each department and each
    answering agent too: one scan, one sort per group set (GROUPING SETS)."""
    if grouped:
        keys = ("GROUPING(department_id) = 0 AS by_department, GROUPING(agent_id) = 0 AS by_agent, "
                "department_id, agent_id")
        group_by = "GROUP BY GROUPING SETS ((), (department_id), (agent_id))"
    else:
        keys, group_by = "false AS by_department, false AS by_agent", ""
    return f"""
WITH c AS (
    SELECT ch.department_id, ch.first_agent_id AS agent_id, ch.status, ch.first_assigned_at, ch.transfers,
           ch.rating, extract(epoch FROM ch.first_assigned_at - ch.created_at) AS wait,
           extract(epoch FROM ({_FIRST_REPLY}) - ch.first_assigned_at) AS first_response,
           CASE WHEN ch.status = 'ended' THEN extract(epoch FROM ch.ended_at - ch.first_assigned_at) END AS handle,
           {_MESSAGES} AS messages
    FROM chatdesk.chats ch WHERE {scope.where()}
)
SELECT {keys}, count(*) AS started, count(first_assigned_at) AS answered,
       count(*) FILTER (WHERE status = 'ended' AND first_assigned_at IS NULL) AS missed,
       {_percentiles("wait")}, {_percentiles("first_response")}, {_percentiles("handle")},
       coalesce(sum(messages), 0) AS messages, sum(transfers) AS transfers, count(rating) AS rated,
       count(*) FILTER (WHERE rating = 'good') AS rated_good
FROM c {group_by}
"""


def _seconds(value: Any) -> float | None:
    return None if value is None else round(float(value), 3)


def _figures(row: Any) -> dict[str, Any]:
    """One group's figures from its row (None where there is nothing to measure)."""
    figures = {name: getattr(row, name, None) for name in ("started", "answered", "missed", "rated", "rated_good")}
    for name in ("wait", "first_response", "handle"):
        p50, p90 = getattr(row, name) or (None, None)
        figures |= {f"{name}_p50_s": _seconds(p50), f"{name}_p90_s": _seconds(p90)}
    figures["transfers"] = int(row.transfers or 0)
    figures["messages_per_chat"] = round(int(row.messages) / row.started, 2) if row.started else None
    figures["csat"] = round(row.rated_good / row.rated, 4) if row.rated else None
    return {name: figures[name] for name in CHAT_FIGURES}


def _empty_figures() -> dict[str, Any]:
    zero = ("started", "answered", "missed", "transfers", "rated", "rated_good")
    return {name: 0 if name in zero else None for name in CHAT_FIGURES}


_OFFLINE_SQL = """
SELECT department_id, count(*) AS n FROM chatdesk.tickets
WHERE source = 'offline_message' AND created_at >= :start AND created_at < :end {department}
GROUP BY department_id
"""

# Each agent's online seconds, capacity seconds (max_chats x online seconds) and seconds spent in
# chats (one per chat held at once), within the period; an open interval ends now.
_AGENT_TIME_SQL = """
WITH log AS (
    SELECT agent_id, status, max_chats, at,
           coalesce(lead(at) OVER (PARTITION BY agent_id ORDER BY at, id), now()) AS until
    FROM chatdesk.agent_status_log WHERE at < :end {agent}
), online AS (
    SELECT agent_id, sum(extract(epoch FROM least(until, :end) - greatest(at, :start))) AS online_s,
           sum(max_chats * extract(epoch FROM least(until, :end) - greatest(at, :start))) AS capacity_s
    FROM log WHERE status = 'online' AND least(until, :end) > greatest(at, :start) GROUP BY agent_id
), held AS (
    SELECT agent_id, sum(extract(epoch FROM least(coalesce(released_at, now()), :end) - greatest(assigned_at, :start)))
           AS chat_s
    FROM chatdesk.chat_assignments
    WHERE assigned_at < :end AND coalesce(released_at, now()) > :start {agent}
    GROUP BY agent_id
)
SELECT coalesce(online.agent_id, held.agent_id) AS agent_id, coalesce(online_s, 0) AS online_s,
       coalesce(capacity_s, 0) AS capacity_s, coalesce(chat_s, 0) AS chat_s
FROM online FULL JOIN held ON held.agent_id = online.agent_id
"""


async def _rows(conn: AsyncConnection, sql: str, params: dict[str, Any]) -> list[Any]:
    return list((await conn.execute(sa.text(sql), params)).all())


async def summary_of(run: Runner, period: Period, scope: Scope) -> dict[str, Any]:
    """The chat figures and offline messages of all the chats in scope: what the previous period shows."""
    params = scope.params(period)
    overall, offline = await asyncio.gather(
        run(functools.partial(_rows, sql=_chat_figures_sql(scope, grouped=False), params=params)),
        run(functools.partial(_rows, sql=_offline_sql(scope), params=params)))
    return {**_figures(overall[0]), "offline_messages": None if scope.agent_id else sum(row.n for row in offline)}


def _offline_sql(scope: Scope) -> str:
    return _OFFLINE_SQL.format(department="AND department_id = :department_id" if scope.department_id else "")


async def figures(run: Runner, period: Period, scope: Scope) -> dict[str, Any]:
    """`summary`, `departments` and `agents` of the period: each with the chat figures; departments
    and the summary with offline messages, agents with online time and utilisation. The queries
    run side by side (`run`)."""
    params = scope.params(period)
    queries = [
        _chat_figures_sql(scope, grouped=True),
        _offline_sql(scope),
        _AGENT_TIME_SQL.format(agent="AND agent_id = :agent_id" if scope.agent_id else ""),
        "SELECT id, name FROM chatdesk.departments",
        "SELECT id, name FROM chatdesk.agents",
    ]
    results = await asyncio.gather(*(run(functools.partial(_rows, sql=sql, params=params)) for sql in queries))
    chat_rows, offline_rows, time_rows, department_list, agent_list = results
    summary = next(_figures(row) for row in chat_rows if not row.by_department and not row.by_agent)
    by_department = {row.department_id: _figures(row) for row in chat_rows if row.by_department}
    by_agent = {row.agent_id: _figures(row) for row in chat_rows if row.by_agent and row.agent_id}
    offline = {row.department_id: row.n for row in offline_rows}
    summary["offline_messages"] = None if scope.agent_id else sum(offline.values())

    department_names = {row.id: row.name for row in department_list}
    shown = ([scope.department_id] if scope.department_id else
             list(by_department) if scope.agent_id else list(department_names))
    departments = sorted(({"id": d, "name": department_names[d], **by_department.get(d, _empty_figures()),
                           "offline_messages": None if scope.agent_id else offline.get(d, 0)}
                          for d in shown if d in department_names), key=lambda row: row["name"])

    times = {row.agent_id: row for row in time_rows}
    agent_names = {row.id: row.name for row in agent_list}
    shown_agents = set(by_agent) | (set() if scope.department_id else set(times))
    agents = sorted(({"id": a, "name": agent_names.get(a, ""), **by_agent.get(a, _empty_figures()),
                      **_agent_time(times.get(a))} for a in shown_agents), key=lambda row: row["name"])
    return {"summary": summary, "departments": departments, "agents": agents}


def _agent_time(row: Any) -> dict[str, Any]:
    if row is None:
        return {"online_s": 0.0, "chat_s": 0.0, "capacity_s": 0.0, "utilisation": None}
    online, chat, capacity = (round(float(value), 3) for value in (row.online_s, row.chat_s, row.capacity_s))
    return {"online_s": online, "chat_s": chat, "capacity_s": capacity,
            "utilisation": round(chat / capacity, 4) if capacity else None}


def _daily_sql(scope: Scope) -> str:
    return f"""
SELECT (ch.created_at AT TIME ZONE :tz)::date AS day, count(*) AS started, count(ch.first_assigned_at) AS answered,
       count(*) FILTER (WHERE ch.status = 'ended' AND ch.first_assigned_at IS NULL) AS missed,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ch.first_assigned_at - ch.created_at)) AS wait
FROM chatdesk.chats ch WHERE {scope.where()} GROUP BY 1
"""


async def daily(conn: AsyncConnection, period: Period, scope: Scope) -> list[dict[str, Any]]:
    """One row per day of the period: chats started, answered, missed, the median wait."""
    rows = {row.day: row for row in await conn.execute(sa.text(_daily_sql(scope)), scope.params(period))}
    days = []
    for offset in range(period.days):
        day = period.first + timedelta(days=offset)
        row = rows.get(day)
        days.append({"date": day.isoformat(), "started": row.started if row else 0,
                     "answered": row.answered if row else 0, "missed": row.missed if row else 0,
                     "wait_p50_s": round(float(row.wait), 3) if row and row.wait is not None else None})
    return days


async def busiest_hours(conn: AsyncConnection, period: Period, scope: Scope) -> list[list[int]]:
    """Chats started by weekday (Monday first) and hour of the day, in the period's time zone."""
    sql = f"""
SELECT extract(isodow FROM ch.created_at AT TIME ZONE :tz)::int AS weekday,
       extract(hour FROM ch.created_at AT TIME ZONE :tz)::int AS hour, count(*) AS n
FROM chatdesk.chats ch WHERE {scope.where()} GROUP BY 1, 2
"""
    grid = [[0] * 24 for _ in range(7)]
    for row in await conn.execute(sa.text(sql), scope.params(period)):
        grid[row.weekday - 1][row.hour] = row.n
    return grid


async def comments(conn: AsyncConnection, period: Period, scope: Scope, limit: int | None) -> list[dict[str, Any]]:
    """Rated chats' comments, the latest first (`limit` of them, or all)."""
    sql = f"""
SELECT ch.id AS chat_id, ch.rating, ch.rating_comment AS comment, ch.rated_at, d.name AS department,
       a.name AS agent
FROM chatdesk.chats ch JOIN chatdesk.departments d ON d.id = ch.department_id
LEFT JOIN chatdesk.agents a ON a.id = ch.first_agent_id
WHERE {scope.where()} AND ch.rating IS NOT NULL AND coalesce(ch.rating_comment, '') <> ''
ORDER BY ch.rated_at DESC, ch.id {"LIMIT :limit" if limit else ""}
"""
    rows = await conn.execute(sa.text(sql), {**scope.params(period), "limit": limit})
    return [dict(row._mapping) for row in rows]


async def trigger_figures(conn: AsyncConnection, period: Period, scope: Scope) -> list[dict[str, Any]]:
    """Each proactive greeting (desk/triggers.py) of the department in scope, or of all: how many visitors
    it greeted in the period (`triggered`) and how many of those then started a chat (`engaged`). Greetings
    are no agent's work: an agent's report has none."""
    if scope.agent_id:
        return []
    department = "WHERE t.department_id = :department_id" if scope.department_id else ""
    sql = f"""
SELECT t.id, t.name, d.name AS department, t.enabled, count(f.trigger_id) AS triggered,
       count(f.engaged_at) AS engaged
FROM chatdesk.triggers t JOIN chatdesk.departments d ON d.id = t.department_id
LEFT JOIN chatdesk.trigger_firings f ON f.trigger_id = t.id AND f.fired_at >= :start AND f.fired_at < :end
{department} GROUP BY t.id, d.name ORDER BY t.name, t.id
"""
    rows = await conn.execute(sa.text(sql), scope.params(period))
    return [{**row._mapping, "engagement": round(row.engaged / row.triggered, 4) if row.triggered else None}
            for row in rows]


# The parts of a report each table needs (TABLES), and all of them.
PARTS = ("current", "previous", "daily", "busiest_hours", "comments", "triggers")
TABLE_PARTS = {"summary": ("current", "previous"), "departments": ("current",), "agents": ("current",),
               "daily": ("daily",), "hours": ("busiest_hours",), "comments": ("comments",), "triggers": ("triggers",)}


async def build_report(run: Runner, period: Period, scope: Scope, *, parts: tuple[str, ...] = PARTS,
                       comments_limit: int | None = COMMENTS_SHOWN) -> dict[str, Any]:
    """The figures of the period and of the previous one (docs/api.md, Reports): the `parts` asked
    for, each computed by `run` (side by side with `on_engine`)."""
    previous = period.previous()
    work: dict[str, Callable[[], Awaitable[Any]]] = {
        "current": lambda: figures(run, period, scope),
        "previous": lambda: summary_of(run, previous, scope),
        "daily": lambda: run(lambda conn: daily(conn, period, scope)),
        "busiest_hours": lambda: run(lambda conn: busiest_hours(conn, period, scope)),
        "comments": lambda: run(lambda conn: comments(conn, period, scope, comments_limit)),
        "triggers": lambda: run(lambda conn: trigger_figures(conn, period, scope)),
    }
    done = dict(zip(parts, await asyncio.gather(*(work[part]() for part in parts)), strict=True))
    report = {"period": period.json(), "previous_period": previous.json(), "department_id": scope.department_id,
              "agent_id": scope.agent_id, **done.pop("current", {})}
    return report | done


def _summary_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    before = report["previous"]
    return [{"figure": name, "value": value, "previous": before.get(name)} for name, value in report["summary"].items()]


def _hour_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"weekday": weekday + 1, "hour": hour, "chats": n}
            for weekday, hours in enumerate(report["busiest_hours"]) for hour, n in enumerate(hours)]


# The tables a report exports, each as rows of named columns (CSV).
TABLES: dict[str, Callable[[dict[str, Any]], list[dict[str, Any]]]] = {
    "summary": _summary_rows,
    "departments": lambda report: report["departments"],
    "agents": lambda report: report["agents"],
    "daily": lambda report: report["daily"],
    "hours": _hour_rows,
    "comments": lambda report: report["comments"],
    "triggers": lambda report: report["triggers"],
}

TABLE_COLUMNS = {
    "summary": ["figure", "value", "previous"],
    "departments": ["id", "name", *CHAT_FIGURES, "offline_messages"],
    "agents": ["id", "name", *CHAT_FIGURES, *AGENT_TIME],
    "daily": ["date", "started", "answered", "missed", "wait_p50_s"],
    "hours": ["weekday", "hour", "chats"],
    "comments": ["chat_id", "rating", "comment", "rated_at", "department", "agent"],
    "triggers": ["id", "name", "department", "enabled", "triggered", "engaged", "engagement"],
}


def table_csv(report: dict[str, Any], table: str) -> str:
    """One of TABLES as CSV with a header line; an empty cell where a figure has no value."""
    out = io.StringIO()
    writer = csv.DictWriter(out, TABLE_COLUMNS[table], extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in TABLES[table](report):
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return "" if value is None else value


async def live_queues(conn: AsyncConnection) -> list[Any]:
    """Per department now: `name`, `queued` chats, `longest_wait_s` of those (0 with none) and
    `agents_online` (`desk/availability.py:online`), for the Prometheus gauges."""
    queued = sa.and_(chats.c.department_id == departments.c.id, chats.c.status == "queued")
    query = sa.select(
        departments.c.name,
        sa.select(sa.func.count()).where(queued).scalar_subquery().label("queued"),
        sa.select(sa.func.coalesce(sa.func.extract("epoch", sa.func.now() - sa.func.min(chats.c.created_at)), 0))
        .where(queued).scalar_subquery().label("longest_wait_s"),
        online(departments.c.id).with_only_columns(sa.func.count()).scalar_subquery().label("agents_online"),
    )
    return list((await conn.execute(query)).all())
