/** The event stream (SSE): resumes after the last event id; when the browser gives up, retries
    after a doubling pause with jitter. `handlers` are the app's: event type -> function. */
export function eventStream(handlers, { query, onOpen, onDown, beforeRetry }) {
  let source, timer, lastEventId;
  let delay = 1000;

  /** Opens once (true if open already); `force` replaces a stream that is down. */
  function connect(force) {
    if (source?.readyState === EventSource.OPEN) return true;
    if (source && !force) return;
    source?.close();
    clearTimeout(timer);
    const params = new URLSearchParams({ ...query?.(), ...lastEventId && { last_event_id: lastEventId } });
    source = new EventSource(`/api/v1/events?${params}`);
    source.onopen = () => { delay = 1000; onOpen(); };
    source.onerror = () => {
      onDown();
      if (source.readyState === EventSource.CLOSED) {
        timer = setTimeout(async () => { await beforeRetry?.(); connect(true); }, delay * (1 + Math.random()) / 2);
        delay = Math.min(delay * 2, 15000);
      }
    };
    for (const [type, handle] of Object.entries(handlers)) {
      source.addEventListener(type, (event) => {
        lastEventId = event.lastEventId || lastEventId;
        handle(JSON.parse(event.data || "{}"));
      });
    }
  }
  addEventListener("online", () => source && connect(true) && onOpen());
  addEventListener("offline", () => source && onDown());
  return connect;
}
