/** The widget frame: boot, views, focus kept inside. */
import { loadSettings, markRead, resumeChat, verify } from "./chat.js";
import { mountComposer } from "./composer.js";
import { h, t } from "./dom.js";
import english from "./english.js";
import { buildEnded } from "./ended.js";
import { mountHeader } from "./header.js";
import { listenToHost, tellHost } from "./host.js";
import { connect } from "./live.js";
import { buildOffline, buildSent } from "./offline.js";
import { buildPrechat } from "./prechat.js";
import { adoptHostCopy, loadOutbox, state, subscribe, update } from "./store.js";
import { mountThread } from "./thread.js";
import { countVisit, greeting, watchTriggers } from "./triggers.js";
import { attach } from "./uploads.js";
import { setLanguage, useCatalogue } from "../shared/i18n.js";

// The words first: the settings say which language (docs/api.md, The widget).
useCatalogue(english, "/static/widget/i18n");
let early = loadSettings();
await setLanguage(await early.then((settings) => settings.language, () => "en"));

const app = document.getElementById("app");
const close = () => tellHost("open", { open: false });
const focusables = () => [...app.querySelectorAll("button, input, textarea, select")]
  .filter((n) => !n.disabled && n.offsetParent);
const canAttach = () => state.view === "chat" && state.chat?.status !== "ended";
const inForms = () => /prechat|offline/.test(state.view);

function focusFirst() {
  const nodes = focusables().filter((n) => n.closest(".pane"));
  (nodes.find((n) => n.matches("input, textarea, select")) || nodes[0])?.focus();
}

/** Tab cycles inside; Esc minimises. */
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape") return close();
  if (e.key !== "Tab") return;
  const nodes = focusables();
  const [first, last] = e.shiftKey ? [nodes.at(-1), nodes[0]] : [nodes[0], nodes.at(-1)];
  if (document.activeElement === last || !app.contains(document.activeElement)) {
    e.preventDefault();
    first?.focus();
  }
});
document.addEventListener("visibilitychange", markRead);

mountHeader(app, { onClose: close });
const formPane = h("main", { class: "pane" });
const chatPane = h("main", { class: "pane", hidden: true });
const drop = h("div", { class: "drop", hidden: true }, t("drop"));
app.append(formPane, chatPane, drop);
const renderThread = mountThread(chatPane);
const footer = h("div", { class: "footer" });
chatPane.append(footer);
const composer = mountComposer(footer);

const VIEWS = {
  prechat: buildPrechat, offline: buildOffline, sent: buildSent,
  loading: () => h("p", { class: "done", role: "status" }, t("loading")),
  error: () => h("div", { class: "done", role: "alert" }, h("h2", {}, t("unavailable")),
    h("button", { class: "button primary", onclick: boot }, t("tryAgain"))),
};
let shown = "";
let endedCard;
subscribe(({ view, identity, settings, open, chat, greeting: greeted }) => {
  // identify(), a greeting or new departments on offer redraw the form; typed text stays.
  const next = [view, settings?.departments.map((item) => item.available), greeted?.id];
  if (`${next}` !== `${shown}` || identity !== shown.identity) {
    const typed = formPane.querySelector("form");
    const values = typed && [...new FormData(typed)].filter((pair) => pair[1]);
    if (values && inForms()) update({ draft: { ...state.draft, ...Object.fromEntries(values) } });
    if (view === "prechat" && shown[0] === "chat") refresh();
    shown = Object.assign(next, { identity });
    formPane.replaceChildren(inForms() && greeted ? greeting(greeted) : "", VIEWS[view]?.(identity) || "");
    chatPane.hidden = !(formPane.hidden = view === "chat");
    if (open) focusFirst();
  }
  if (view !== "chat") return;
  renderThread(state);
  const ended = chat?.status === "ended";
  if (ended !== Boolean(endedCard)) {
    endedCard?.remove();
    endedCard = ended ? footer.appendChild(buildEnded()) : null;
    composer.hidden = ended;
    if (ended && open) endedCard.querySelector("button").focus();
  }
  connect();
});

/** Files dropped on an open chat are sent. */
app.addEventListener("dragover", (e) => {
  if (!canAttach() || !e.dataTransfer.types.includes("Files")) return;
  e.preventDefault();
  drop.hidden = false;
});
drop.addEventListener("dragleave", () => { drop.hidden = true; });
app.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.hidden = true;
  if (canAttach()) attach([...e.dataTransfer.files]);
});

const showForm = ({ agents_online: online }) => update({ view: online ? "prechat" : "offline" });

async function boot() {
  update({ view: "loading" });
  try {
    const settings = await (early || loadSettings());
    early = null;
    document.documentElement.style.cssText = `--accent:${settings.color};--accent-fg:${settings.color_text}`;
    if (await resumeChat()) return;
    showForm(settings);
    watchTriggers().catch(() => {});
  } catch {
    update({ view: "error" });
  }
}

/** On opening and a new chat: who takes chats now. */
const refresh = () => inForms() && loadSettings().then((settings) => inForms() && showForm(settings), () => {});

function start({ stored, page_url: pageUrl } = {}) {
  update({ pageUrl });
  adoptHostCopy(stored);
  loadOutbox();
  countVisit();
  boot();
}

listenToHost({
  onInit: start,
  onOpen: (open) => {
    update({ open });
    if (!open) return;
    markRead();
    if (!state.quiet) focusFirst();  // a greeting: focus stays
    state.quiet = false;
    refresh();
  },
  onIdentify: (identity) => {
    update({ identity });
    if (identity.user_hash && state.saved.user !== identity.user_id) verify(identity).then(boot, boot);
  },
});
if (window.parent === window) start();  // no host page
