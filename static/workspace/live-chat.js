// A chat opened from the Live view (#/live/<id>): the thread, live while the supervisor follows the chat
// (PUT .../watch: its events come on their stream), with no composer for the visitor. A supervisor
// whispers (an internal note only agents see), takes the chat over (then answers it in #/chats/<id>)
// or reassigns it to an agent with a free slot.
import { agentOption, dialog } from "/static/workspace/actions.js";
import { request } from "/static/workspace/api.js";
import { typingLine } from "/static/workspace/conversation.js";
import { avatar, h, icon, stateView, toast } from "/static/workspace/dom.js";
import { fetchChat } from "/static/workspace/events.js";
import { navigate } from "/static/workspace/router.js";
import { addMessages, changeCount, on, putChat, state } from "/static/workspace/store.js";
import { createThread } from "/static/workspace/thread.js";
import { t } from "/static/shared/i18n.js";

let current = null;  // {chatId, destroy}

export function closeLiveChat() {
  current?.destroy();
  current = null;
}

const visitorName = (chat) => chat.visitor?.name || t("visitor");

function statusText(chat) {
  if (chat.status === "active") return t("withAgent", { name: chat.agent?.name || t("anAgent") });
  return t(chat.status === "queued" ? "waitingInQueue" : "statusEnded");
}

async function takeOver(chat, button) {
  button.setAttribute("aria-busy", "true");
  try {
    putChat((await request("POST", `/api/v1/chats/${chat.id}/takeover`)).chat);
    toast(t("tookOver", { name: visitorName(chat) }));
    navigate(`#/chats/${chat.id}`);
  } catch (failure) {
    toast(failure.message, "error");
  } finally {
    button.removeAttribute("aria-busy");
  }
}

async function openReassignDialog(chat) {
  const { agents } = await request("GET", "/api/v1/agents/colleagues");
  const options = agents.filter((agent) => agent.id !== chat.agent?.id).map((agent) => agentOption(agent, agent.id));
  const target = h("select", { id: "reassign-target", required: true }, options);
  const note = h("textarea", { id: "reassign-note", rows: "3", maxlength: "500", placeholder: t("handOverNote") });
  dialog(t("reassignChatWith", { name: visitorName(chat) }), [
    h("div", { class: "field" }, h("label", { for: "reassign-target" }, t("reassignTo")), target),
    h("div", { class: "field" }, h("label", { for: "reassign-note" }, t("noteOptional")), note),
  ], t("reassign"), async () => {
    putChat((await request("POST", `/api/v1/chats/${chat.id}/reassign`,
      { agent_id: target.value, note: note.value.trim() || null })).chat);
    toast(t("reassignedTo", { name: target.selectedOptions[0].dataset.name }));
  });
}

function header(chat) {
  const open = chat.status === "active";
  const mine = chat.agent?.id === state.agent.id;
  return h("header", { class: "chat-header" },
    h("a", { class: "button ghost small live-back", href: "#/live", "aria-label": t("backToLive") }, t("liveBack")),
    avatar(visitorName(chat)),
    h("div", { class: "who" }, h("h2", {}, visitorName(chat)),
      h("p", {}, h("span", { class: "pill", dataset: { status: chat.status } }, statusText(chat)),
        chat.visitor?.email ? ` ${chat.visitor.email}` : "")),
    h("div", { class: "actions" },
      open && !mine
        ? h("button", { class: "button primary small", type: "button", onclick: (e) => takeOver(chat, e.currentTarget) }, t("takeOver")) : null,
      open ? h("button", { class: "button secondary small", type: "button", onclick: () => openReassignDialog(chat) }, t("reassign")) : null,
      mine ? h("a", { class: "button primary small", href: `#/chats/${chat.id}` }, t("answer")) : null));
}

/** The whisper box: an internal note (Enter sends, Shift+Enter breaks the line). */
function whisperForm(chatId) {
  const textarea = h("textarea", { id: "whisper", rows: "2", maxlength: "5000",
    placeholder: t("whisperPlaceholder") });
  const send = h("button", { class: "button primary", type: "submit" }, t("addNote"));
  const form = h("form", { class: "composer note whisper", "aria-label": t("whisper") },
    h("label", { class: "whisper-label", for: "whisper" }, icon("lock"), " ", t("internalNote")),
    h("div", { class: "composer-box" }, textarea, send));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = textarea.value.trim();
    if (!body) return;
    send.setAttribute("aria-busy", "true");
    try {
      const { message } = await request("POST", `/api/v1/chats/${chatId}/notes`, { client_msg_id: crypto.randomUUID(), body });
      addMessages(chatId, [message]);
      textarea.value = "";
    } catch (failure) {
      toast(t("noteNotAdded", { error: failure.message }), "error");
    } finally {
      send.removeAttribute("aria-busy");
      textarea.focus();
    }
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  return form;
}

export async function openLiveChat(main, chatId) {
  closeLiveChat();
  main.classList.add("fixed");
  main.replaceChildren(stateView(t("openingChat"), ""));
  const following = request("PUT", `/api/v1/chats/${chatId}/watch`).then(() => true, () => false);  // ended: read only
  let chat;
  try {
    await following;  // first follow, then read: nothing said in between is missed
    const since = changeCount();
    chat = await fetchChat(chatId);  // with what was said while nobody here followed it
    putChat(chat, { since });
    chat = state.chats.get(chatId);  // what an event said meanwhile wins
  } catch (failure) {
    main.replaceChildren(stateView(t("chatNotOpen"), failure.message,
      h("a", { class: "button secondary", href: "#/live" }, t("backToLive"))));
    return;
  }
  if (state.route.view !== "live" || state.route.id !== chatId) {
    if (await following) request("DELETE", `/api/v1/chats/${chatId}/watch`).catch(() => {});
    return;
  }

  const threadWrap = h("div", { class: "thread-wrap" });
  const typing = h("div", { class: "typing" });
  const bottom = h("div");
  const view = h("section", { class: "conversation live-conversation", "aria-label": t("chatReadOnly", { name: visitorName(chat) }) },
    h("div"), threadWrap, typing, bottom);
  main.replaceChildren(view);
  const thread = createThread(threadWrap, chat, { onSeen: () => {} });  // read marks are the chat's agent's
  let whisper = null;

  function refresh() {
    const latest = state.chats.get(chatId);
    view.firstElementChild.replaceWith(header(latest));
    if (latest.status !== "ended" && !whisper) bottom.replaceChildren(whisper = whisperForm(chatId));
    if (latest.status === "ended") {
      whisper = null;
      bottom.replaceChildren(h("div", { class: "composer-closed" }, t("chatHasEnded")));
    }
  }
  refresh();
  const offs = [on(`chat:${chatId}`, refresh), typingLine(typing, chatId)];
  current = {
    chatId,
    destroy: () => {
      thread.destroy();
      offs.forEach((off) => off());
      request("DELETE", `/api/v1/chats/${chatId}/watch`).catch(() => {});
    },
  };
}
