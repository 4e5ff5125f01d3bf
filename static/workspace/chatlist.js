// "My chats" in the rail: unread counts, last-message previews, search (Ctrl+K), Alt+Up/Down between chats.
import { avatar, h } from "/static/workspace/dom.js";
import { when } from "/static/workspace/format.js";
import { navigate } from "/static/workspace/router.js";
import { on, setSearch, state } from "/static/workspace/store.js";
import { t } from "/static/shared/i18n.js";

let root = null;

const unread = (chat) => (chat.status === "active" ? chat.unread_count || 0 : 0);
const ENDED_SHOWN = 10;  // recently ended chats stay reachable (to make a ticket); older ones are in tickets
const lastActivity = (chat) => state.previews.get(chat.id)?.created_at || chat.assigned_at || chat.created_at;

function matches(chat) {
  const text = state.search.trim().toLowerCase();
  if (!text) return true;
  const preview = state.previews.get(chat.id)?.body || "";
  return [chat.visitor?.name, chat.visitor?.email, preview].some((value) => value?.toLowerCase().includes(text));
}

/** My chats in the order shown: active ones by latest activity, then ended ones. */
function myChats() {
  const mine = [...state.chats.values()].filter((chat) => chat.agent?.id === state.agent.id && chat.status !== "queued" && matches(chat));
  const byActivity = (a, b) => lastActivity(b).localeCompare(lastActivity(a));
  return [...mine.filter((c) => c.status === "active").sort(byActivity),
    ...mine.filter((c) => c.status === "ended").sort(byActivity).slice(0, ENDED_SHOWN)];
}

/** The last message; "You: " before my own, the colleague's name before theirs (a transfer note, or before a transfer). */
function previewText({ sender, body }) {
  if (sender.type !== "agent") return body;
  return t("previewBy", { name: sender.id === state.agent.id ? t("you") : sender.name, body });
}

function chatLink(chat) {
  const preview = state.previews.get(chat.id);
  const count = unread(chat);
    return h("li", {},
    h("a", { class: "chat-link", href: `#/chats/${chat.id}`, "aria-current": String(state.route.id === chat.id),
      dataset: { status: chat.status, unread: count ? String(count) : null, chatId: chat.id } },
      avatar(chat.visitor?.name || t("visitor")),
      h("span", { class: "who" }, chat.visitor?.name || t("visitor")),
      h("span", { class: "time" }, when(lastActivity(chat))),
      h("span", { class: "preview" }, preview ? previewText(preview) : t("noMessagesYet")),
      count ? h("span", { class: "badge", "aria-label": t("unreadCount", { count }) }, String(count)) : null));
}

function render() {
  const chats = myChats();
  const active = chats.filter((chat) => chat.status === "active");
  const ended = chats.filter((chat) => chat.status === "ended");
  root.replaceChildren(...[
    h("header", {}, h("h2", { id: "my-chats-title" }, t("myChats")),
      h("span", { class: "badge neutral", "aria-label": t("activeCount", { count: active.length }) }, String(active.length))),
    active.length ? h("ul", { class: "rail-list" }, active.map(chatLink))
      : h("p", { class: "rail-empty" }, t(state.search ? "noChatMatches" : "noActiveChats")),
    ended.length ? h("h2", { class: "rail-empty small" }, t("ended")) : null,
    ended.length ? h("ul", { class: "rail-list", "aria-label": t("endedChats") }, ended.map(chatLink)) : null,
  ].filter(Boolean));
}

function step(direction) {
  const chats = myChats();
  if (!chats.length) return;
  const index = chats.findIndex((chat) => chat.id === state.route.id);
  const next = chats[(index + direction + chats.length) % chats.length] || chats[0];
  navigate(`#/chats/${next.id}`);
}

export function mountChatList(element, search) {
  root = element;
  on("chats", render);
  on("route", render);
  // The filter follows the box: typing fires "input", but Esc empties a search field with a "search" event only.
  for (const type of ["input", "search"]) search.addEventListener(type, () => setSearch(search.value));
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
      event.preventDefault();
      if (!search.offsetParent) document.getElementById("search-open").click();  // collapsed to its icon: open it
      search.focus();
      search.select();
    } else if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      event.preventDefault();
      step(event.key === "ArrowUp" ? -1 : 1);
    }
  });
  render();
}
