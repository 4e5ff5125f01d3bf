// An open chat in the main area: header with actions, the thread, the typing line and the composer.
import { request } from "/static/workspace/api.js";
import { avatar, h, stateView } from "/static/workspace/dom.js";
import { confirmEnd, convertToTicket, openTransferDialog } from "/static/workspace/actions.js";
import { createComposer } from "/static/workspace/composer.js";
import { fetchChat } from "/static/workspace/events.js";
import { statusWord } from "/static/workspace/format.js";
import { ratingChip } from "/static/workspace/rating.js";
import { changeCount, on, putChat, setAgentRead, state } from "/static/workspace/store.js";
import { createThread } from "/static/workspace/thread.js";
import { showRating, showVisitor } from "/static/workspace/visitor-panel.js";
import { t } from "/static/shared/i18n.js";

let current = null;  // {chatId, destroy}

function header(chat) {
  const mine = chat.agent?.id === state.agent.id;
  const status = chat.status === "active" && !mine ? t("withAgent", { name: chat.agent?.name }) : statusWord(chat.status);
  const actions = [];
  if (mine && chat.status === "active") {
    actions.push(h("button", { class: "button secondary small", type: "button", onclick: () => openTransferDialog(chat) }, t("transfer")),
      h("button", { class: "button secondary small", type: "button", onclick: () => confirmEnd(chat) }, t("endChat")));
  }
  actions.push(h("button", { class: "button secondary small", type: "button", onclick: (e) => convertToTicket(chat, e.currentTarget) },
    t("createTicket")));
  return h("header", { class: "chat-header" }, avatar(chat.visitor?.name || t("visitor")),
    h("div", { class: "who" }, h("h2", {}, chat.visitor?.name || t("visitor")),
      h("p", {}, h("span", { class: "pill", dataset: { status: chat.status } }, status),
        chat.visitor?.email ? ` ${chat.visitor.email}` : "", ratingChip(chat),
        chat.rating_comment ? h("q", { class: "rating-comment", title: chat.rating_comment }, chat.rating_comment) : null)),
    h("div", { class: "actions" }, actions));
}

function closedNote(chat) {
  if (chat.status === "ended") return t("endedNote");
  if (chat.status === "queued") return t("queuedNote");
  return t("withOtherNote", { name: chat.agent?.name || t("anotherAgent") });
}

/** "Marie is typing", announced politely once, and the visitor's unsent words (the typing preview)
    under it, shown but not announced: a screen reader would read them out at every keystroke. */
export function typingLine(element, chatId) {
  const who = h("span", { "aria-live": "polite" });
  const words = h("q", { class: "typing-preview" });
  element.replaceChildren(who, words);
  let timer = null;
  const show = () => {
    clearTimeout(timer);
    const typing = state.typing.get(chatId);
    const left = typing ? typing.until - Date.now() : 0;
    const line = left > 0 ? t("isTyping", { name: typing.name || t("theVisitor") }) : "";
    if (who.textContent !== line) who.textContent = line;
    words.textContent = left > 0 && typing.preview ? typing.preview : "";
    if (left > 0) timer = setTimeout(show, left);
  };
  show();
  const off = on(`typing:${chatId}`, show);
  return () => { off(); clearTimeout(timer); };
}

/** Mark the newest message read while the agent looks at it (once per seq). */
function reader(chatId) {
  let pending = null;
  return (seq) => {
    const chat = state.chats.get(chatId);
    if (!seq || document.hidden || !chat || chat.agent?.id !== state.agent.id || chat.status !== "active") return;
    if (seq <= (chat.agent_read_seq || 0)) return;
    setAgentRead(chatId, seq);
    clearTimeout(pending);
    pending = setTimeout(() => request("POST", `/api/v1/chats/${chatId}/read`, { seq }).catch(() => {}), 300);
  };
}

export function closeConversation() {
  current?.destroy();
  current = null;
}

export async function openConversation(main, panel, chatId) {
  closeConversation();
  performance.mark("thread-open");
  main.classList.add("fixed");
  main.replaceChildren(stateView(t("openingChat"), ""));
  let chat = state.chats.get(chatId);
  try {
    const since = changeCount();
    chat = await fetchChat(chatId);
    putChat(chat, { since });
    chat = state.chats.get(chatId);  // what an event said meanwhile wins
  } catch (failure) {
    main.replaceChildren(stateView(t("chatNotOpen"), failure.message,
      h("a", { class: "button secondary", href: "#/" }, t("backToChats"))));
    return;
  }
  if (state.route.id !== chatId) return;

  const threadWrap = h("div", { class: "thread-wrap" });
  const typing = h("div", { class: "typing" });
  const bottom = h("div");
  const label = chat.visitor?.name ? t("chatWith", { name: chat.visitor.name }) : t("chatWithVisitor");
  const view = h("section", { class: "conversation", "aria-label": label },
    h("div"), threadWrap, typing, bottom);
  main.replaceChildren(view);
  let composer = null;
  const thread = createThread(threadWrap, chat, { onSeen: reader(chatId) });
  requestAnimationFrame(() => performance.mark("thread-painted"));

  function refresh() {
    const latest = state.chats.get(chatId);
    view.firstElementChild.replaceWith(header(latest));
    showRating(panel, latest);
    const writable = latest.status === "active" && latest.agent?.id === state.agent.id;
    if (writable && !composer) composer = createComposer(bottom, latest);
    if (!writable) {
      composer?.destroy();
      composer = null;
      bottom.replaceChildren(h("div", { class: "composer-closed" }, closedNote(latest)));
    }
  }
  refresh();
  const offs = [on(`chat:${chatId}`, refresh), typingLine(typing, chatId)];
  showVisitor(panel, chat);
  composer?.textarea.focus();
  current = { chatId, destroy: () => { thread.destroy(); composer?.destroy(); offs.forEach((off) => off()); } };
}
