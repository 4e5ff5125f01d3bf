/** The widget frame: boots from the saved visitor and chat, switches views, keeps focus inside. */
import { call } from "./api.js";
import { markRead, resumeChat } from "./chat.js";
import { mountComposer } from "./composer.js";
import { h } from "./dom.js";
import { buildEnded } from "./ended.js";
import { mountHeader } from "./header.js";
import { listenToHost, tellHost } from "./host.js";
import { connect } from "./live.js";
import { buildOffline, buildSent } from "./offline.js";
import { buildPrechat } from "./prechat.js";
import { adoptHostCopy, loadOutbox, state, subscribe, update, widgetId } from "./store.js";
import { mountThread } from "./thread.js";
import { attach } from "./uploads.js";

const app = document.getElementById("app");
const close = () => tellHost("close");
const focusables = () => [...app.querySelectorAll("button, input, textarea, select")]
  .filter((node) => !node.disabled && node.offsetParent);
const canAttach = () => state.view === "chat" && state.chat?.status !== "ended";

function focusFirst() {
  const nodes = focusables().filter((node) => node.closest(".pane"));
  (nodes.find((node) => node.matches("input, textarea, select")) || nodes[0])?.focus();
}

/** Tab and Shift+Tab cycle inside the widget; Esc minimises it. */
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") return close();
  if (event.key !== "Tab") return;
  const nodes = focusables();
  const [first, last] = [nodes[0], nodes[nodes.length - 1]];
  if (document.activeElement === (event.shiftKey ? first : last) || !app.contains(document.activeElement)) {
    event.preventDefault();
    (event.shiftKey ? last : first)?.focus();
  }
});
document.addEventListener("visibilitychange", markRead);

mountHeader(app, { onClose: close });
const formPane = h("main", { class: "pane" });
const chatPane = h("main", { class: "pane", hidden: true });
const drop = h("div", { class: "drop", hidden: true }, "Drop files to send them");
app.append(formPane, chatPane, drop);
const renderThread = mountThread(chatPane);
const footer = h("div", { class: "footer" });
chatPane.append(footer);
const composer = mountComposer(footer);

const VIEWS = {
  prechat: buildPrechat, offline: buildOffline, sent: buildSent,
  loading: () => h("p", { class: "done", role: "status" }, "Loading\u2026"),
  error: () => h("div", { class: "done", role: "alert" }, h("h2", {}, "Chat is unavailable right now"),
    h("button", { class: "button primary", onclick: boot }, "Try again")),
};
let shown = [];
let endedCard = null;
subscribe((current) => {
  if (current.view !== shown[0] || current.identity !== shown[1]) {  // Chatdesk.identify() fills the form in
    shown = [current.view, current.identity];
    formPane.replaceChildren(VIEWS[current.view]?.(current.identity) || "");
    formPane.hidden = current.view === "chat";
    chatPane.hidden = !formPane.hidden;
    if (current.open) focusFirst();
  }
  if (current.view !== "chat") return;
  renderThread(current);
  const ended = current.chat?.status === "ended";
  if (ended !== Boolean(endedCard)) {
    endedCard?.remove();
    endedCard = ended ? footer.appendChild(buildEnded()) : null;
    composer.hidden = ended;
    if (ended && current.open) endedCard.querySelector("button").focus();
  }
  connect();
});

/** Drag files anywhere onto an open chat to send them. */
app.addEventListener("dragover", (event) => {
  if (!canAttach() || !event.dataTransfer.types.includes("Files")) return;
  event.preventDefault();
  drop.hidden = false;
});
drop.addEventListener("dragleave", () => { drop.hidden = true; });
app.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.hidden = true;
  if (canAttach()) attach([...event.dataTransfer.files]);
});

async function boot() {
  update({ view: "loading" });
  try {
    const settings = await call("GET", `/widgets/${widgetId}/settings`);
    document.documentElement.style.cssText = `--accent:${settings.color};--accent-fg:${settings.color_text}`;
    update({ settings });
    if (!(await resumeChat())) update({ view: settings.agents_online ? "prechat" : "offline" });
  } catch {
    update({ view: "error" });
  }
}

function start({ stored, page_url: pageUrl } = {}) {
  update({ pageUrl });
  adoptHostCopy(stored);
  loadOutbox();
  boot();
}

listenToHost({
  onInit: start,
  onOpen: (open) => {
    update({ open });
    if (open) {
      markRead();
      focusFirst();
    }
  },
  onIdentify: (identity) => update({ identity }),
});
if (window.parent === window) start();  // opened on its own, not inside a host page
