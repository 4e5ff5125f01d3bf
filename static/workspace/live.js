// The Live view (#/live, supervisors and admins): every agent's presence, load and chats with how long
// each visitor has waited for an answer, and each department's queue. The snapshot comes from
// GET /api/v1/supervision, again on `supervision.changed` (at most once a second), on reconnect and
// every 30 s; waits tick each second on this browser's clock (as the queue's in the rail do).
import { request } from "/static/workspace/api.js";
import { avatar, h, stateView } from "/static/workspace/dom.js";
import { duration } from "/static/workspace/format.js";
import { closeLiveChat, openLiveChat } from "/static/workspace/live-chat.js";
import { on, state } from "/static/workspace/store.js";
import { t } from "/static/shared/i18n.js";

const REFRESH_MS = 30000;  // presence fades without an event (a stream closed): read it again now and then
const WARN_MS = 60000, LATE_MS = 180000;  // a wait turns amber, then red
const presence = (status) => ({ online: t("online"), away: t("away"), offline: t("offline") })[status];
const role = (name) => ({ admin: t("admin"), supervisor: t("supervisor"), agent: t("agent") })[name];

let current = null;  // {stop}

export const supervises = (agent) => agent?.role === "supervisor" || agent?.role === "admin";

export function closeLive() {
  current?.stop();
  current = null;
  closeLiveChat();
}

export function showLive(root, chatId) {
  closeLive();
  if (!supervises(state.agent)) {
    root.replaceChildren(stateView(t("liveSupervisorsOnly"), t("liveSupervisorsOnlyText"),
      h("a", { class: "button secondary", href: "#/" }, t("backToChats"))));
  } else if (chatId) openLiveChat(root, chatId);
  else current = mountBoard(root);
}

const visitorName = (chat) => chat.visitor?.name || t("visitor");

/** A wait that ticks: `since` (server time) is read by tick(). */
const wait = (since, label) => h("span", { class: "wait", dataset: { since }, "aria-label": label });

function chatChip(chat, agent) {
  const waiting = Boolean(chat.waiting_since);
  return h("li", {}, h("a", {
    class: "live-chat", href: `#/live/${chat.id}`, dataset: { chatId: chat.id, waiting: waiting ? "" : null },
    title: t("openChatOf", { name: visitorName(chat), agent: agent.name }),
  }, h("span", { class: "name" }, visitorName(chat)),
  waiting ? wait(chat.waiting_since, t("waitingForAnswer")) : h("span", { class: "answered" }, t("answeredChip"))));
}

/** A load bar; its width is set through the CSSOM (the page's CSP allows no inline style attribute). */
function meter(fraction) {
  const fill = h("span");
  fill.style.width = `${Math.min(100, fraction * 100)}%`;
  return h("span", { class: "meter", "aria-hidden": "true" }, fill);
}

function agentRow(agent) {
  const full = agent.active_chats >= agent.max_chats;
  return h("li", { class: "live-agent", dataset: { agentId: agent.id, status: agent.status } },
    h("div", { class: "who" }, avatar(agent.name),
      h("div", {}, h("span", { class: "name" }, agent.name), h("span", { class: "role" }, role(agent.role)))),
    h("div", { class: "presence-cell" },
      h("span", { class: "status" }, h("span", { class: "dot", dataset: { status: agent.status }, "aria-hidden": "true" }),
        presence(agent.status)),
      h("span", { class: "connection", dataset: { connected: String(agent.connected) } },
        t(agent.connected ? "connected" : "notConnected"))),
    h("div", { class: "load", dataset: { full: full ? "" : null } },
      h("span", { class: "load-count", "aria-label": t("agentLoad", { name: agent.name, active: agent.active_chats, max: agent.max_chats }) },
        `${agent.active_chats} / ${agent.max_chats}`),
      meter(agent.max_chats ? agent.active_chats / agent.max_chats : 1),
      agent.offers ? h("span", { class: "muted small" }, t("offered", { count: agent.offers })) : null),
    agent.chats.length
      ? h("ul", { class: "live-chats", "aria-label": t("agentsChats", { name: agent.name }) }, agent.chats.map((chat) => chatChip(chat, agent)))
      : h("p", { class: "live-chats none" }, t("liveNoChats")));
}

function queueCard(department) {
  const listed = department.queue.slice(0, 5);
  const more = department.waiting - listed.length;
  return h("article", { class: "live-queue card", dataset: { departmentId: department.id, waiting: department.waiting ? "" : null },
    "aria-label": t("departmentQueue", { name: department.name }) },
  h("header", {}, h("h3", {}, department.name),
    h("span", { class: "pill" }, t(department.routing_mode === "auto" ? "routingAuto" : "routingBroadcast"))),
  h("p", { class: "waiting" }, h("span", { class: "count" }, String(department.waiting)),
    h("span", { class: "muted" }, " ", t("waiting")),
    department.offered ? h("span", { class: "muted small" }, " · ", t("offered", { count: department.offered })) : null),
  department.oldest_waiting_since
    ? h("p", { class: "oldest" }, t("longestWait"), " ", wait(department.oldest_waiting_since, t("longestWait")))
    : h("p", { class: "oldest muted" }, t("nobodyIsWaiting")),
  listed.length ? h("ol", { class: "live-waiting" }, listed.map((chat) => h("li", {},
    h("a", { href: `#/live/${chat.id}`, class: "name" }, visitorName(chat)), wait(chat.created_at, t("waitingFor"))))) : null,
  more > 0 ? h("p", { class: "muted small" }, t("andMore", { count: more })) : null);
}

function summary(snapshot) {
  const online = snapshot.agents.filter((agent) => agent.status === "online").length;
  const chats = snapshot.agents.reduce((sum, agent) => sum + agent.chats.length, 0);
  const waiting = snapshot.departments.reduce((sum, department) => sum + department.waiting, 0);
  const stat = (label, value, key) => h("div", { class: "stat", dataset: { stat: key } }, h("span", { class: "value" }, String(value)),
    h("span", { class: "label" }, label));
  return h("div", { class: "live-summary" }, stat(t("agentsOnline"), `${online} / ${snapshot.agents.length}`, "online"),
    stat(t("activeChats"), chats, "chats"), stat(t("waiting"), waiting, "waiting"));
}

function board(snapshot) {
  const agents = [...snapshot.agents].sort((a, b) => (a.status === "offline") - (b.status === "offline"));
  return h("div", { class: "live" },
    h("header", { class: "live-head" }, h("div", {}, h("h1", {}, t("live")),
      h("p", { class: "muted" }, t("liveIntro"))),
    summary(snapshot)),
    h("div", { class: "live-columns" },
      h("section", { class: "live-section", "aria-labelledby": "live-agents-title" },
        h("h2", { id: "live-agents-title" }, t("agents")),
        agents.length ? h("ul", { class: "live-agents" }, agents.map(agentRow)) : h("p", { class: "muted" }, t("noAgentsYet"))),
      h("section", { class: "live-section", "aria-labelledby": "live-queues-title" },
        h("h2", { id: "live-queues-title" }, t("queues")),
        h("div", { class: "live-queues" }, snapshot.departments.map(queueCard)))));
}

function mountBoard(root) {
  let shown = "", loading = false, again = false, stopped = false;
  root.replaceChildren(stateView(t("liveLoading"), ""));

  function tick() {
    const now = Date.now();
    for (const element of root.querySelectorAll(".wait[data-since]")) {
      const waited = now - Date.parse(element.dataset.since);
      element.textContent = duration(waited);
      element.dataset.level = waited >= LATE_MS ? "late" : waited >= WARN_MS ? "warn" : "ok";
    }
  }

  function render(snapshot) {
    const signature = JSON.stringify({ ...snapshot, now: null });
    if (signature === shown) return;
    shown = signature;
    const focused = document.activeElement?.closest?.("[data-chat-id], [data-department-id] a");
    const key = focused?.getAttribute("href");
    root.replaceChildren(board(snapshot));
    if (key) root.querySelector(`a[href="${key}"]`)?.focus();
    tick();
  }

  async function load() {
    if (loading) { again = true; return; }
    loading = true;
    try {
      const snapshot = await request("GET", "/api/v1/supervision");
      if (!stopped) render(snapshot);
    } catch (failure) {
      if (!stopped && !shown) {
        root.replaceChildren(stateView(t("liveFailed"), failure.message,
          h("button", { class: "button secondary", type: "button", onclick: load }, t("tryAgain"))));
      }
    } finally {
      loading = false;
      if (again && !stopped) { again = false; load(); }
    }
  }

  const offs = [on("supervision", load), on("connection", (c) => c === "open" && load())];
  const timers = [setInterval(tick, 1000), setInterval(load, REFRESH_MS)];
  load();
  return { stop: () => { stopped = true; offs.forEach((off) => off()); timers.forEach(clearInterval); } };
}
