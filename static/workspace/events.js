// The agent's event stream (SSE): applies events to the store, heals gaps, shows the reconnect banner.
// Rules as in chatdesk/client.py: resume with Last-Event-ID (static/shared/stream.js), keep the last seq
// per chat, fill a seq jump over REST (after_seq), and on `resync` reload state through the normal start-up path.
import { eventStream } from "../shared/stream.js";
import { request } from "/static/workspace/api.js";
import {
  addMessages, advance, changeCount, changedSince, dropOffer, emit, lastSeqHeld, putChat, putOffer, setAgent, setConnection, setPreviews, setQueue,
  setAgentRead, setTyping, servesDepartment, state, thread,
} from "/static/workspace/store.js";

const PAGE = 100;

/** Queued chats of my departments and my own chats, with their previews. */
export async function loadChats() {
  const since = changeCount();
  const { chats } = await request("GET", "/api/v1/chats");
  const mine = chats.filter((chat) => chat.status !== "queued" || servesDepartment(chat.department_id));
  setQueue(mine.filter((chat) => chat.status === "queued"), since);
  const offered = new Set(mine.filter((chat) => chat.status === "queued" && chat.offered_to === state.agent.id).map((chat) => chat.id));
  for (const chatId of state.offers.keys()) {
    if (!offered.has(chatId) && !changedSince(chatId, since)) dropOffer(chatId);  // withdrawn while away
  }
  for (const chatId of offered) {
    const chat = state.chats.get(chatId);
    if (!state.offers.has(chatId) && chat.status === "queued" && chat.offered_to === state.agent.id) putOffer(chat, { fresh: false });
  }
  for (const chat of mine) if (chat.status !== "queued") putChat(chat, { since });
  setPreviews(mine.filter((chat) => chat.last_message).map((chat) => [chat.id, chat.last_message]));
}

let queueRefresh = null;

function refreshQueue() {
  clearTimeout(queueRefresh);  // a burst of queue.updated events makes one request
  queueRefresh = setTimeout(async () => {
    const since = changeCount();
    const { chats } = await request("GET", "/api/v1/chats?status=queued");
    setQueue(chats.filter((chat) => servesDepartment(chat.department_id)), since);
  }, 150);
}

/** Everything after the last seq held (all pages): a gap heals, a resync catches up. */
export async function fillAfter(chatId) {
  for (;;) {
    const after = lastSeqHeld(chatId);
    const page = await request("GET", `/api/v1/chats/${chatId}/messages?after_seq=${after}&limit=500`);
    addMessages(chatId, page.messages);
    if (page.messages.length < 500) return;
  }
}

/** A chat, fetched, with its thread held: the newest page the first time; later, what was said
 * since in a chat that is not mine (my own chats' threads follow my stream; others' may be stale). */
export async function fetchChat(chatId) {
  const { chat } = await request("GET", `/api/v1/chats/${chatId}`);
  const held = thread(chatId);
  if (!held.loaded) {
    await loadLatest(chatId, chat.last_seq);
    held.loaded = true;
  } else if (chat.agent?.id !== state.agent.id) await fillAfter(chatId);
  return chat;
}

/** The newest page of a thread (first open). */
export async function loadLatest(chatId, lastSeq) {
  const page = await request("GET", `/api/v1/chats/${chatId}/messages?before_seq=${lastSeq + 1}&limit=${PAGE}`);
  addMessages(chatId, page.messages);
  return page;
}

/** The page before the oldest message held; resolves to how many arrived. */
export async function loadOlder(chatId, firstSeq) {
  const page = await request("GET", `/api/v1/chats/${chatId}/messages?before_seq=${firstSeq}&limit=${PAGE}`);
  return addMessages(chatId, page.messages, { older: true });
}

function onMessage({ message }) {
  const chatId = message.chat_id;
  const held = state.threads.get(chatId);
  if (held?.messages.length && message.seq > lastSeqHeld(chatId) + 1) fillAfter(chatId);  // which counts the gap too
  else if (held?.messages.length || held?.loaded) addMessages(chatId, [message]);
  else {
    setPreviews([[chatId, message]]);
    advance(chatId, [message]);
  }
  if (message.sender.type === "visitor") setTyping(chatId, null, false);
  emit("message", message);
}

function onRead({ chat_id: chatId, reader, seq }) {
  const chat = state.chats.get(chatId);
  if (!chat) return;
  if (reader.type === "agent") setAgentRead(chatId, seq);
  else if (seq > (chat.visitor_read_seq || 0)) putChat({ ...chat, visitor_read_seq: seq });
}

function onChat({ chat }) {
  const theirs = chat.status === "queued" && !servesDepartment(chat.department_id);
  if (!theirs || state.chats.has(chat.id)) putChat(chat);
  if (chat.status === "queued") refreshQueue();
}

async function resync() {
  await loadChats();
  await Promise.all([...state.threads.keys()].filter((id) => state.threads.get(id).messages.length).map(fillAfter));
  emit("resync");  // what else the workspace holds (the tickets' count and views) reloads too
}

/** The visitor rated a chat this workspace holds (an ended chat may still be open): header and panel follow. */
function onRated({ chat_id: chatId, score, comment }) {
  const chat = state.chats.get(chatId);
  if (chat) putChat({ ...chat, rating: score, rating_comment: comment });
}

// One entry per event type an agent's stream carries (tests/test_event_catalogue.py compares the keys
// with chatdesk/desk/events.py).
const handlers = {
  ready() {},
  "message.created": onMessage,
  "message.read": onRead,
  typing: ({ chat_id: chatId, who, typing, expires_in_s: expires, preview }) =>
    setTyping(chatId, who.name, typing, expires, preview),
  "chat.assigned": (data) => { dropOffer(data.chat.id); onChat(data); },
  "chat.transferred": onChat,
  "chat.ended": onChat,
  "chat.offered": ({ chat }) => { putOffer(chat, { fresh: true }); emit("offer", chat); },
  "chat.offer_withdrawn": ({ chat_id: chatId }) => { dropOffer(chatId); refreshQueue(); },
  "chat.rated": onRated,
  "queue.updated": refreshQueue,
  presence: (data) => {
    if (data.agent_id === state.agent.id && data.status !== state.agent.status) setAgent({ ...state.agent, status: data.status });
    emit("presence", data);  // the admin's Agents page
  },
  "supervision.changed": () => emit("supervision"),  // the Live view fetches its snapshot again
  "ticket.created": ({ ticket }) => emit("ticket", ticket),
  "ticket.updated": ({ ticket }) => emit("ticket", ticket),
  resync,
};

/** The server ends the stream of a session that ended (expired, signed out, deactivated): then the
 * page reloads to the sign-in form instead of knocking forever. */
async function reloadIfSignedOut() {
  try {
    await request("GET", "/api/v1/agents/me");
  } catch (failure) {
    if (failure.status === 401) location.reload();
  }
}

const connect = eventStream(handlers, {
  onOpen: () => setConnection("open"),
  onDown: () => setConnection("reconnecting"),
  beforeRetry: reloadIfSignedOut,
});

export function connectEvents() {
  setConnection("connecting");
  connect();
}
