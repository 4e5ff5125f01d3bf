// Tickets: the list with status and assignee filters, and one ticket with its transcript, comments and status.
import { request } from "/static/workspace/api.js";
import { h, stateView, toast } from "/static/workspace/dom.js";
import { when } from "/static/workspace/format.js";
import { navigate } from "/static/workspace/router.js";
import { state } from "/static/workspace/store.js";

const STATUSES = ["open", "pending", "solved"];
const filters = { status: "", assignee: "me" };

let colleagues = null;  // a promise of the agents, loaded once, for the assignee filter

function filterBar(onChange) {
  const status = h("select", { id: "ticket-status-filter" }, h("option", { value: "" }, "Any status"),
    STATUSES.map((value) => h("option", { value }, value[0].toUpperCase() + value.slice(1))));
  const assignee = h("select", { id: "ticket-assignee-filter" },
    h("option", { value: "me" }, "Assigned to me"), h("option", { value: "" }, "Anyone"));
  colleagues ||= request("GET", "/api/v1/agents/colleagues").then((data) => data.agents, () => []);
  colleagues.then((agents) => {
    assignee.append(...agents.filter((agent) => agent.id !== state.agent.id).map((agent) => h("option", { value: agent.id }, agent.name)));
    assignee.value = filters.assignee;
  });
  status.value = filters.status;
  assignee.value = filters.assignee;
  status.addEventListener("change", () => { filters.status = status.value; onChange(); });
  assignee.addEventListener("change", () => { filters.assignee = assignee.value; onChange(); });
  return h("div", { class: "ticket-filters" },
    h("label", { for: "ticket-status-filter" }, "Status", status), h("label", { for: "ticket-assignee-filter" }, "Assignee", assignee));
}

let listRequest = 0;  // filters change faster than answers come: only the latest list is shown

/** The tickets matching the filters into `results` (the filter bar above it stays, with its focus). */
async function renderResults(results, selectedId) {
  const turn = ++listRequest;
  const params = new URLSearchParams();
  if (filters.status) params.set("status", filters.status);
  if (filters.assignee) params.set("assignee_id", filters.assignee === "me" ? state.agent.id : filters.assignee);
  results.setAttribute("aria-busy", "true");
  try {
    const { tickets } = await request("GET", `/api/v1/tickets?${params}`);
    if (turn !== listRequest) return;
    results.replaceChildren(tickets.length ? h("nav", { "aria-label": "Tickets" }, tickets.map((ticket) =>
      h("a", { class: "ticket-link", href: `#/tickets/${ticket.id}`, "aria-current": String(ticket.id === selectedId) },
        h("span", { class: "subject" }, ticket.subject),
        h("span", { class: "meta" }, h("span", { class: "pill", dataset: { status: ticket.status } }, ticket.status),
          h("span", {}, ticket.requester?.email || ticket.requester?.name || ""), h("span", {}, when(ticket.created_at))))))
      : h("div", { class: "empty" }, h("p", {}, "No tickets match these filters.")));
  } catch (failure) {
    results.replaceChildren(h("p", { class: "error load-error" }, `Tickets could not load: ${failure.message}`));
  } finally {
    results.removeAttribute("aria-busy");
  }
}

function commentView(comment, index, ticket) {
  const transcript = index === 0 && ticket.source === "chat";
  return h("article", { class: `card comment${transcript ? " transcript" : ""}`, "aria-label": transcript ? "Transcript" : "Comment" },
    h("header", {}, h("strong", {}, transcript ? "Chat transcript" : comment.author.name || "Visitor"),
      h("span", { class: "muted" }, when(comment.created_at))),
    transcript ? h("pre", {}, comment.body) : h("p", {}, comment.body));
}

async function renderTicket(pane, ticketId, onChanged) {
  pane.replaceChildren(stateView("Loading the ticket…", ""));
  let ticket;
  try {
    ticket = await request("GET", `/api/v1/tickets/${ticketId}`);
  } catch (failure) {
    pane.replaceChildren(stateView("This ticket could not load", failure.message));
    return;
  }
  const status = h("select", { id: "ticket-status", "aria-label": "Ticket status" },
    STATUSES.map((value) => h("option", { value }, value[0].toUpperCase() + value.slice(1))));
  status.value = ticket.status;
  status.addEventListener("change", async () => {
    try {
      await request("PATCH", `/api/v1/tickets/${ticketId}`, { status: status.value });
      toast(`Ticket marked ${status.value}`);
      onChanged();
    } catch (failure) {
      toast(`Could not change the status: ${failure.message}`, "error");
      status.value = ticket.status;
    }
  });
  const comment = h("textarea", { id: "ticket-comment", rows: "3", maxlength: "10000", placeholder: "Add a comment for your team…" });
  const form = h("form", { class: "comment-form" }, h("label", { for: "ticket-comment" }, "Comment"), comment,
    h("div", {}, h("button", { class: "button primary", type: "submit" }, "Add comment")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!comment.value.trim()) return;
    try {
      await request("POST", `/api/v1/tickets/${ticketId}/comments`, { body: comment.value.trim() });
      renderTicket(pane, ticketId, onChanged);
    } catch (failure) {
      toast(`Could not add the comment: ${failure.message}`, "error");
    }
  });
  pane.replaceChildren(
    h("header", {}, h("div", {}, h("h2", {}, ticket.subject),
      h("p", { class: "muted" }, [ticket.requester?.name, ticket.requester?.email].filter(Boolean).join(" · "),
        ` · ${ticket.assignee ? `Assigned to ${ticket.assignee.name}` : "Unassigned"} · opened ${when(ticket.created_at)}`)),
    h("button", { class: "button ghost small back-link", type: "button", onclick: () => navigate("#/tickets") }, "← All tickets"), status),
    ...ticket.comments.map((item, index) => commentView(item, index, ticket)), form);
}

export function showTickets(main, ticketId) {
  main.classList.add("fixed");
  const list = h("div", { class: "ticket-list" });
  const pane = h("section", { class: "ticket", "aria-label": "Ticket" });
  main.replaceChildren(h("div", { class: "tickets", dataset: { open: ticketId ? "" : null } }, list, pane));
  const results = h("div", {}, h("div", { class: "ticket-link" }, h("div", { class: "skeleton" })));
  const refresh = () => renderResults(results, ticketId);
  list.replaceChildren(filterBar(refresh), results);
  refresh();
  if (ticketId) renderTicket(pane, ticketId, refresh);
  else pane.replaceChildren(stateView("No ticket open", "Pick a ticket on the left."));
}
