/** The visitor's chat: start or resume it, apply what the server says, keep read marks and unread counts. */
import { call } from "./api.js";
import { settle } from "./outbox.js";
import { announce, tellHost } from "./host.js";
import { lastSeq, remember, state, update } from "./store.js";
import { uuid } from "./dom.js";

const PAGE = 500;
let readSent = 0;

/** Register the visitor if needed, then open a chat with the first message. 409 no_agents_online rises. */
export async function startChat({ departmentId, body, fields }) {
  if (!state.saved.token) {
    const { name, email, ...rest } = fields;
    const visitor = await call("POST", `/widgets/${state.settings.widget_id}/visitors`,
      { name: name || null, email: email || null, page_url: state.pageUrl, fields: rest });
    remember({ token: visitor.token, name, email });
  }
  try {
    const { chat } = await call("POST", "/chats",
      { department_id: departmentId || null, message: { client_msg_id: uuid(), body } });
    await openChat(chat);
  } catch (error) {
    if (error.code !== "conflict") throw error;
    const { chats } = await call("GET", "/chats");  // already has an open chat: take it up again
    const open = chats.find((chat) => chat.status !== "ended");
    if (!open) throw error;
    await openChat(open);
  }
}

/** Show a chat and everything in it. */
export async function openChat(chat) {
  update({ messages: new Map(), agentTyping: null, agentReadSeq: 0, rated: false });
  readSent = 0;
  applyChat(chat);
  update({ view: "chat" });
  await fillGap();
}

/** Take up the saved chat after a page load; false when there is none to show. */
export async function resumeChat() {
  if (!state.saved.token || !state.saved.chatId) return false;
  try {
    const { chat } = await call("GET", `/chats/${state.saved.chatId}`);
    await openChat(chat);
    return true;
  } catch (error) {
    if (error.status === 401 || error.status === 404) remember({ chatId: null });
    if (error.status === 401) remember({ token: null });
    if (error.retryable) throw error;
    return false;
  }
}

export function applyChat(chat) {
  if (state.chat && chat.id !== state.chat.id && state.saved.chatId !== chat.id) return;
  const wasEnded = state.chat?.status === "ended";
  update({ chat: { ...state.chat, ...chat } });
  if (state.saved.chatId !== chat.id) remember({ chatId: chat.id });
  tellHost("live", { live: chat.status !== "ended" });
  if (chat.status === "ended") update({ agentTyping: null });
  if (chat.status === "ended" && !wasEnded) tellHost("event", { name: "chat", data: { status: "ended" } });
}

/** Fetch every message after the last one held (a gap, a resync, a reconnect). */
export async function fillGap() {
  const chatId = state.chat?.id;
  if (!chatId) return;
  for (;;) {
    const page = await call("GET", `/chats/${chatId}/messages?after_seq=${lastSeq()}&limit=${PAGE}`);
    if (state.chat?.id !== chatId) return;
    addMessages(page.messages);
    if (page.messages.length < PAGE) return;
  }
}

/** Add messages, dropping any seq already held; a jump in seq fetches what is missing first. */
export function addMessages(messages, { live = false } = {}) {
  const fresh = messages.filter((message) => message.chat_id === state.chat?.id && !state.messages.has(message.seq));
  if (!fresh.length) return;
  if (live && fresh[0].seq > lastSeq() + 1) {
    fillGap().catch(() => {});
    return;
  }
  const known = lastSeq();
  for (const message of fresh) {
    state.messages.set(message.seq, message);
    settle(message.client_msg_id);
    if (message.sender.type === "agent") update({ agentTyping: null });
  }
  update({ messages: state.messages });
  for (const message of fresh) {
    if (message.seq <= known || message.sender.type === "visitor") continue;
    announce(`${message.sender.name || "Support"}: ${message.body}`);
    tellHost("event", { name: "message", data: { sender: message.sender.name, body: message.body } });
  }
  markRead();
}

/** Agent messages the visitor has not seen (the widget was closed when they came). */
export function unreadCount() {
  let count = 0;
  for (const message of state.messages.values()) {
    if (message.seq > (state.saved.seenSeq?.[state.chat?.id] ?? 0) && message.sender.type === "agent") count += 1;
  }
  return count;
}

/** While the widget is open and visible, everything shown is read: tell the server and the host. */
export function markRead() {
  const last = lastSeq();
  if (state.open && !document.hidden && state.chat && last) {
    if ((state.saved.seenSeq?.[state.chat.id] ?? 0) < last) remember({ seenSeq: { [state.chat.id]: last } });
    if (last > readSent && state.chat.status !== "ended") {
      readSent = last;
      call("POST", `/chats/${state.chat.id}/read`, { seq: last }).catch(() => { readSent = 0; });
    }
  }
  tellHost("unread", { count: unreadCount() });
}

export function setAgentTyping(name, seconds) {
  clearTimeout(setAgentTyping.timer);
  update({ agentTyping: name });
  if (name) setAgentTyping.timer = setTimeout(() => update({ agentTyping: null }), seconds * 1000);
}
