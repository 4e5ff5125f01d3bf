/** The widget frame: boots from the saved visitor and chat, switches views, keeps focus inside. */
import { call } from "./api.js";
import { markRead, resumeChat } from "./chat.js";
import { h } from "./dom.js";
import { buildEnded } from "./ended.js";
import { mountComposer } from "./composer.js";
import { mountHeader } from "./header.js";
import { listenToHost, tellHost } from "./host.js";
import { connect } from "./live.js";
import { buildOffline, buildSent } from "./offline.js";
import { loadOutbox } from "./outbox.js";
import { buildPrechat } from "./prechat.js";
import { adoptHostCopy, onSavedElsewhere, state, subscribe, update, widgetId } from "./store.js";
import { mountThread } from "./thread.js";
import { attach } from "./uploads.js";

const FOCUSABLE = "button, input, textarea, select, a[href], [tabindex='0']";
const app = document.getElementById("app");

function setOpen(open) {
  if (open === state.open) return;
  update({ open });
  if (open) {
    markRead();
    focusFirst();
  }
}

function close() {
  tellHost("close");
}

function focusables() {
  return [...app.querySelectorAll(FOCUSABLE)].filter((node) => !node.disabled && node.offsetParent !== null);
}

function focusFirst() {
  const pane = app.querySelector(".pane:not([hidden])");
  const target = pane?.querySelector("[aria-invalid], input, textarea, select") || pane?.querySelector(FOCUSABLE);
  (target || focusables()[0])?.focus();
}

/** Tab and Shift+Tab cycle inside the widget; Esc minimises it. */
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    close();
  } else if (event.key === "Tab") {
    const nodes = focusables();
    const edge = event.shiftKey ? nodes[0] : nodes[nodes.length - 1];
    if (document.activeElement === edge || !app.contains(document.activeElement)) {
      event.preventDefault();
      (event.shiftKey ? nodes[nodes.length - 1] : nodes[0])?.focus();
    }
  }
});
document.addEventListener("visibilitychange", markRead);

function applyTheme({ color }) {
  const [r, g, b] = [1, 3, 5].map((at) => parseInt(color.slice(at, at + 2), 16));
  const root = document.documentElement.style;
  root.setProperty("--accent", color);
  root.setProperty("--accent-fg", r * 0.299 + g * 0.587 + b * 0.114 > 160 ? "#09090b" : "#ffffff");
}

mountHeader(app, { onClose: close });
const formPane = h("main", { class: "pane form-pane", hidden: true });
const chatPane = h("main", { class: "pane chat-pane", hidden: true });
const drop = h("div", { class: "drop", hidden: true }, "Drop files to send them");
app.append(formPane, chatPane, drop);
const renderThread = mountThread(chatPane);
const footer = h("div", { class: "footer" });
chatPane.append(footer);
const composer = mountComposer(footer);

let shownView = null;
let endedCard = null;
subscribe((current) => {
  if (current.view !== shownView) {
    shownView = current.view;
    const build = { prechat: buildPrechat, offline: buildOffline, sent: buildSent, error: buildError }[current.view];
    formPane.replaceChildren(build ? build(current.identity) : h("div", { class: "loading", "aria-label": "Loading" }));
    formPane.hidden = current.view === "chat";
    chatPane.hidden = current.view !== "chat";
    if (current.open) focusFirst();
  }
  if (current.view !== "chat") return;
  renderThread(current);
  const ended = current.chat?.status === "ended";
  if (ended !== Boolean(endedCard)) {
    endedCard?.remove();
    endedCard = ended ? buildEnded() : null;
    if (endedCard) footer.append(endedCard);
    composer.hidden = ended;
  }
  connect();
});

function buildError() {
  return h("div", { class: "done", role: "alert" }, h("h2", {}, "Chat is unavailable right now"),
    h("p", {}, "Please check your connection and try again."),
    h("button", { type: "button", class: "button primary", onclick: boot }, "Try again"));
}

/** Drag files anywhere onto an open chat to send them. */
app.addEventListener("dragover", (event) => {
  if (state.view !== "chat" || state.chat?.status === "ended" || !event.dataTransfer.types.includes("Files")) return;
  event.preventDefault();
  drop.hidden = false;
});
drop.addEventListener("dragleave", () => { drop.hidden = true; });
app.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.hidden = true;
  if (state.view === "chat" && state.chat?.status !== "ended") attach([...event.dataTransfer.files]);
});

onSavedElsewhere(async (saved) => {
  const moved = saved.chatId !== state.saved.chatId || saved.token !== state.saved.token;
  update({ saved });
  if (moved && saved.chatId && (await resumeChat().catch(() => false))) connect({ force: true });
});

async function boot() {
  update({ view: "loading" });
  try {
    const settings = await call("GET", `/widgets/${widgetId}/settings`);
    applyTheme(settings);
    update({ settings });
    if (await resumeChat()) return;
    update({ view: settings.agents_online ? "prechat" : "offline" });
  } catch {
    update({ view: "error" });
  }
}

listenToHost({
  onInit: (stored) => {
    adoptHostCopy(stored);
    loadOutbox();
    boot();
  },
  onOpen: setOpen,
  onIdentify: (identity) => {
    update({ identity });
    for (const [name, value] of Object.entries(identity)) {
      const input = formPane.querySelector(`[name="${name}"]`);
      if (input && !input.value) input.value = value;
    }
  },
});
if (window.parent === window) {  // opened on its own, not in a host page
  loadOutbox();
  boot();
}
