"""A history of chats written straight into PostgreSQL, once, for benchmarks that read history.

`seed_history` writes departments, agents with their status history, chats (answered, missed,
transferred, rated, with comments), their messages, who held them, and offline messages, spread
evenly over the last `days` days, with a dozen INSERT ... SELECT generate_series statements.
A database seeded with the same sizes before is reused: the seed's marker (a widget named after
the sizes) is written in the same transaction as the rest.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg

from chatdesk.db.engine import connect


@dataclass(frozen=True)
class SeedSize:
    """Chats spread over `days`; an answered chat has `answered_messages`, a missed one 1. The
    defaults make 100,000 chats and 1,000,000 messages (90,000 x 11 + 10,000 x 1)."""

    chats: int = 100_000
    answered_messages: int = 11
    days: int = 60
    departments: int = 3
    agents: int = 20

    @property
    def marker(self) -> str:
        return (f"bench seed: {self.chats} chats ({self.answered_messages} messages when answered) over "
                f"{self.days} days, {self.departments} departments, {self.agents} agents")

    @property
    def messages(self) -> int:
        missed = self.chats // 10
        return (self.chats - missed) * self.answered_messages + missed


# Chat n (1..chats) starts at an even spread over the period, in department n % departments;
# every tenth is missed (ended in the queue after 60-299 s), the others are answered 5-300 s
# after the start by agent n % agents and ended 2-30 min after that; 1 in 20 transferred; 1 in 3
# rated (1 in 5 of those bad), 1 in 30 with a comment. `$1` is the seed's widget.
_STATEMENTS = [
    """INSERT INTO chatdesk.departments (name, routing_mode)
       SELECT 'bench seed {tag} department ' || d, 'broadcast' FROM generate_series(1, {departments}) d""",
    """INSERT INTO chatdesk.agents (email, name, password_hash, status, max_chats)
       SELECT 'bench-seed-{tag}-' || a || '@example.com', 'Bench seed agent ' || a, '!', 'offline', 3
       FROM generate_series(1, {agents}) a""",
    """CREATE TEMPORARY TABLE seed_agents ON COMMIT DROP AS
       SELECT row_number() OVER (ORDER BY email) - 1 AS n, id FROM chatdesk.agents
       WHERE email LIKE 'bench-seed-{tag}-%@example.com'""",
    """CREATE TEMPORARY TABLE seed_departments ON COMMIT DROP AS
       SELECT row_number() OVER (ORDER BY name) - 1 AS n, id FROM chatdesk.departments
       WHERE name LIKE 'bench seed {tag} department %'""",
    # Each agent online 08:00-17:00 UTC every day of the period.
    """INSERT INTO chatdesk.agent_status_log (agent_id, status, max_chats, at)
       SELECT a.id, s.status, 3, date_trunc('day', now()) - make_interval(days => day) + s.at
       FROM seed_agents a, generate_series(0, {days}) day,
            (VALUES ('online', interval '8 hours'), ('offline', interval '17 hours')) s(status, at)""",
    """INSERT INTO chatdesk.visitors (widget_id, name)
       SELECT $1, 'Bench seed visitor ' || v FROM generate_series(1, 1000) v""",
    """CREATE TEMPORARY TABLE seed_visitors ON COMMIT DROP AS
       SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM chatdesk.visitors WHERE widget_id = $1""",
    """CREATE TEMPORARY TABLE seed_chats ON COMMIT DROP AS
       SELECT n, gen_random_uuid() AS id,
              now() - make_interval(days => {days}) * (1 - n::float8 / {chats}) AS created_at,
              n % 10 <> 0 AS answered, make_interval(secs => 5 + n % 296) AS wait,
              make_interval(secs => CASE WHEN n % 10 <> 0 THEN 120 + n % 1680 ELSE 60 + n % 240 END) AS length
       FROM generate_series(1, {chats}) n""",
    """INSERT INTO chatdesk.chats (id, widget_id, visitor_id, department_id, agent_id, status, first_assigned_at,
                                   first_agent_id, assigned_at, ended_at, ended_by, last_seq, visitor_last_seq,
                                   transfers, rating, rating_comment, rated_at, created_at, message_count,
                                   first_reply_at)
       SELECT c.id, $1, v.id, d.id, answer.agent_id, 'ended', answer.at, answer.agent_id, answer.at,
              coalesce(answer.at, c.created_at) + c.length, 'visitor', answer.messages, answer.messages,
              CASE WHEN c.n % 20 = 1 THEN 1 ELSE 0 END,
              CASE WHEN c.answered AND c.n % 3 = 0 THEN CASE WHEN c.n % 5 = 0 THEN 'bad' ELSE 'good' END END,
              CASE WHEN c.answered AND c.n % 30 = 0 THEN 'Comment on chat ' || c.n END,
              CASE WHEN c.answered AND c.n % 3 = 0 THEN c.created_at + c.wait + c.length + interval '1 minute' END,
              c.created_at, answer.messages - CASE WHEN c.answered THEN 1 ELSE 0 END,
              answer.at + interval '90 seconds'  -- message 3, the agent's first
       FROM seed_chats c
       JOIN seed_visitors v ON v.n = c.n % 1000
       JOIN seed_departments d ON d.n = c.n % {departments}
       JOIN seed_agents a ON a.n = c.n % {agents}
       CROSS JOIN LATERAL (SELECT CASE WHEN c.answered THEN a.id END AS agent_id,
                                  CASE WHEN c.answered THEN c.created_at + c.wait END AS at,
                                  CASE WHEN c.answered THEN {answered_messages} ELSE 1 END AS messages) answer""",
    """INSERT INTO chatdesk.chat_assignments (chat_id, agent_id, assigned_at, released_at)
       SELECT id, agent_id, assigned_at, ended_at FROM chatdesk.chats WHERE widget_id = $1 AND agent_id IS NOT NULL""",
    # An answered chat: the "joined" line, then visitor and agent in turn, 30 s apart; a missed one:
    # the visitor's message.
    """INSERT INTO chatdesk.messages (chat_id, seq, client_msg_id, sender_type, sender_id, sender_name, body,
                                      created_at)
       SELECT ch.id, m, 'seed-' || m, kind.sender_type,
              CASE kind.sender_type WHEN 'visitor' THEN ch.visitor_id WHEN 'agent' THEN ch.agent_id END,
              CASE kind.sender_type WHEN 'visitor' THEN 'Visitor' WHEN 'agent' THEN 'Agent' END,
              'seeded message ' || m, coalesce(ch.first_assigned_at, ch.created_at) + m * interval '30 seconds'
       FROM chatdesk.chats ch
       CROSS JOIN LATERAL generate_series(1, ch.last_seq) m
       CROSS JOIN LATERAL (SELECT CASE WHEN ch.agent_id IS NULL OR m % 2 = 0 THEN 'visitor'
                                       WHEN m = 1 THEN 'system' ELSE 'agent' END AS sender_type) kind
       WHERE ch.widget_id = $1""",
    """INSERT INTO chatdesk.tickets (subject, requester_name, requester_email, source, widget_id, department_id,
                                     created_at)
       SELECT 'Offline message ' || t, 'Visitor', 'visitor@example.com', 'offline_message', $1, d.id,
              now() - make_interval(days => {days}) * (1 - t::float8 / ({chats} / 50))
       FROM generate_series(1, {chats} / 50) t JOIN seed_departments d ON d.n = t % {departments}""",
]


async def seed_once(database_url: str, marker: str,
                    write: Callable[[asyncpg.Connection, uuid.UUID], Awaitable[None]]) -> bool:
    """Unless a seed named `marker` is there: in one transaction, a widget named `marker` (the
    seed's own, so its other rows can hang on it) and `write(conn, widget_id)`; then the planner's
    statistics. True when it wrote the seed."""
    conn = await connect(database_url)
    try:
        if await conn.fetchval("SELECT 1 FROM chatdesk.widgets WHERE name = $1", marker):
            return False
        async with conn.transaction():
            await conn.execute("SET LOCAL maintenance_work_mem = '256MB'; SET LOCAL work_mem = '64MB'")
            widget = await conn.fetchval("INSERT INTO chatdesk.widgets (name) VALUES ($1) RETURNING id", marker)
            await write(conn, widget)
        await conn.execute("VACUUM ANALYZE")
        return True
    finally:
        await conn.close()


async def seed_history(database_url: str, size: SeedSize) -> bool:
    """Seed the history unless a seed of this size is there already; True when it wrote one."""
    async def write(conn: asyncpg.Connection, widget: uuid.UUID) -> None:
        # Whole numbers and the widget id's first hex digits (names of this seed's own) only;
        # the widget itself goes as $1.
        sizes = {**dataclasses.asdict(size), "tag": widget.hex[:8]}
        for statement in _STATEMENTS:
            sql = statement.format(**sizes)
            await conn.execute(sql, *([widget] if "$1" in sql else []))

    return await seed_once(database_url, size.marker, write)
