// The workspace's one store: everything the components share, and a topic-based change signal.
// Components read `state`, change it only through the functions below, and listen with `on(topic)`.

export const state = {
  agent: null,
  departments: new Map(),  // id -> department
  chats: new Map(),        // id -> chat: the queue of the departments I serve, and my own chats
  previews: new Map(),     // chat id -> its last message
  threads: new Map(),      // chat id -> {messages: [] in seq order, contiguous, complete: true once seq 1 is held}
  typing: new Map(),       // chat id -> {name, preview, until}
  offers: new Map(),       // chat id -> {chat, expiresAt (ms)}
  quickResponses: [],
  connection: "connecting",  // "connecting" | "open" | "reconnecting"
  route: { view: "chats", id: null, section: null },
  search: "",
};

const listeners = new Map();

/** Call `listener(detail)` whenever `topic` changes; returns a function that stops it. */
export function on(topic, listener) {
  if (!listeners.has(topic)) listeners.set(topic, new Set());
  listeners.get(topic).add(listener);
  return () => listeners.get(topic).delete(listener);
}

export function emit(topic, detail) {
  for (const listener of listeners.get(topic) || []) listener(detail);
}

export function setAgent(agent) {
  state.agent = agent;
  emit("agent", agent);
}

export function setRoute(route) {
  state.route = route;
  emit("route", route);
}

export function setConnection(connection) {
  state.connection = connection;
  emit("connection", connection);
}

export function setSearch(text) {
  state.search = text;
  emit("chats");
}

export function setDepartments(list) {
  state.departments = new Map(list.map((department) => [department.id, department]));
  emit("chats");
}

/** Departments whose queue I serve: my memberships, or the default one when I have none. */
export function servesDepartment(departmentId) {
  const mine = state.agent?.department_ids || [];
  if (mine.length) return mine.includes(departmentId);
  return Boolean(state.departments.get(departmentId)?.is_default);
}

// Every change of a chat counts; a list or chat fetched when the count was `since` must not undo a
// change an event made while the request was in flight (a chat accepted while the queue reloads).
let changes = 0;
const changedAt = new Map();  // chat id -> the count when it last changed

/** The current count, to pass as `since` with what a request about to start returns. */
export function changeCount() {
  return changes;
}

/** Whether the chat changed after the count was `since` (undefined: no count to compare with). */
export function changedSince(chatId, since) {
  return since !== undefined && (changedAt.get(chatId) || 0) > since;
}

/** Store a chat; one fetched when the count was `since` is dropped if the chat changed after that. */
export function putChat(chat, { since } = {}) {
  if (changedSince(chat.id, since)) return;
  changedAt.set(chat.id, ++changes);
  const known = state.chats.get(chat.id);
  state.chats.set(chat.id, { ...known, ...chat });
  if (chat.status !== "queued" || (chat.offered_to && chat.offered_to !== state.agent?.id)) state.offers.delete(chat.id);
  emit("chats");
  emit(`chat:${chat.id}`);
}

/** Replace the queued chats with a list fetched when the count was `since` (my own chats stay). */
export function setQueue(queued, since) {
  for (const [id, chat] of state.chats) if (chat.status === "queued" && !changedSince(id, since)) state.chats.delete(id);
  for (const chat of queued) {
    if (changedSince(chat.id, since)) continue;
    changedAt.set(chat.id, ++changes);
    state.chats.set(chat.id, chat);
  }
  emit("chats");
}

export function setPreviews(entries) {
  for (const [chatId, message] of entries) state.previews.set(chatId, message);
  emit("chats");
}

/**
 * An offer made to me, counted down on this browser's clock (a skewed clock must not eat the
 * time to accept): a fresh one has the department's whole timeout; one found on reload, what is
 * left of it since `offered_at`.
 */
export function putOffer(chat, { fresh }) {
  const timeoutMs = (state.departments.get(chat.department_id)?.accept_timeout_s || 30) * 1000;
  const leftMs = fresh ? timeoutMs : Math.min(timeoutMs, Math.max(0, Date.parse(chat.offered_at) + timeoutMs - Date.now()));
  state.offers.set(chat.id, { chat, expiresAt: Date.now() + leftMs });
  putChat(chat);
  emit("offers");
}

export function dropOffer(chatId) {
  if (state.offers.delete(chatId)) emit("chats");
}

export function setTyping(chatId, name, typing, expiresInS, preview = "") {
  if (typing) state.typing.set(chatId, { name, preview, until: Date.now() + expiresInS * 1000 });
  else state.typing.delete(chatId);
  emit(`typing:${chatId}`);
}

export function thread(chatId) {
  if (!state.threads.has(chatId)) state.threads.set(chatId, { messages: [], complete: false, loaded: false });
  return state.threads.get(chatId);
}

/** The last seq held for a chat (0 when none). */
export function lastSeqHeld(chatId) {
  const messages = state.threads.get(chatId)?.messages;
  return messages?.length ? messages[messages.length - 1].seq : 0;
}

/** Merge messages into a chat's thread, dropping seqs already held; returns how many were new. */
export function addMessages(chatId, messages, { older = false } = {}) {
  const held = thread(chatId);
  const seen = new Set(held.messages.map((message) => message.seq));
  const fresh = messages.filter((message) => !seen.has(message.seq));
  if (!fresh.length) return 0;
  held.messages = older ? [...fresh, ...held.messages] : [...held.messages, ...fresh];
  if (older || fresh.some((message) => message.seq < held.messages[held.messages.length - 1].seq)) {
    held.messages.sort((a, b) => a.seq - b.seq);
  }
  held.complete = held.messages[0].seq === 1;
  state.previews.set(chatId, held.messages[held.messages.length - 1]);
  advance(chatId, fresh);
  emit(`thread:${chatId}`, { fresh, older });
  emit("chats");
  return fresh.length;
}

/**
 * Move a chat's `last_seq` past messages newer than it; each visitor message among them past the
 * agent's read mark adds to `unread_count` (system lines, notes and agents' own never do).
 */
export function advance(chatId, messages) {
  const chat = state.chats.get(chatId);
  if (!chat) return;
  for (const message of [...messages].sort((a, b) => a.seq - b.seq)) {
    if (message.seq <= chat.last_seq) continue;
    chat.last_seq = message.seq;
    if (message.sender.type === "visitor" && message.seq > (chat.agent_read_seq || 0)) {
      chat.unread_count = (chat.unread_count || 0) + 1;
    }
  }
  emit("chats");
}

/** The agent's read mark moved to `seq`: recount what is left unread from the thread held (none when it was the last). */
export function setAgentRead(chatId, seq) {
  const chat = state.chats.get(chatId);
  if (!chat || seq <= (chat.agent_read_seq || 0)) return;
  const held = state.threads.get(chatId)?.messages || [];
  const covered = held.length && held[0].seq <= seq + 1;
  const left = held.filter((message) => message.sender.type === "visitor" && message.seq > seq).length;
  const unread = seq >= chat.last_seq ? 0 : covered ? left : chat.unread_count;
  putChat({ ...chat, agent_read_seq: seq, unread_count: unread });
}

export function setQuickResponses(list) {
  state.quickResponses = list;
  emit("quick-responses");
}
