// Tickets: the list (by default the unassigned ones and mine, not solved), and one ticket with its
// status, assignee, the chat's transcript and a timeline of comments and changes. Both follow
// ticket events live. Every agent comment is a reply emailed to the customer; mails that failed
// for good show above the timeline.
import { linkify } from "../shared/links.js";
import { request } from "/static/workspace/api.js";
import { h, stateView, toast } from "/static/workspace/dom.js";
import { statusWord, time, when } from "/static/workspace/format.js";
import { navigate } from "/static/workspace/router.js";
import { on, state } from "/static/workspace/store.js";
import { fileLink, transcriptView } from "/static/workspace/transcript.js";
import { t } from "/static/shared/i18n.js";

const STATUSES = ["open", "pending", "solved"];
/** A status as the menus name it ("Pending"). */
const statusName = (status) => ({ open: t("ticketOpen"), pending: t("ticketPending"), solved: t("ticketSolved") })[status];
const scopes = () => [["me_or_none", t("unassignedAndMine")], ["me", t("mine")], ["none", t("unassigned")], ["", t("anyone")]];
const filters = { status: "unsolved", assignee: "me_or_none" };
const SETTLE_MS = 150;  // a burst of ticket events makes one request

let colleagues = null;  // a promise of the active agents, loaded once: filters and assignment

function agents() {
  colleagues ||= request("GET", "/api/v1/agents/colleagues").then((data) => data.agents, () => { colleagues = null; return []; });
  return colleagues;
}

const nameOf = (assignee) => (assignee.id === state.agent.id ? t("nameYou", { name: assignee.name }) : assignee.name);

function filterBar(onChange) {
  const status = h("select", { id: "ticket-status-filter" }, h("option", { value: "unsolved" }, t("notSolved")),
    STATUSES.map((value) => h("option", { value }, statusName(value))), h("option", { value: "" }, t("anyStatus")));
  const assignee = h("select", { id: "ticket-assignee-filter" }, scopes().map(([value, label]) => h("option", { value }, label)));
  agents().then((list) => {
    const others = list.filter((agent) => agent.id !== state.agent.id);
    if (others.length) assignee.append(h("optgroup", { label: t("assignedTo") }, others.map((agent) => h("option", { value: agent.id }, agent.name))));
    assignee.value = filters.assignee;
  });
  status.value = filters.status;
  assignee.value = filters.assignee;
  status.addEventListener("change", () => { filters.status = status.value; onChange(); });
  assignee.addEventListener("change", () => { filters.assignee = assignee.value; onChange(); });
  return h("div", { class: "ticket-filters" },
    h("label", { for: "ticket-assignee-filter" }, t("show"), assignee), h("label", { for: "ticket-status-filter" }, t("status"), status));
}

function listQuery() {
  const params = new URLSearchParams();
  if (filters.status) params.set("status", filters.status);
  if (scopes().some(([value]) => value && value === filters.assignee)) params.set("assignee", filters.assignee);
  else if (filters.assignee) params.set("assignee_id", filters.assignee);
  return params;
}

function ticketLink(ticket, selectedId) {
  return h("a", { class: "ticket-link", href: `#/tickets/${ticket.id}`, "aria-current": String(ticket.id === selectedId) },
    h("span", { class: "subject" }, ticket.subject),
    h("span", { class: "meta" }, h("span", { class: "pill", dataset: { status: ticket.status } }, statusWord(ticket.status)),
      h("span", { class: "requester" }, ticket.requester?.name || ticket.requester?.email || t("visitor")),
      h("span", { class: ticket.assignee ? "assignee" : "assignee unassigned" }, ticket.assignee ? nameOf(ticket.assignee) : t("unassigned")),
      h("time", { datetime: ticket.created_at }, when(ticket.created_at))));
}

let listRequest = 0;  // filters change faster than answers come: only the latest list is shown

/** The tickets matching the filters into `results` (the filter bar above it stays, with its focus). */
async function renderResults(results, selectedId) {
  const turn = ++listRequest;
  results.setAttribute("aria-busy", "true");
  try {
    const { tickets } = await request("GET", `/api/v1/tickets?${listQuery()}`);
    if (turn !== listRequest) return;
    results.replaceChildren(tickets.length
      ? h("nav", { "aria-label": t("tickets") }, tickets.map((ticket) => ticketLink(ticket, selectedId)))
      : h("div", { class: "empty" }, h("h2", {}, t("nothingHere")), h("p", {}, t("noTicketsMatch"))));
  } catch (failure) {
    results.replaceChildren(h("p", { class: "error load-error" }, t("ticketsFailed", { error: failure.message })));
  } finally {
    if (turn === listRequest) results.removeAttribute("aria-busy");
  }
}

/** Today: "3:04 PM"; before: "Nov 24, 3:04 PM". */
const at = (iso) => (when(iso) === time(iso) ? time(iso) : `${when(iso)}, ${time(iso)}`);

function timelineEntry(comment) {
  if (comment.author.type === "system") {
    return h("li", { class: "event" }, h("span", {}, comment.body),
      h("time", { datetime: comment.created_at, title: new Date(comment.created_at).toLocaleString() }, ` · ${at(comment.created_at)}`));
  }
  const author = comment.author.type === "visitor" ? t("customer", { name: comment.author.name || t("visitor") }) : comment.author.name;
  return h("li", {}, h("article", { class: "card comment", dataset: { author: comment.author.type }, "aria-label": t("commentBy", { name: author }) },
    h("header", {}, h("strong", {}, author),
      h("time", { class: "muted", datetime: comment.created_at, title: new Date(comment.created_at).toLocaleString() }, at(comment.created_at))),
    h("p", {}, linkify(comment.body)),
    comment.attachments?.length ? h("ul", { class: "files", "aria-label": t("files") }, comment.attachments.map(fileLink)) : null));
}

/** Status and assignee of an open ticket; each change goes to the server and comes back as the fresh ticket. */
function controls(ticket, apply) {
  const status = h("select", { id: "ticket-status" }, STATUSES.map((value) => h("option", { value }, statusName(value))));
  status.value = ticket.status;
  status.addEventListener("change", () => apply({ status: status.value }, t("ticketMarked", { status: statusWord(status.value) })));
  const assignee = h("select", { id: "ticket-assignee" }, h("option", { value: "" }, t("unassigned")),
    ticket.assignee ? h("option", { value: ticket.assignee.id }, nameOf(ticket.assignee)) : null);
  assignee.value = ticket.assignee?.id || "";
  agents().then((list) => {
    const choices = list.filter((agent) => agent.id !== ticket.assignee?.id).map((agent) => h("option", { value: agent.id }, nameOf(agent)));
    assignee.append(...choices);
    assignee.value = ticket.assignee?.id || "";
  });
  assignee.addEventListener("change", () => apply({ assignee_id: assignee.value || null },
    assignee.value ? t("assignedToName", { name: assignee.selectedOptions[0].textContent }) : t("ticketUnassigned")));
  const mine = ticket.assignee?.id === state.agent.id;
  return h("div", { class: "ticket-controls" },
    h("label", { for: "ticket-status" }, t("status"), status),
    h("label", { for: "ticket-assignee" }, t("assignee"), assignee),
    mine ? null : h("button", { class: "button secondary small", id: "ticket-assign-me", type: "button",
      onclick: () => apply({ assignee_id: state.agent.id }, t("assignedToYou")) }, t("assignToMe")),
    ticket.requester?.email ? h("button", { class: "button ghost small", id: "ticket-revoke", type: "button",
      title: t("revokeTitle"), onclick: () => window.confirm(t("revokeQuestion")) && apply(null, t("linksRevoked")) },
    t("revokeLinks")) : null);
}

/** "Email to x failed: why", for each mail to the customer that failed for good (none: nothing). */
const mailFailures = (failures) => (failures.length ? [h("ul", { class: "mail-failures", "aria-label": t("failedEmails") },
  failures.map((failure) => h("li", {}, t("mailFailed", { to: failure.to, error: failure.error }),
    h("time", { class: "muted", datetime: failure.at }, ` · ${at(failure.at)}`))))] : []);

/** One ticket into `pane`; returns `refresh()`, for a ticket event about it. */
function mountTicket(pane, ticketId) {
  const top = h("div", { class: "ticket-top" });
  const timeline = h("ol", { class: "timeline", "aria-label": t("activity") });
  const comment = h("textarea", { id: "ticket-comment", rows: "3", maxlength: "10000", "aria-describedby": "ticket-comment-hint",
    placeholder: t("writeToCustomer") });
  const hint = h("p", { class: "muted", id: "ticket-comment-hint" });
  const form = h("form", { class: "comment-form" }, h("label", { for: "ticket-comment" }, t("replyToCustomer")), comment, hint,
    h("div", {}, h("button", { class: "button primary", type: "submit" }, t("sendReply"))));
  const transcript = h("div", { class: "transcript-slot" });
  let turn = 0;

  function paint(ticket) {
    const focused = top.contains(document.activeElement) ? document.activeElement.id : null;
    const requester = [ticket.requester?.name, ticket.requester?.email].filter(Boolean).join(" · ");
    top.replaceChildren(h("header", {},
      h("button", { class: "button ghost small back-link", type: "button", onclick: () => navigate("#/tickets") }, t("allTicketsBack")),
      h("h2", {}, ticket.subject),
      h("p", { class: "muted" }, t("openedBy", { requester: requester || t("visitor"), when: when(ticket.created_at) }))),
    controls(ticket, apply), ...mailFailures(ticket.mail_failures));
    hint.textContent = ticket.requester?.email ? t("emailedTo", { email: ticket.requester.email }) : t("noEmailAddress");
    // A change made with the keyboard keeps its place ("Assign to me" goes away: the assignee takes the focus).
    if (focused !== null) (document.getElementById(focused) || document.getElementById("ticket-assignee")).focus();
    timeline.replaceChildren(...ticket.comments.map(timelineEntry));
    if (ticket.chat_id && !transcript.childElementCount) transcript.replaceChildren(transcriptView(ticket.chat_id));
  }

  async function load() {
    const mine = ++turn;
    const ticket = await request("GET", `/api/v1/tickets/${ticketId}`);
    if (mine === turn) paint(ticket);
    return ticket;
  }

  async function apply(change, done) {
    try {
      const ticket = change ? await request("PATCH", `/api/v1/tickets/${ticketId}`, change)
        : await request("POST", `/api/v1/tickets/${ticketId}/revoke-links`);
      ++turn;
      paint(ticket);
      toast(done);
    } catch (failure) {
      toast(t("ticketNotChanged", { error: failure.message }), "error");
      load().catch(() => {});
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!comment.value.trim()) return;
    const button = event.submitter;
    button?.setAttribute("aria-busy", "true");
    try {
      await request("POST", `/api/v1/tickets/${ticketId}/comments`, { body: comment.value.trim() });
      comment.value = "";
      await load();
    } catch (failure) {
      toast(t("replyNotSent", { error: failure.message }), "error");
    } finally {
      button?.removeAttribute("aria-busy");
    }
  });

  pane.replaceChildren(stateView(t("ticketLoading"), ""));
  load().then((ticket) => pane.replaceChildren(top, ...(ticket.chat_id ? [transcript] : []),
    h("h3", { class: "timeline-title" }, t("activity")), timeline, form), (failure) => {
    pane.replaceChildren(stateView(t("ticketFailed"), failure.message,
      h("a", { class: "button secondary", href: "#/tickets" }, t("allTickets"))));
  });
  return { refresh: () => load().catch(() => {}) };
}

let stopLive = null;  // the live updates of the tickets view on screen

export function showTickets(main, ticketId) {
  stopLive?.();
  main.classList.add("fixed");
  const list = h("div", { class: "ticket-list" });
  const pane = h("section", { class: "ticket", "aria-label": t("ticket") });
  main.replaceChildren(h("div", { class: "tickets", dataset: { open: ticketId ? "" : null } }, list, pane));
  const results = h("div", {}, h("div", { class: "ticket-link" }, h("div", { class: "skeleton" })));
  const refreshList = () => renderResults(results, ticketId);
  list.replaceChildren(filterBar(refreshList), results);
  refreshList();
  const open = ticketId ? mountTicket(pane, ticketId) : null;
  if (!open) pane.replaceChildren(stateView(t("noTicketOpen"), t("noTicketOpenText")));

  let timer = null;
  const changed = (ticket) => {
    if (!list.isConnected) return stop();  // another view took the page
    clearTimeout(timer);
    timer = setTimeout(refreshList, SETTLE_MS);
    if (open && (!ticket || ticket.id === ticketId)) open.refresh();
  };
  const offs = [on("ticket", changed), on("resync", () => changed(null))];
  function stop() {
    clearTimeout(timer);
    offs.forEach((off) => off());
  }
  stopLive = stop;
}
