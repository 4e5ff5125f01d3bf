/** The widget's one store: state, change notifications, and what survives a page load (localStorage). */
import { tellHost } from "./host.js";

export const widgetId = location.pathname.split("/").pop();
const savedKey = `chatdesk:${widgetId}`;
const listeners = new Set();
let scheduled = false;

/* The frame's own (chatdesk-origin) storage keeps the token from the host page. Browsers that block
   third-party storage get a copy kept by the loader in the host page's storage instead. */
const own = (() => { try { return localStorage.length >= 0 && localStorage; } catch { return null; } })();
let hostCopy = {};

export function readJson(key, fallback) {
  try {
    return JSON.parse(own ? own.getItem(key) : hostCopy[key]) ?? fallback;
  } catch {
    return fallback;
  }
}

export function writeJson(key, value) {
  const raw = JSON.stringify(value);
  if (!own) {
    hostCopy[key] = raw;
    return tellHost("store", { key, value: raw });
  }
  try {
    own.setItem(key, raw);
  } catch {
    /* storage full: the widget still works for this page */
  }
}

/** The loader's copy, when the frame has no storage of its own. */
export function adoptHostCopy(stored) {
  if (own) return;
  hostCopy = stored || {};
  state.saved = readJson(savedKey, {});
}

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
