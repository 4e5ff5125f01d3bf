/** The one store: state, change notices, what survives a page load. */
import { tellHost } from "./host.js";

export const widgetId = location.pathname.split("/").pop();
const savedKey = `chatdesk:${widgetId}`;
const listeners = new Set();
let scheduled;

/* Without storage (third-party), the loader keeps a copy on the host page. */
const own = (() => { try { return localStorage.length >= 0 && localStorage; } catch { return null; } })();
let hostCopy = {};

function readJson(key, fallback) {
  try { return JSON.parse(own ? own.getItem(key) : hostCopy[key]) ?? fallback; } catch { return fallback; }
}

function writeJson(key, value) {
  const raw = JSON.stringify(value);
  if (!own) return tellHost("store", { key, value: hostCopy[key] = raw });
  try { own.setItem(key, raw); } catch { /* full: works for this page */ }
}

export function adoptHostCopy(stored) {
  if (own) return;
  hostCopy = stored || {};
  state.saved = readJson(savedKey, {});
}

export const state = {
  view: "loading", // loading | prechat | offline | sent | error | chat
  saved: readJson(savedKey, {}), // {token, name, user, chatId, seen}
  messages: new Map(),
  outbox: [],
  uploads: [],
  agentReadSeq: 0,
  connected: true,
  identity: {}, // from Chatdesk.identify()
};

/** Change state; listeners hear once per task. */
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

/** Merge into what is kept. */
export function remember(patch) {
  update({ saved: { ...state.saved, ...patch } });
  writeJson(savedKey, state.saved);
}

export const thread = () => [...state.messages.values()].sort((a, b) => a.seq - b.seq);
export const lastSeq = () => Math.max(0, ...state.messages.keys());

/** Unsent messages (outbox.js), kept. */
export const saveOutbox = (outbox) => { update({ outbox }); writeJson(`${savedKey}:outbox`, outbox); };
export const loadOutbox = () => update({ outbox: readJson(`${savedKey}:outbox`, []) });

/** Sent or deleted: out of the outbox. */
export function unqueue(clientMsgId) {
  const rest = state.outbox.filter((item) => item.client_msg_id !== clientMsgId);
  if (rest.length < state.outbox.length) saveOutbox(rest);
}
