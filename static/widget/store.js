/** The widget's one store: state, change notifications, and what survives a page load (localStorage). */

export const widgetId = location.pathname.split("/").pop();
const savedKey = `chatdesk:${widgetId}`;
const listeners = new Set();
let scheduled = false;

export const state = {
  settings: null,
  view: "loading", // loading | prechat | offline | sent | chat
  saved: readJson(savedKey, {}), // {token, name, email, chatId}: kept across page loads and tabs
  chat: null,
  messages: new Map(), // seq -> message
  outbox: [], // unsent messages, oldest first (outbox.js keeps them in localStorage)
  uploads: [], // {key, file, progress, error, retry}
  agentTyping: null, // the typing agent's name, or null
  agentReadSeq: 0,
  connected: true,
  open: false,
  identity: {}, // from Chatdesk.identify()
  pageUrl: null,
  rated: false,
};

export function readJson(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

export function writeJson(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* storage full or blocked: the widget still works for this page */
  }
}

/** Change state and re-render once per frame however many changes came in. */
export function update(patch = {}) {
  Object.assign(state, patch);
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(() => {
    scheduled = false;
    for (const listener of listeners) listener(state);
  });
}

export function subscribe(listener) {
  listeners.add(listener);
}

/** Merge into what is kept across page loads. */
export function remember(patch) {
  update({ saved: { ...state.saved, ...patch } });
  writeJson(savedKey, state.saved);
}

/** Another tab changed the saved visitor or chat: take it over. */
export function onSavedElsewhere(handler) {
  addEventListener("storage", (event) => {
    if (event.key === savedKey) handler(readJson(savedKey, {}));
  });
}

/** Messages in seq order. */
export function thread() {
  return [...state.messages.values()].sort((a, b) => a.seq - b.seq);
}

export function lastSeq() {
  let last = 0;
  for (const seq of state.messages.keys()) last = Math.max(last, seq);
  return last;
}
