"""static/shared/stream.js, the event-stream client both apps use, in a real browser against a real server."""

from __future__ import annotations

import itertools

from playwright.sync_api import Page, expect

# Each retry waits between half and all of a pause that doubles from 1 s (jitter); a little slack for the request.
PAUSES_S = [1, 2, 4]
SLACK_S = 0.4


def test_a_refused_stream_is_retried_after_doubling_pauses_with_jitter(page: Page, live_server):
    page.goto(f"{live_server}/workspace/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()  # signed out: the stream answers 401
    downs = page.evaluate("""async (retries) => {
      const { eventStream } = await import("/static/shared/stream.js");
      const downs = [];
      await new Promise((done) => eventStream({}, {
        onOpen() {}, onDown: () => downs.push(performance.now()) > retries && done(),
      })());
      return downs;
    }""", len(PAUSES_S))
    gaps = [(later - earlier) / 1000 for earlier, later in itertools.pairwise(downs)]
    for gap, pause in zip(gaps, PAUSES_S, strict=False):
        assert pause / 2 <= gap <= pause + SLACK_S, f"retries after {gaps} s, not within doubling pauses {PAUSES_S}"
