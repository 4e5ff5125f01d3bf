// An open chat in the main area: header with actions, the thread, the typing line and the composer.
import { request } from "/static/workspace/api.js";
import { avatar, h, stateView } from "/static/workspace/dom.js";
import { confirmEnd, convertToTicket, openTransferDialog } from "/static/workspace/actions.js";
import { createComposer } from "/static/workspace/composer.js";
import { loadLatest } from "/static/workspace/events.js";
import { on, putChat, setAgentRead, state, thread as heldThread } from "/static/workspace/store.js";
import { createThread } from "/static/workspace/thread.js";
import { showVisitor } from "/static/workspace/visitor-panel.js";

let current = null;  // {chatId, destroy}

function header(chat) {
  const mine = chat.agent?.id === state.agent.id;
  const status = chat.status === "active" && !mine ? `with ${chat.agent?.name}` : chat.status;
  const actions = [];
  if (mine && chat.status === "active") {
    actions.push(h("button", { class: "button secondary small", type: "button", onclick: () => openTransferDialog(chat) }, "Transfer"),
      h("button", { class: "button secondary small", type: "button", onclick: () => confirmEnd(chat) }, "End chat"));
  }
  actions.push(h("button", { class: "button secondary small", type: "button", onclick: (e) => convertToTicket(chat, e.currentTarget) },
    "Create ticket"));
  return h("header", { class: "chat-header" }, avatar(chat.visitor?.name || "Visitor"),
    h("div", { class: "who" }, h("h2", {}, chat.visitor?.name || "Visitor"),
      h("p", {}, h("span", { class: "pill", dataset: { status: chat.status } }, status),
        chat.visitor?.email ? ` ${chat.visitor.email}` : "")),
    h("div", { class: "actions" }, actions));
}

function closedNote(chat) {
  if (chat.status === "ended") return "This chat has ended. Turn it into a ticket to follow up by email.";
  if (chat.status === "queued") return "This chat is waiting in the queue.";
  return `This chat is with ${chat.agent?.name || "another agent"}.`;
}

function typingLine(element, chatId) {
  let timer = null;
  const show = () => {
    clearTimeout(timer);
    const typing = state.typing.get(chatId);
    const left = typing ? typing.until - Date.now() : 0;
    element.textContent = left > 0 ? `${typing.name || "The visitor"} is typing` : "";
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
  main.replaceChildren(stateView("Opening the chat…", ""));
  let chat = state.chats.get(chatId);
  try {
    chat = (await request("GET", `/api/v1/chats/${chatId}`)).chat;
    putChat(chat);
    const held = heldThread(chatId);
    if (!held.loaded) {
      await loadLatest(chatId, chat.last_seq);
      held.loaded = true;
    }
  } catch (failure) {
    main.replaceChildren(stateView("This chat could not open", failure.message,
      h("a", { class: "button secondary", href: "#/" }, "Back to chats")));
    return;
  }
  if (state.route.id !== chatId) return;

  const threadWrap = h("div", { class: "thread-wrap" });
  const typing = h("div", { class: "typing", "aria-live": "polite" });
  const bottom = h("div");
  const view = h("section", { class: "conversation", "aria-label": `Chat with ${chat.visitor?.name || "visitor"}` },
    h("div"), threadWrap, typing, bottom);
  main.replaceChildren(view);
  let composer = null;
  const thread = createThread(threadWrap, chat, { onSeen: reader(chatId) });
  requestAnimationFrame(() => performance.mark("thread-painted"));

  function refresh() {
    const latest = state.chats.get(chatId);
    view.firstElementChild.replaceWith(header(latest));
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
