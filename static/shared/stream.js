/** The event stream (SSE) for both apps: resumes after the last event id; when the browser gives up,
    retries after a doubling pause with jitter. The app's `handlers` say what each event does
    (`resync` reloads what it holds; a seq gap is the app's to fill). */

/** Returns `connect(force)`: opens the stream once (true if open already); `force` replaces one that
    is down. `onOpen` on each (re)connect, `onDown` when it drops, `beforeRetry` awaited first. */
export function eventStream(handlers, { query, onOpen, onDown, beforeRetry = () => {} }) {
  let source, timer, lastEventId;
  let delay = 1000;

  function connect(force) {
    if (source?.readyState === EventSource.OPEN) return true;
    if (source && !force) return;
    source?.close();
    clearTimeout(timer);
    const params = new URLSearchParams(query?.());
    if (lastEventId) params.set("last_event_id", lastEventId);
    source = new EventSource(`/api/v1/events?${params}`);
    source.onopen = () => { delay = 1000; onOpen(); };
    source.onerror = () => {
      onDown();
      if (source.readyState === EventSource.CLOSED) {
        timer = setTimeout(async () => { await beforeRetry(); connect(true); }, delay * (1 + Math.random()) / 2);
        delay = Math.min(delay * 2, 15000);
      }
    };
    for (const [type, handle] of Object.entries({ ready() {}, ...handlers })) {
      source.addEventListener(type, (event) => {
        lastEventId = event.lastEventId || lastEventId;
        handle(JSON.parse(event.data || "{}"));
      });
    }
  }
  return connect;
}
