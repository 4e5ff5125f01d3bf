"""An SSE stream held in its own greenlet, each event timestamped as it arrives.

A locust user owns one, so no user greenlet ever blocks on a stream: the stream reads in the
background and hands `(type, data, arrived_at)` to a callback, which must not block (anything
that talks to the server is spawned). It reconnects with `Last-Event-ID` after a drop, as the
widget and the workspace do (chatdesk/client.py is the reference, and parses the frames).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import gevent
import requests
from gevent.event import Event

from chatdesk.bench.client import SseParser

OnEvent = Callable[[str, dict, float], None]


class EventStream:
    def __init__(self, base_url: str, token: str, on_event: OnEvent) -> None:
        self.url = base_url + "/api/v1/events"
        self.token = token
        self.on_event = on_event
        self.ready = Event()  # set at the first `ready` event
        self.reconnects = 0
        self.last_event_id: str | None = None
        self._session = requests.Session()
        self._closed = False
        self._greenlet = gevent.spawn(self._run)

    def close(self) -> None:
        """Stop reading: the reading greenlet is killed and closes its response itself."""
        self._closed = True
        self._greenlet.kill(timeout=5)
        self._session.close()

    def _run(self) -> None:
        delay = 0.05
        while not self._closed:
            headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
            if self.last_event_id:
                headers["Last-Event-ID"] = self.last_event_id
            try:
                with self._session.get(self.url, headers=headers, stream=True, timeout=(5, 30)) as response:
                    if 400 <= response.status_code < 500:
                        raise RuntimeError(f"event stream refused: {response.status_code} {response.text[:200]}")
                    if response.status_code == 200:
                        delay = 0.05
                        self._read(response)
            except (requests.RequestException, OSError, ValueError):
                pass  # a drop: reconnect below
            if self._closed:
                return
            self.reconnects += 1
            gevent.sleep(delay)  # back-off before reconnecting
            delay = min(delay * 2, 2.0)

    def _read(self, response: requests.Response) -> None:
        parser = SseParser()
        for raw in response.iter_lines(chunk_size=None):
            event = parser.feed(raw.decode())
            if event is None:
                continue
            if event.id:
                self.last_event_id = event.id
            if event.type == "ready":
                self.ready.set()
            self.on_event(event.type, event.data, time.perf_counter())
