// History (#/history[/<chat id>][?filters]): search every chat, the team's included, and read one whole, read-only:
// its messages, internal notes, system lines, files and rating, in the thread the conversation view uses.
import { request } from "/static/workspace/api.js";
import { avatar, h, icon, stateView } from "/static/workspace/dom.js";
import { fetchChat } from "/static/workspace/events.js";
import { statusWord, when } from "/static/workspace/format.js";
import { addressQuery, emptyText, filterForm, searchParams, useAddress } from "/static/workspace/history-filters.js";
import { ratingChip } from "/static/workspace/rating.js";
import { navigate } from "/static/workspace/router.js";
import { on, state } from "/static/workspace/store.js";
import { createThread } from "/static/workspace/thread.js";
import { t } from "/static/shared/i18n.js";

const PAGE = 25;
let openThread = null;  // the thread on screen, destroyed when another chat opens or the view closes
let searchTurn = 0;     // filters change faster than answers come: only the latest search is shown

function closeThread() {
  openThread?.destroy();
  openThread = null;
}

on("route", (route) => { if (route.view !== "history") closeThread(); });

/** A snippet's parts as text, the matched words in <mark>: never HTML from the server. */
function snippetView(parts) {
  return h("span", { class: "snippet" }, parts.map((part) => (part.match ? h("mark", {}, part.text) : part.text)));
}


function resultView(chat) {
  const who = chat.visitor.name || chat.visitor.email || t("visitor");
  const meta = [chat.agent?.name || t("noAgent"), chat.department.name, t("messagesCount", { count: chat.message_count })].join(" · ");
  return h("li", {}, h("a", { class: "history-result", href: `#/history/${chat.id}${addressQuery()}`,
    "aria-current": String(chat.id === state.route.id), dataset: { chatId: chat.id } },
    h("span", { class: "who" }, who),
    h("time", { class: "time", datetime: chat.created_at }, when(chat.created_at)),
    h("span", { class: "meta" }, chat.status === "ended" ? null : h("span", { class: "pill", dataset: { status: chat.status } }, statusWord(chat.status)),
      ratingChip(chat), chat.has_attachments ? h("span", { class: "clip", title: t("hasAttachments") }, icon("paperclip"),
        h("span", { class: "visually-hidden" }, t("hasAttachments"))) : null,
      h("span", { class: "agent" }, meta)),
    chat.snippet ? snippetView(chat.snippet)
      : chat.visitor.email && chat.visitor.name ? h("span", { class: "snippet muted" }, chat.visitor.email) : null));
}

/** Search with the current filters into `results`; with a `cursor`, append the page after it. */
async function runSearch(results, cursor = null) {
  const turn = ++searchTurn;
  const params = searchParams();
  params.set("limit", String(PAGE));
  if (cursor) params.set("cursor", cursor);
  results.setAttribute("aria-busy", "true");
  if (!cursor) results.replaceChildren(h("div", { class: "history-loading" }, h("div", { class: "skeleton" }), h("div", { class: "skeleton" })));
  try {
    const page = await request("GET", `/api/v1/chats/search?${params}`);
    if (turn !== searchTurn) return;
    let list = results.querySelector("ol");
    if (!cursor || !list) {
      list = h("ol", { class: "history-results", "aria-label": t("chatsFound") });
      results.replaceChildren(h("p", { class: "history-count", role: "status" }), list);
    }
    results.querySelector(".more")?.remove();
    list.append(...page.chats.map(resultView));
    const shown = list.children.length;
    results.querySelector(".history-count").textContent =
      t(shown === 1 ? "foundOne" : "foundMany", { count: `${shown}${page.next_cursor ? "+" : ""}` });
    if (!shown) results.replaceChildren(h("div", { class: "empty", role: "status" }, h("p", {}, emptyText())));
    if (page.next_cursor) {
      const more = h("button", { class: "button secondary more", type: "button" }, t("showMore"));
      more.addEventListener("click", () => { more.setAttribute("aria-busy", "true"); runSearch(results, page.next_cursor); });
      results.append(more);
    }
  } catch (failure) {
    const text = t("searchFailed", { error: failure.message });
    if (turn === searchTurn) results.replaceChildren(h("p", { class: "error load-error", role: "alert" }, text));
  } finally {
    if (turn === searchTurn) results.removeAttribute("aria-busy");
  }
}

function chatHeader(chat) {
  const name = chat.visitor?.name || t("visitor");
  const facts = [chat.visitor?.email, chat.agent ? t("withAgent", { name: chat.agent.name }) : t("withoutAgent"),
    state.departments.get(chat.department_id)?.name, t("startedWhen", { when: when(chat.created_at) })].filter(Boolean).join(" · ");
  return h("header", { class: "chat-header" },
    h("button", { class: "button ghost small back-link", type: "button", onclick: () => navigate(`#/history${addressQuery()}`) }, t("resultsBack")),
    avatar(name),
    h("div", { class: "who" }, h("h2", {}, name),
      h("p", {}, h("span", { class: "pill", dataset: { status: chat.status } }, statusWord(chat.status)), ` ${facts}`)));
}

function ratingView(chat) {
  if (!chat.rating) return null;
  return h("div", { class: "history-rating" }, ratingChip(chat), chat.rating_comment ? h("q", {}, chat.rating_comment) : null);
}

/** One chat, read-only: the thread the conversation view shows, without a composer. */
async function showChat(pane, chatId) {
  closeThread();
  pane.replaceChildren(stateView(t("openingChat"), ""));
  let chat;
  try {
    chat = await fetchChat(chatId);
  } catch (failure) {
    pane.replaceChildren(stateView(t("chatNotOpen"), failure.message,
      h("a", { class: "button secondary", href: `#/history${addressQuery()}` }, t("backToResults"))));
    return;
  }
  if (state.route.view !== "history" || state.route.id !== chatId) return;
  const threadWrap = h("div", { class: "thread-wrap" });
  const label = chat.visitor?.name ? t("chatWith", { name: chat.visitor.name }) : t("chatWithVisitor");
  pane.replaceChildren(h("section", { class: "conversation", "aria-label": label },
    chatHeader(chat), ratingView(chat), threadWrap,
    h("div", { class: "composer-closed" }, t("readOnlyFromHistory"))));
  openThread = createThread(threadWrap, chat, { onSeen: () => {} });
  if (matchMedia("(max-width: 1023px)").matches) pane.querySelector(".back-link").focus();  // the list is hidden now
}

let view = null;  // {root, results, pane} while History is on screen: opening a result keeps the list as it is

function markSelected(chatId) {
  view.root.toggleAttribute("data-open", Boolean(chatId));
  for (const link of view.results.querySelectorAll(".history-result")) {
    link.setAttribute("aria-current", String(link.dataset.chatId === chatId));
  }
}

/** The filters changed in the form: the address says so (without a new history entry), and the list follows. */
function filtersChanged(results) {
  const path = state.route.id ? `#/history/${encodeURIComponent(state.route.id)}` : "#/history";
  history.replaceState(history.state, "", path + addressQuery());
  runSearch(results);
}

/** Show History at `chatId` (or none) with the filters of the address's `query`. */
export function showHistory(main, chatId, query = new URLSearchParams()) {
  main.classList.add("fixed");
  if (useAddress(query) || !view || !main.contains(view.root)) {
    const results = h("div", { class: "history-list-body" });
    const pane = h("div", { class: "history-chat" });
    const { form, search } = filterForm(() => filtersChanged(results));
    const root = h("div", { class: "history-view" },
      h("section", { class: "history-list", "aria-labelledby": "history-title" },
        h("h1", { class: "visually-hidden", id: "history-title" }, t("history")), form, results), pane);
    main.replaceChildren(root);
    view = { root, results, pane, search };
    runSearch(results);
  }
  markSelected(chatId);
  if (chatId) showChat(view.pane, chatId);
  else {
    closeThread();
    view.pane.replaceChildren(stateView(t("findAnyChat"), t("findAnyChatText")));
    view.search.focus();
  }
}
