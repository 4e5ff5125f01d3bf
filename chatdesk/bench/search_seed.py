"""The chats `chatdesk bench search` searches: written once straight into PostgreSQL, found again later.

Everything is made by a few `INSERT ... SELECT generate_series` statements inside the database.
Message bodies draw their words from a ranked vocabulary with P(rank r) ~ 1/r (Zipf's law, as in
real text): a few words are everywhere, most are rare. A widget named after the sizes, written in
the same transaction, marks a finished seed, so a later run on the same database (`--data-dir`, or
`DATABASE_URL`) reuses it.
"""

from __future__ import annotations

import itertools
import random
import uuid

import asyncpg

from chatdesk.bench.seed import seed_once

AGENTS = 20
DEPARTMENTS = ("Sales", "Billing", "Technical")
VOCABULARY_SIZE = 20_000
SEARCHED_FROM_RANK = 50  # the bench searches no word more common than this (no one searches "the")

# The head of the vocabulary, most common first: what support chats say most.
_COMMON = """
the to i you and a is it my for of in on that have can this be with your order not we do me please will but
are at thanks an so if what there just no hi get was help how know need account would like from when one or
hello payment still see let as they all any about now check email could our up here time refund back new by
has been their again today card out yes problem number did want issue thank make sure delivery shipping should
app login password update change working error sent received price plan subscription cancel invoice address
phone package tracking week days already team product item return receipt charged twice discount code store
website page button screen message link download install version settings support agent manager ticket request
reply minutes hour tomorrow morning afternoon evening monday friday weekend office warehouse courier parcel
box size color model battery screen charger cable laptop tablet printer router network wifi server backup
storage upload file photo document contract signature renewal trial upgrade downgrade billing credit debit
bank transfer paypal wallet balance limit fee tax vat country region city street postcode customs
"""

_SYLLABLES = ("ka", "lo", "mi", "ra", "ve", "to", "su", "ne", "pa", "di", "ro", "an", "el", "is", "or", "um",
              "qua", "ber", "cin", "dor", "fen", "gal", "hur", "jas", "kor", "lem", "mun", "nix", "pol", "ras")

_FIRST = ("Ada", "Grace", "Alan", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Radia", "Tim", "Frances",
          "John", "Hedy", "Guido", "Katherine", "Edsger", "Donald", "Sophie", "Niklaus", "Anita")
_LAST = ("Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Perlman",
         "Berners", "Allen", "Backus", "Lamarr", "Rossum", "Johnson", "Dijkstra", "Knuth", "Wilson", "Wirth", "Borg")


def vocabulary(size: int = VOCABULARY_SIZE) -> list[str]:
    """`size` distinct words, ranked: the common head, then made-up words (product names, places...)."""
    words = list(dict.fromkeys(_COMMON.split()))
    made = ("".join(parts) for length in (2, 3, 4) for parts in itertools.product(_SYLLABLES, repeat=length))
    seen = set(words)
    for word in made:
        if len(words) >= size:
            break
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def searched_words(count: int, rng: random.Random, words: list[str]) -> list[str]:
    """Words people search for: drawn like the text's own words (Zipf), past the commonest."""
    ranks = range(SEARCHED_FROM_RANK, len(words))
    return rng.choices([words[rank] for rank in ranks], weights=[1 / (rank + 1) for rank in ranks], k=count)


def marker(chats: int, messages: int) -> str:
    return f"bench search: {chats} chats, {messages} messages"


# $1 is the widget, $2 the number of chats, $3 of messages. Chat i (1..$2) was started
# (365 days) * (1 - i/$2) ago, so the newest are the highest i; it has its visitor, its agent and
# department by i, and $3/$2 messages (one more for the first $3 % $2), 30 s apart: the odd ones
# the visitor's, every 10th an internal note. Messages are written in time order, as chats write them.
_VISITORS = """
INSERT INTO chatdesk.visitors (id, widget_id, name, email, created_at)
SELECT md5($1::uuid::text || ':visitor:' || i)::uuid, $1::uuid, first || ' ' || last,
       lower(first || '.' || last || i || '@example.com'), now() - interval '365 days' * (1 - i::float8 / $2::int)
FROM generate_series(1, $2::int) AS i,
     LATERAL (SELECT ($3::text[])[1 + i % array_length($3, 1)] AS first,
                     ($4::text[])[1 + (i / 7) % array_length($4, 1)] AS last) AS names
"""

_CHATS = """
INSERT INTO chatdesk.chats (id, widget_id, visitor_id, department_id, agent_id, status, assigned_at, ended_at,
                            ended_by, last_seq, visitor_last_seq, visitor_read_seq, agent_read_seq, rating,
                            rating_comment, rated_at, created_at)
SELECT md5($1::uuid::text || ':chat:' || i)::uuid, $1::uuid, md5($1::uuid::text || ':visitor:' || i)::uuid,
       ($5::uuid[])[1 + i % array_length($5, 1)], ($4::uuid[])[1 + (i * 7) % array_length($4, 1)], 'ended',
       started + interval '20 seconds', started + interval '30 seconds' * (count + 1), 'agent', count, count, count,
       count,
       CASE WHEN i % 4 = 0 THEN 'good' WHEN i % 19 = 0 THEN 'bad' END,
       CASE WHEN i % 19 = 0 THEN 'Took too long' END,
       CASE WHEN i % 4 = 0 OR i % 19 = 0 THEN started + interval '1 hour' END, started
FROM generate_series(1, $2::int) AS i,
     LATERAL (SELECT now() - interval '365 days' * (1 - i::float8 / $2::int) AS started,
                     $3::int / $2::int + CASE WHEN i <= $3::int % $2::int THEN 1 ELSE 0 END AS count) AS facts
"""

_MESSAGES = """
INSERT INTO chatdesk.messages (id, chat_id, seq, client_msg_id, sender_type, sender_id, sender_name, body,
                               internal, created_at)
SELECT gen_random_uuid(), md5($1::uuid::text || ':chat:' || chat)::uuid, seq, 'bench-' || seq,
       CASE WHEN seq % 2 = 1 THEN 'visitor' ELSE 'agent' END,
       CASE WHEN seq % 2 = 1 THEN md5($1::uuid::text || ':visitor:' || chat)::uuid
            ELSE ($4::uuid[])[1 + (chat * 7) % array_length($4, 1)] END,
       CASE WHEN seq % 2 = 1 THEN 'Visitor' ELSE ($5::text[])[1 + (chat * 7) % array_length($5, 1)] END,
       (SELECT string_agg(($6::text[])[floor(power(array_length($6, 1), random()))::int], ' ')
        FROM generate_series(1, 3 + (g % 13))),
       seq % 10 = 0,
       now() - interval '365 days' * (1 - chat::float8 / $2::int) + interval '30 seconds' * seq
FROM generate_series(0, $3::int - 1) AS g, LATERAL (SELECT g % $2::int + 1 AS chat, g / $2::int + 1 AS seq) AS place
ORDER BY chat, seq
"""

# About one chat in 40 has a file sent with its first message.
_ATTACHMENTS = """
INSERT INTO chatdesk.attachments (chat_id, message_id, uploader_type, uploader_id, name, size, content_type,
                                  storage_key, sha256, created_at)
SELECT m.chat_id, m.id, 'visitor', m.sender_id, 'receipt.pdf', 48213, 'application/pdf',
       'bench-search/' || m.id, repeat('0', 64), m.created_at
FROM chatdesk.messages m JOIN chatdesk.chats c ON c.id = m.chat_id
WHERE c.widget_id = $1::uuid AND m.seq = 1 AND (get_byte(decode(md5(m.chat_id::text), 'hex'), 0) % 50) = 0
"""


async def _staff(conn: asyncpg.Connection, tag: str) -> tuple[list, list[str], list]:
    """The seed's agents (who cannot sign in) and departments."""
    agents = await conn.fetch(
        "INSERT INTO chatdesk.agents (email, name, password_hash) "
        "SELECT 'bench-search-' || $1 || '-' || i || '@example.com', ($2::text[])[i], '!' "
        "FROM generate_series(1, $3) AS i RETURNING id, name",
        tag, [f"{_FIRST[i % len(_FIRST)]} {_LAST[(i + 3) % len(_LAST)]}" for i in range(AGENTS)], AGENTS)
    departments = await conn.fetch(
        "INSERT INTO chatdesk.departments (name, routing_mode) "
        "SELECT 'Bench ' || name || ' ' || $1, 'broadcast' FROM unnest($2::text[]) AS name RETURNING id",
        tag, list(DEPARTMENTS))
    return [row["id"] for row in agents], [row["name"] for row in agents], [row["id"] for row in departments]


async def seed(database_url: str, chats: int, messages: int) -> bool:
    """Write the chats unless a finished seed of these sizes is there; True if it wrote them."""
    async def write(conn: asyncpg.Connection, widget: uuid.UUID) -> None:
        agent_ids, agent_names, department_ids = await _staff(conn, widget.hex[:8])
        await conn.execute(_VISITORS, widget, chats, list(_FIRST), list(_LAST))
        await conn.execute(_CHATS, widget, chats, messages, agent_ids, department_ids)
        await conn.execute(_MESSAGES, widget, chats, messages, agent_ids, agent_names, vocabulary())
        await conn.execute(_ATTACHMENTS, widget)

    return await seed_once(database_url, marker(chats, messages), write)
