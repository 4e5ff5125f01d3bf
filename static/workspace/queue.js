// The queue in the rail: offers made to me (countdown, accept/decline) and the chats waiting in my departments.
import { request } from "/static/workspace/api.js";
import { avatar, h, toast } from "/static/workspace/dom.js";
import { duration } from "/static/workspace/format.js";
import { navigate } from "/static/workspace/router.js";
import { dropOffer, on, state } from "/static/workspace/store.js";
import { t } from "/static/shared/i18n.js";

let root = null;

async function acceptChat(chatId, button) {
  button?.setAttribute("aria-busy", "true");
  try {
    await request("POST", `/api/v1/chats/${chatId}/accept`);
    dropOffer(chatId);
    navigate(`#/chats/${chatId}`);
  } catch (failure) {
    toast(failure.status === 409 ? failure.message : t("acceptFailed", { error: failure.message }), "error");
  } finally {
    button?.removeAttribute("aria-busy");
  }
}

async function declineChat(chatId) {
  dropOffer(chatId);
  try {
    await request("POST", `/api/v1/chats/${chatId}/decline`);
  } catch (failure) {
    if (failure.status !== 409) toast(t("passFailed", { error: failure.message }), "error");
  }
}

const visitorName = (chat) => chat.visitor?.name || t("visitor");
const departmentName = (chat) => state.departments.get(chat.department_id)?.name || "";

function offerCard({ chat, expiresAt }) {
  const timeout = (state.departments.get(chat.department_id)?.accept_timeout_s || 30) * 1000;
  return h("article", { class: "offer", "aria-label": t("chatOffered", { name: visitorName(chat) }), dataset: { chatId: chat.id } },
    h("div", { class: "title" }, avatar(visitorName(chat)), h("span", {}, visitorName(chat)),
      h("span", { class: "countdown", dataset: { expires: expiresAt, timeout }, "aria-label": t("timeLeft") })),
    h("div", { class: "muted small" }, t("newChatIn", { department: departmentName(chat) })),
    h("div", { class: "meter", "aria-hidden": "true" }, h("span")),
    h("div", { class: "actions" },
      h("button", { class: "button primary small", type: "button", onclick: (e) => acceptChat(chat.id, e.currentTarget) }, t("accept")),
      h("button", { class: "button secondary small", type: "button", onclick: () => declineChat(chat.id) }, t("pass"))));
}

const broadcast = (chat) => state.departments.get(chat.department_id)?.routing_mode === "broadcast";

function queueItem(chat) {
  return h("li", { class: "queue-item", dataset: { chatId: chat.id } },
    h("span", { class: "queue-position", "aria-label": t("position", { position: chat.queue_position ?? "?" }) }, String(chat.queue_position ?? "·")),
    h("span", { class: "who" }, visitorName(chat)),
    broadcast(chat) ? h("button", { class: "button primary small", type: "button",
      "aria-label": t("acceptChatWith", { name: visitorName(chat) }), onclick: (e) => acceptChat(chat.id, e.currentTarget) }, t("accept")) : null,
    h("span", { class: "meta" }, h("span", {}, departmentName(chat)),
      h("span", { class: "wait", dataset: { since: chat.created_at }, "aria-label": t("waitingFor") })));
}

let shown = "";  // what the rail shows; re-rendering only on a change keeps keyboard focus on its buttons

function render() {
  const offers = [...state.offers.values()];
  const waiting = [...state.chats.values()]
    .filter((chat) => chat.status === "queued" && !state.offers.has(chat.id))
    .sort((a, b) => (a.queue_position ?? 1e9) - (b.queue_position ?? 1e9) || a.created_at.localeCompare(b.created_at));
  const signature = JSON.stringify([offers.map((offer) => [offer.chat.id, offer.expiresAt]),
    waiting.map((chat) => [chat.id, chat.queue_position, chat.visitor?.name, chat.department_id])]);
  if (signature === shown) return;
  shown = signature;
  // The count is of the chats I may take now: offered to me, or waiting with an Accept button (broadcast).
  const forMe = offers.length + waiting.filter(broadcast).length;
  root.replaceChildren(
    h("header", {}, h("h2", { id: "queue-title" }, t("queue")),
      h("span", { class: `badge${forMe ? "" : " neutral"}`, "aria-label": t("forYouToTake", { count: forMe }) }, String(forMe))),
    ...offers.map(offerCard),
    waiting.length ? h("ol", { class: "rail-list", "aria-label": t("waitingChats") }, waiting.map(queueItem))
      : h("p", { class: "rail-empty" }, t(offers.length ? "nobodyElseWaiting" : "nobodyWaiting")));
  tick();
}

/** Live wait times and offer countdowns, without re-rendering. */
function tick() {
  const now = Date.now();
  for (const element of root.querySelectorAll(".wait")) element.textContent = duration(now - Date.parse(element.dataset.since));
  for (const element of root.querySelectorAll(".countdown")) {
    const left = Math.min(Number(element.dataset.timeout), Math.max(0, Number(element.dataset.expires) - now));
    element.textContent = duration(Math.ceil(left / 1000) * 1000);
    const meter = element.closest(".offer").querySelector(".meter span");
    meter.style.width = `${Math.min(100, (left / Number(element.dataset.timeout)) * 100)}%`;
  }
}

export function mountQueue(element) {
  root = element;
  on("chats", render);
  on("offers", render);
  render();
  setInterval(tick, 1000);
}
