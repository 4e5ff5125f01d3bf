/** The visitor's chat: start, resume, server state, read marks, unread counts. */
import { call } from "./api.js";
import { lang, said, t, uuid } from "./dom.js";
import { announce, tellHost } from "./host.js";
import { lastSeq, remember, state, thread, unqueue, update, widgetId } from "./store.js";

const PAGE = 500;
let readSent = 0;
let typingTimer;

/** Settings now (who takes chats changes), with the greetings for this page and visit. */
export async function loadSettings() {
  const query = new URLSearchParams({ page_url: state.pageUrl || "", visits: state.saved.visits || 1 });
  update({ settings: await call("GET", `/widgets/${widgetId}/settings?${query}`) });
  return state.settings;
}

/** Register if new, open a chat with the first message; a 409 rises. */
export async function startChat({ departmentId, body, consent, fields: { name, email, ...rest } }) {
  if (!state.saved.token) {
    remember({ name, email, token: (await call("POST", `/widgets/${widgetId}/visitors`,
      { name: name || null, email: email || null, page_url: state.pageUrl, fields: rest, language: lang() })).token });
  }
  try {
    await openChat((await call("POST", "/chats",
      { department_id: departmentId, message: { client_msg_id: uuid(), body }, consent })).chat);
  } catch (error) {
    const open = error.code === "conflict" && (await call("GET", "/chats")).chats.find((chat) => chat.status !== "ended");
    if (!open) throw error;
    await openChat(open);  // the visitor's open chat
  }
}

/** identify() with a user_hash: the verified visitor and their latest chat. */
export async function verify(who) {
  remember({ ...await call("POST", `/widgets/${widgetId}/visitors`, { ...who, language: lang() }), user: who.user_id });
  remember({ chatId: (await call("GET", "/chats")).chats[0]?.id });
}

async function openChat(chat) {
  update({ chat: null, messages: new Map(), agentTyping: null, agentReadSeq: 0, rated: false, view: "chat", draft: null });
  readSent = 0;
  applyChat(chat);
  await fillGap();
}

/** Take up the saved chat; false when there is none. */
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
  const { id, status } = chat;
  const held = state.chat;
  if (held && id !== held.id) return;
  update({ chat: { ...held, ...chat } });
  if (state.saved.chatId !== id) remember({ chatId: id });
  if (status === held?.status) return;
  if (status === "ended") update({ agentTyping: null });
  tellHost("live", { live: status !== "ended" });
  tellHost("event", { name: "chat", data: { status } });
}

/** Fetch every message after the last held. */
export async function fillGap() {
  const chatId = state.chat?.id;
  let page;
  do {
    page = await call("GET", `/chats/${chatId}/messages?after_seq=${lastSeq()}&limit=${PAGE}`);
    if (state.chat?.id !== chatId) return;
    addMessages(page.messages);
  } while (page.messages.length === PAGE);
}

/** Add new messages; a live one that skips a seq fetches the gap. */
export function addMessages(messages, live = false) {
  const known = lastSeq();
  const fresh = messages.filter((message) => message.chat_id === state.chat?.id && !state.messages.has(message.seq));
  if (!fresh.length) return;
  if (live && fresh[0].seq > known + 1) return void fillGap().catch(() => {});
  for (const message of fresh) {
    const { sender: { type, name }, body } = message;
    state.messages.set(message.seq, message);
    unqueue(message.client_msg_id);
    if (type === "visitor" || !(known || live)) continue;  // not a resumed chat's history
    if (type === "agent") update({ agentTyping: null });
    announce(`${name || t("support")}: ${said(message)}`);
    tellHost("event", { name: "message", data: { sender: name, body } });
  }
  update({ messages: state.messages });
  markRead();
}

/** Open and visible means read; tell the host the unread count. */
export function markRead() {
  const last = lastSeq();
  const chat = state.chat;
  let seen = state.saved.seen?.[chat?.id] || 0;
  if (state.open && !document.hidden && chat && last) {
    if (seen < last) remember({ seen: { [chat.id]: seen = last } });
    if (last > readSent && chat.status !== "ended") {
      readSent = last;
      call("POST", `/chats/${chat.id}/read`, { seq: last }).catch(() => { readSent = 0; });
    }
  }
  tellHost("unread", { count: thread().filter((m) => m.seq > seen && m.sender.type === "agent").length });
}

export function setAgentTyping(name, seconds) {
  clearTimeout(typingTimer);
  update({ agentTyping: name });
  if (name) typingTimer = setTimeout(() => update({ agentTyping: null }), seconds * 1000);
}
