"""chatdesk's load test: visitors and agents behaving like real traffic.

Visitors load the widget settings, register, hold an event stream, start a chat, wait in the
queue, exchange a few messages (one with a file) with an agent, end the chat and rate it; then a
new visitor arrives in their place. Agents sign in, go online, hold an event stream, accept every
offer and answer each visitor message after a think time, up to their capacity.

Run it with `chatdesk loadtest` (which creates the agents, a widget and a department, passes
them in the file named by CHATDESK_LOADTEST_CONFIG and reads the results back), not alone.
"""

from __future__ import annotations

import io
import json
import os
import random
import time
import uuid
from pathlib import Path

import gevent
from gevent.event import Event
from gevent.pool import Group
from locust import HttpUser, between, constant, events, task
from PIL import Image

from event_stream import EventStream
from record import CHAT_RESPONSE, DELIVERY, QUEUE, record

CONFIG = json.loads(Path(os.environ["CHATDESK_LOADTEST_CONFIG"]).read_text())
VISITOR_THINK_S = CONFIG.get("visitor_think_s", [2.0, 4.0])
AGENT_THINK_S = CONFIG.get("agent_think_s", [0.5, 1.5])
WAIT_S = 30  # longest a visitor waits for an agent or a reply before counting a failure

_credentials = iter(CONFIG["agents"])
_agents_ready = Event()
_agents_up = 0
_background = Group()  # agents' accepts and replies
_streams: list[EventStream] = []


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(out, "PNG")
    return out.getvalue()


FILES = [("screenshot.png", _png(), "image/png"),
         ("order.txt", b"Order 1234: two items, not delivered.\n", "text/plain")]


def _expected(response, *statuses: int) -> None:
    """Count a request as failed unless it got one of `statuses`."""
    if response.status_code not in statuses:
        response.failure(f"{response.status_code}: {response.text[:200]}")
    else:
        response.success()


class Agent(HttpUser):
    """An agent in the workspace: online, accepting offers, answering after a think time."""

    fixed_count = len(CONFIG["agents"])
    wait_time = constant(15)

    def on_start(self) -> None:
        global _agents_up
        account = next(_credentials)
        response = self.client.post("/api/v1/auth/login", json=account)
        response.raise_for_status()
        self.headers = {"Authorization": f"Bearer {response.json()['token']}"}
        self.client.put("/api/v1/agents/me/status", json={"status": "online"}, headers=self.headers).raise_for_status()
        self.replied: set[str] = set()
        self.stream = EventStream(self.host, self.headers["Authorization"].split()[1], self.on_event)
        _streams.append(self.stream)
        if not self.stream.ready.wait(30):
            raise RuntimeError("agent event stream not ready within 30 s")
        _agents_up += 1
        if _agents_up == len(CONFIG["agents"]):
            _agents_ready.set()

    @task
    def look_at_my_chats(self) -> None:
        self.client.get("/api/v1/chats?status=active", headers=self.headers, name="/api/v1/chats?status=active")

    def on_event(self, event_type: str, data: dict, arrived_at: float) -> None:
        if event_type == "chat.offered":
            _background.spawn(self.accept, data["chat"]["id"])
        elif event_type == "message.created":
            message = data["message"]
            record.saw("agent", message, by_stream=True)
            if message["sender"]["type"] == "visitor":
                record.delivered(message, arrived_at)
                _background.spawn(self.reply, message)

    def accept(self, chat_id: str) -> None:
        with self.client.post(f"/api/v1/chats/{chat_id}/accept", headers=self.headers, catch_response=True,
                              name="/api/v1/chats/[id]/accept") as response:
            _expected(response, 200, 409)  # 409: the offer was withdrawn meanwhile
        if response.status_code != 200:
            return
        # The thread so far, as the workspace loads it when a chat opens.
        history = self.client.get(f"/api/v1/chats/{chat_id}/messages?after_seq=0&limit=500", headers=self.headers,
                                  name="/api/v1/chats/[id]/messages").json()["messages"]
        for message in history:
            record.saw("agent", message, by_stream=False)
        visitor_lines = [m for m in history if m["sender"]["type"] == "visitor"]
        if visitor_lines:
            self.reply(visitor_lines[-1])

    def reply(self, message: dict) -> None:
        """Answer `message` after a think time (once, however often it is seen)."""
        if message["client_msg_id"] in self.replied:
            return
        self.replied.add(message["client_msg_id"])
        gevent.sleep(random.uniform(*AGENT_THINK_S))  # the agent reads and types
        if record.stopping:
            return
        send(self.client, self.headers, message["chat_id"], f"Thanks, looking into it ({message['seq']}).",
             "reply-" + message["client_msg_id"], ok=(201, 200, 409))  # 409: the visitor ended the chat


def send(client, headers: dict, chat_id: str, body: str, client_msg_id: str, ok=(201, 200),
         attachment_ids: list[str] = ()) -> dict | None:
    """POST a message, its start time kept for the delivery measure."""
    record.sent_at[client_msg_id] = time.perf_counter()
    record.in_flight += 1
    try:
        with client.post(f"/api/v1/chats/{chat_id}/messages", headers=headers, catch_response=True,
                         json={"client_msg_id": client_msg_id, "body": body, "attachment_ids": list(attachment_ids)},
                         name="/api/v1/chats/[id]/messages POST") as response:
            _expected(response, *ok)
        record.counts["messages sent"] += 1
        return response.json()["message"] if response.status_code in (200, 201) else None
    finally:
        record.in_flight -= 1


class Visitor(HttpUser):
    """A visitor on a website with the widget: one conversation per iteration, then the next visitor."""

    weight = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        _agents_ready.wait()

    @task
    def conversation(self) -> None:
        self.client.get(f"/api/v1/widgets/{CONFIG['widget_id']}/settings",
                        name="/api/v1/widgets/[id]/settings").raise_for_status()
        response = self.client.post(f"/api/v1/widgets/{CONFIG['widget_id']}/visitors", json={
            "name": "Load visitor", "page_url": "https://shop.example.com/checkout"},
            name="/api/v1/widgets/[id]/visitors")
        response.raise_for_status()
        self.headers = {"Authorization": f"Bearer {response.json()['token']}"}
        self.assigned, self.chat_id = Event(), None
        self.waiting: dict[str, tuple[float, Event]] = {}  # client_msg_id -> (sent at, reply seen)
        stream = EventStream(self.host, response.json()["token"], self.on_event)
        _streams.append(stream)
        try:
            if not stream.ready.wait(WAIT_S):
                return record.fail("event stream ready", "no ready event")
            self.talk()
            if self.chat_id and not record.stopping:
                self.finish()
        finally:
            if not record.stopping:  # else the drain at the end closes it
                _streams.remove(stream)
                stream.close()

    def talk(self) -> None:
        first = str(uuid.uuid4())
        started = time.perf_counter()
        self.waiting[first] = (started, Event())
        with self.client.post("/api/v1/chats", headers=self.headers, catch_response=True, json={
                "department_id": CONFIG["department_id"],
                "message": {"client_msg_id": first, "body": "Hello, my order has not arrived."}}) as response:
            _expected(response, 201)
        if response.status_code != 201:
            return
        self.chat_id = response.json()["chat"]["id"]
        record.counts["chats started"] += 1
        record.seen[self.chat_id]  # touched, even if nothing arrives
        if not self.assigned.wait(WAIT_S):
            return record.fail(QUEUE, "not assigned in time")
        record.measure(QUEUE, started, self.assigned_at)
        if not self.await_reply(first):
            return
        for turn in range(random.randint(2, 3)):
            gevent.sleep(random.uniform(*VISITOR_THINK_S))  # the visitor reads and types
            attachment_ids = [self.upload()] if turn == 0 and random.random() < 0.5 else []
            cmid = str(uuid.uuid4())
            self.waiting[cmid] = (time.perf_counter(), Event())
            if send(self.client, self.headers, self.chat_id, f"More details, part {turn + 1}.", cmid,
                    attachment_ids=[a for a in attachment_ids if a]) is None or not self.await_reply(cmid):
                return

    def upload(self) -> str | None:
        name, data, content_type = random.choice(FILES)
        with self.client.post(f"/api/v1/chats/{self.chat_id}/attachments", headers=self.headers,
                              files={"file": (name, data, content_type)}, catch_response=True,
                              name="/api/v1/chats/[id]/attachments") as response:
            _expected(response, 201)
        record.uploads["attempted"] += 1  # counted once answered: the run's stop cutting one off is no failure
        if response.status_code != 201:
            return None
        record.uploads["succeeded"] += 1
        return response.json()["attachment"]["id"]

    def await_reply(self, cmid: str) -> bool:
        if self.waiting[cmid][1].wait(WAIT_S):
            return True
        record.fail(CHAT_RESPONSE, "no agent reply in time")
        return False

    def finish(self) -> None:
        """End the chat (also when it went wrong: the visitor leaves), rate it if it was answered,
        and see the thread through to its last line."""
        with self.client.post(f"/api/v1/chats/{self.chat_id}/end", headers=self.headers, catch_response=True,
                              name="/api/v1/chats/[id]/end") as response:
            _expected(response, 200)
        if response.status_code != 200:
            return
        last_seq = response.json()["chat"]["last_seq"]
        record.counts["chats ended"] += 1
        if self.assigned.is_set():
            with self.client.post(f"/api/v1/chats/{self.chat_id}/rating", headers=self.headers, catch_response=True,
                                  json={"score": random.choice(["good", "good", "good", "bad"])},
                                  name="/api/v1/chats/[id]/rating") as response:
                _expected(response, 200)
        seen = record.seen[self.chat_id]["visitor"]
        deadline = time.perf_counter() + WAIT_S
        while len(seen) < last_seq and time.perf_counter() < deadline:
            gevent.sleep(0.05)  # the last lines are on their way down the stream

    def on_event(self, event_type: str, data: dict, arrived_at: float) -> None:
        if event_type == "chat.assigned" and not self.assigned.is_set():
            self.assigned_at = arrived_at
            self.assigned.set()
        elif event_type == "message.created":
            message = data["message"]
            record.saw("visitor", message, by_stream=True)
            if message["sender"]["type"] == "agent":
                record.delivered(message, arrived_at)
                original = message["client_msg_id"].removeprefix("reply-")
                if original in self.waiting and not self.waiting[original][1].is_set():
                    record.measure(CHAT_RESPONSE, self.waiting[original][0], arrived_at)
                    self.waiting[original][1].set()
        elif event_type == "resync":
            record.counts["resyncs"] += 1


@events.test_stopping.add_listener
def _stopping(**_kwargs) -> None:
    record.stopping = True


@events.test_stop.add_listener
def _drain(environment, **_kwargs) -> None:
    """Let what was sent reach every stream (until 2 s pass quietly, at most 20 s), then report."""
    deadline = time.perf_counter() + 20
    _background.join(timeout=10)
    while time.perf_counter() < deadline and (record.in_flight or time.perf_counter() - record.last_event_at < 2):
        gevent.sleep(0.1)  # streams still bringing events
    record.counts["reconnects"] = sum(stream.reconnects for stream in _streams)
    for stream in _streams:
        stream.close()
    record.write(CONFIG["results"], environment.stats.total.num_failures,
                 [{"request": f"{error.method} {error.name}", "error": str(error.error), "count": error.occurrences}
                  for error in environment.stats.errors.values()])


@events.init.add_listener
def _progress(environment, **_kwargs) -> None:
    """One line every 5 s: what `chatdesk loadtest` shows while it runs."""
    def report() -> None:
        begin = time.perf_counter()
        while True:
            gevent.sleep(5)
            delivery = sorted(record.samples.get(DELIVERY, []))
            p50 = f"{delivery[len(delivery) // 2]:.0f} ms" if delivery else "-"
            print(f"[loadtest] {time.perf_counter() - begin:4.0f} s: {environment.runner.user_count} users, "
                  f"{record.counts['chats started']} chats, {record.counts['messages sent']} messages, "
                  f"delivery p50 {p50}, failures {environment.stats.total.num_failures}", flush=True)
    gevent.spawn(report)
