/** The visitor's chat: start or resume it, apply what the server says, read marks and unread counts. */
import { call } from "./api.js";
import { uuid } from "./dom.js";
import { announce, tellHost } from "./host.js";
import { lastSeq, remember, state, thread, unqueue, update } from "./store.js";

const PAGE = 500;
let readSent = 0;
let typingTimer = null;

/** Register the visitor if new, open a chat with the first message; 409 no_agents_online rises. */
export async function startChat({ departmentId, body, fields: { name, email, ...rest } }) {
  if (!state.saved.token) {
    const visitor = await call("POST", `/widgets/${state.settings.widget_id}/visitors`,
      { name: name || null, email: email || null, page_url: state.pageUrl, fields: rest });
    remember({ token: visitor.token, name });
  }
  try {
    const { chat } = await call("POST", "/chats",
      { department_id: departmentId || null, message: { client_msg_id: uuid(), body } });
    await openChat(chat);
  } catch (error) {
    const open = error.code === "conflict" && (await call("GET", "/chats")).chats.find((chat) => chat.status !== "ended");
    if (!open) throw error;
    await openChat(open);  // this visitor already has an open chat: take it up again
  }
}

async function openChat(chat) {
  update({ chat: null, messages: new Map(), agentTyping: null, agentReadSeq: 0, rated: false, view: "chat" });
  readSent = 0;
  applyChat(chat);
  await fillGap();
}

/** Take up the saved chat after a page load; false when there is none. */
export async function resumeChat() {
  if (!state.saved.chatId) return false;
  try {
    await openChat((await call("GET", `/chats/${state.saved.chatId}`)).chat);
    return true;
  } catch (error) {
    if (error.retryable) throw error;
    remember(error.status === 401 ? { token: null, chatId: null } : { chatId: null });
    return false;
  }
}

export function applyChat(chat) {
  if (state.chat && chat.id !== state.chat.id) return;
  const status = state.chat?.status;
  update({ chat: { ...state.chat, ...chat } });
  if (state.saved.chatId !== chat.id) remember({ chatId: chat.id });
  if (chat.status === status) return;
  if (chat.status === "ended") update({ agentTyping: null });
  tellHost("live", { live: chat.status !== "ended" });
  tellHost("event", { name: "chat", data: { status: chat.status } });
}

/** Fetch every message after the last one held (a gap, a resync, a reconnect). */
export async function fillGap() {
  const chatId = state.chat?.id;
  let page;
  do {
    page = await call("GET", `/chats/${chatId}/messages?after_seq=${lastSeq()}&limit=${PAGE}`);
    if (state.chat?.id !== chatId) return;
    addMessages(page.messages);
  } while (page.messages.length === PAGE);
}

/** Add messages, dropping seqs already held; a live one that skips a seq fetches the gap. */
export function addMessages(messages, live = false) {
  const known = lastSeq();
  const fresh = messages.filter((message) => message.chat_id === state.chat?.id && !state.messages.has(message.seq));
  if (!fresh.length) return;
  if (live && fresh[0].seq > known + 1) return void fillGap().catch(() => {});
  for (const message of fresh) {
    state.messages.set(message.seq, message);
    unqueue(message.client_msg_id);
    if (message.sender.type === "visitor" || !(known || live)) continue;  // not the history of a resumed chat
    if (message.sender.type === "agent") update({ agentTyping: null });
    announce(`${message.sender.name || "Support"}: ${message.body}`);
    tellHost("event", { name: "message", data: { sender: message.sender.name, body: message.body } });
  }
  update({ messages: state.messages });
  markRead();
}

/** While the widget is open and visible, what it shows is read; the host gets the unread count. */
export function markRead() {
  const last = lastSeq();
  const chat = state.chat;
  if (state.open && !document.hidden && chat && last) {
    if ((state.saved.seen?.[chat.id] || 0) < last) remember({ seen: { [chat.id]: last } });
    if (last > readSent && chat.status !== "ended") {
      readSent = last;
      call("POST", `/chats/${chat.id}/read`, { seq: last }).catch(() => { readSent = 0; });
    }
  }
  const seen = state.saved.seen?.[chat?.id] || 0;
  tellHost("unread", { count: thread().filter((m) => m.seq > seen && m.sender.type === "agent").length });
}

export function setAgentTyping(name, seconds) {
  clearTimeout(typingTimer);
  update({ agentTyping: name });
  if (name) typingTimer = setTimeout(() => update({ agentTyping: null }), seconds * 1000);
}
