/** The one store: state, change notifications, what survives a page load (localStorage). */
import { tellHost } from "./host.js";

export const widgetId = location.pathname.split("/").pop();
const savedKey = `chatdesk:${widgetId}`;
const listeners = new Set();
let scheduled = false;

/* The frame's own storage keeps the token from the host page; where third-party storage is blocked,
   the loader keeps a copy in the host page's storage instead. */
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
  view: "loading", // loading | prechat | offline | sent | error | chat
  saved: readJson(savedKey, {}), // {token, name, chatId, seen}: kept across page loads and tabs
  messages: new Map(), // seq -> message
  outbox: [], // unsent messages, oldest first
  uploads: [],
  agentReadSeq: 0,
  connected: true,
  identity: {}, // from Chatdesk.identify()
};

/** Change state and re-render once per frame however many changes came in. */
export function update(patch) {
  Object.assign(state, patch);
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(() => {
    scheduled = false;
    for (const listener of listeners) listener(state);
  });
}

export const subscribe = (listener) => listeners.add(listener);

/** Merge into what is kept across page loads. */
export function remember(patch) {
  update({ saved: { ...state.saved, ...patch } });
  writeJson(savedKey, state.saved);
}

/** Messages in seq order. */
export const thread = () => [...state.messages.values()].sort((a, b) => a.seq - b.seq);
export const lastSeq = () => Math.max(0, ...state.messages.keys());

/** Messages waiting to be sent (outbox.js sends them), kept across page loads. */
export const saveOutbox = (outbox) => { update({ outbox }); writeJson(`${savedKey}:outbox`, outbox); };
export const loadOutbox = () => update({ outbox: readJson(`${savedKey}:outbox`, []) });

/** The server has this message (or the visitor deleted it): it leaves the outbox. */
export function unqueue(clientMsgId) {
  if (state.outbox.some((item) => item.client_msg_id === clientMsgId)) {
    saveOutbox(state.outbox.filter((item) => item.client_msg_id !== clientMsgId));
  }
}
