"""`chatdesk bench search`: history search over many chats, through the HTTP API.

The chats are written once (chatdesk/bench/search_seed.py); then an admin searches the way the
History view does: a page of 25, the last 90 days, for one word and for two words (both must
match), words drawn the way the chats' own words are (past the commonest). Each search is timed
from the request to the whole answer read.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from chatdesk.bench.accounts import signed_in_admin
from chatdesk.bench.search_seed import searched_words, seed, vocabulary
from chatdesk.bench.stats import percentiles

PAGE = 25
PERIOD_DAYS = 90
WARM_UP = 10  # searches before the timed ones: the first ones also load the indexes from disk


async def run_search(base_url: str, admin_email: str, admin_password: str, database_url: str, *, chats: int,
                     messages: int, samples: int, seed_value: int = 15) -> dict:
    """Seed (once), then time `samples` one-word and `samples` two-word searches."""
    started = time.perf_counter()
    seeded = await seed(database_url, chats, messages)
    seed_s = time.perf_counter() - started
    rng = random.Random(seed_value)
    words = vocabulary()
    since = (datetime.now(UTC) - timedelta(days=PERIOD_DAYS)).isoformat()
    timings: dict[str, list[float]] = {"one word": [], "two words": []}
    found: dict[str, list[int]] = {"one word": [], "two words": []}
    async with signed_in_admin(base_url, admin_email, admin_password, "bench search") as (_, admin, _):
        async def search(text: str) -> tuple[float, int]:
            began = time.perf_counter()
            _, page = await admin.request("GET", "/api/v1/chats/search",
                                          params={"q": text, "from": since, "limit": PAGE})
            return (time.perf_counter() - began) * 1000, len(page["chats"])

        for word in searched_words(WARM_UP, rng, words):
            await search(word)
        for kind, count in (("one word", 1), ("two words", 2)):
            for _ in range(samples):
                ms, hits = await search(" ".join(searched_words(count, rng, words)))
                timings[kind].append(ms)
                found[kind].append(hits)
    return {
        "chats": chats, "messages": messages, "seeded": seeded, "seed_s": round(seed_s, 1), "page": PAGE,
        "period_days": PERIOD_DAYS,
        "one_word_ms": percentiles(timings["one word"]), "two_words_ms": percentiles(timings["two words"]),
        **{f"{kind.replace(' ', '_')}_{what}": sum(test(hits) for hits in found[kind])
           for kind in found for what, test in (("found", bool), ("full_pages", lambda hits: hits == PAGE))},
    }
