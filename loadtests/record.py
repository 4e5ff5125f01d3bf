"""What the simulated users measured and saw, shared by every user of this locust process.

Timings go to locust as custom events (they show in its stats) and are kept raw here for the
report. `seen` is what each party of each chat saw: `{chat_id: {"visitor"|"agent": {seq: [message
id, times delivered by the stream]}}}`; `chatdesk loadtest` compares it with the database.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict

from locust import events

# The customer's measures, and the names they carry in locust's stats.
DELIVERY = "real-time delivery (POST -> SSE at the other party)"
CHAT_RESPONSE = "chat response (visitor message -> agent reply seen)"
QUEUE = "queue processing (chat created -> assigned seen)"


class Record:
    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.failures: dict[str, int] = defaultdict(int)
        self.sent_at: dict[str, float] = {}  # client_msg_id -> POST start, until the other party sees it
        self.seen: dict[str, dict[str, dict[int, list]]] = defaultdict(lambda: {"visitor": {}, "agent": {}})
        self.uploads = {"attempted": 0, "succeeded": 0}
        self.counts: dict[str, int] = defaultdict(int)
        self.in_flight = 0  # sends not answered yet
        self.last_event_at = time.perf_counter()
        self.stopping = False  # set when the run ends: no new messages, streams drain

    def measure(self, name: str, started: float, ended: float) -> None:
        ms = (ended - started) * 1000
        self.samples[name].append(ms)
        events.request.fire(request_type="measure", name=name, response_time=ms, response_length=0,
                            exception=None, context={})

    def fail(self, name: str, reason: str) -> None:
        self.failures[name] += 1
        events.request.fire(request_type="measure", name=name, response_time=0, response_length=0,
                            exception=RuntimeError(reason), context={})

    def saw(self, party: str, message: dict, by_stream: bool) -> None:
        """`party` has `message`, from its event stream or from a history fetch over REST."""
        entry = self.seen[message["chat_id"]][party].setdefault(message["seq"], [message["id"], 0])
        if by_stream:
            entry[1] += 1
            self.last_event_at = time.perf_counter()

    def delivered(self, message: dict, arrived_at: float) -> None:
        """The other party's stream brought `message`: delivery time if it was sent in this run."""
        started = self.sent_at.pop(message["client_msg_id"], None)
        if started is not None:
            self.measure(DELIVERY, started, arrived_at)

    def write(self, path: str, locust_failures: int, errors: list[dict]) -> None:
        """Everything measured, with locust's failed requests (what, why, how often), as JSON."""
        with open(path, "w") as file:
            json.dump({"samples": self.samples, "failures": self.failures, "uploads": self.uploads,
                       "counts": self.counts, "locust_failures": locust_failures, "errors": errors,
                       "seen": {chat: {party: {str(seq): v for seq, v in seqs.items()}
                                       for party, seqs in parties.items()}
                                for chat, parties in self.seen.items()}}, file)


record = Record()
