// The queue in the rail: offers made to me (countdown, accept/decline) and the chats waiting in my departments.
import { request } from "/static/workspace/api.js";
import { avatar, h, toast } from "/static/workspace/dom.js";
import { duration } from "/static/workspace/format.js";
import { navigate } from "/static/workspace/router.js";
import { dropOffer, on, state } from "/static/workspace/store.js";

let root = null;

async function acceptChat(chatId, button) {
  button?.setAttribute("aria-busy", "true");
  try {
    await request("POST", `/api/v1/chats/${chatId}/accept`);
    dropOffer(chatId);
    navigate(`#/chats/${chatId}`);
  } catch (failure) {
    toast(failure.status === 409 ? failure.message : `Could not accept: ${failure.message}`, "error");
  } finally {
    button?.removeAttribute("aria-busy");
  }
}

async function declineChat(chatId) {
  dropOffer(chatId);
  try {
    await request("POST", `/api/v1/chats/${chatId}/decline`);
  } catch (failure) {
    if (failure.status !== 409) toast(`Could not pass: ${failure.message}`, "error");
  }
}

const visitorName = (chat) => chat.visitor?.name || "Visitor";
const departmentName = (chat) => state.departments.get(chat.department_id)?.name || "";

function offerCard({ chat, expiresAt }) {
  const timeout = (state.departments.get(chat.department_id)?.accept_timeout_s || 30) * 1000;
  return h("article", { class: "offer", "aria-label": `Chat offered: ${visitorName(chat)}`, dataset: { chatId: chat.id } },
    h("div", { class: "title" }, avatar(visitorName(chat)), h("span", {}, visitorName(chat)),
      h("span", { class: "countdown", dataset: { expires: expiresAt, timeout }, "aria-label": "Time left to accept" })),
    h("div", { class: "muted small" }, `New chat · ${departmentName(chat)}`),
    h("div", { class: "meter", "aria-hidden": "true" }, h("span")),
    h("div", { class: "actions" },
      h("button", { class: "button primary small", type: "button", onclick: (e) => acceptChat(chat.id, e.currentTarget) }, "Accept"),
      h("button", { class: "button secondary small", type: "button", onclick: () => declineChat(chat.id) }, "Pass")));
}

function queueItem(chat) {
  const broadcast = state.departments.get(chat.department_id)?.routing_mode === "broadcast";
  return h("li", { class: "queue-item", dataset: { chatId: chat.id } },
    h("span", { class: "queue-position", "aria-label": `Position ${chat.queue_position ?? "?"}` }, String(chat.queue_position ?? "·")),
    h("span", { class: "who" }, visitorName(chat)),
    broadcast ? h("button", { class: "button primary small", type: "button",
      "aria-label": `Accept chat with ${visitorName(chat)}`, onclick: (e) => acceptChat(chat.id, e.currentTarget) }, "Accept") : null,
    h("span", { class: "meta" }, h("span", {}, departmentName(chat)),
      h("span", { class: "wait", dataset: { since: chat.created_at }, "aria-label": "Waiting for" })));
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
  root.replaceChildren(
    h("header", {}, h("h2", { id: "queue-title" }, "Queue"),
      h("span", { class: "badge neutral", "aria-label": `${waiting.length} waiting` }, String(waiting.length))),
    ...offers.map(offerCard),
    waiting.length ? h("ol", { class: "rail-list", "aria-label": "Waiting chats" }, waiting.map(queueItem))
      : h("p", { class: "rail-empty" }, offers.length ? "Nobody else is waiting." : "Nobody is waiting. New chats show up here."));
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
