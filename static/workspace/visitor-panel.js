// The visitor panel: who the visitor is, where they came from, their pre-chat fields, past chats and tickets.
import { request } from "/static/workspace/api.js";
import { avatar, h } from "/static/workspace/dom.js";
import { when } from "/static/workspace/format.js";

function browserOf(userAgent) {
  if (!userAgent) return "Unknown";
  const found = [["Edg/", "Edge"], ["OPR/", "Opera"], ["Firefox/", "Firefox"], ["Chrome/", "Chrome"], ["Safari/", "Safari"]]
    .find(([token]) => userAgent.includes(token));
  const system = [["Windows", "Windows"], ["Android", "Android"], ["iPhone", "iOS"], ["Mac OS", "macOS"], ["Linux", "Linux"]]
    .find(([token]) => userAgent.includes(token));
  if (!found) return userAgent.slice(0, 80);
  return [found[1], system?.[1]].filter(Boolean).join(" on ");
}

function ticketList(tickets) {
  return h("ul", { class: "history" }, tickets.map((ticket) => h("li", {},
    h("a", { href: `#/tickets/${ticket.id}` }, ticket.subject), h("span", { class: "pill", dataset: { status: ticket.status } }, ticket.status))));
}

// Tickets that share only the email the visitor typed: anyone can type any address, so say so.
function sameEmail(email, tickets) {
  if (!tickets.length) return null;
  return h("section", { class: "unverified", "aria-label": "Same email, not verified" },
    h("h3", {}, "Same email, not verified"),
    h("p", { class: "muted small" }, `Tickets of ${email}. This visitor typed that address; it may not be theirs.`),
    ticketList(tickets));
}

function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(([, value]) => value).flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

export async function showVisitor(panel, chat) {
  panel.replaceChildren(h("div", { class: "visitor", "aria-busy": "true" },
    h("div", { class: "skeleton tall" }), h("div", { class: "skeleton" }), h("div", { class: "skeleton" })));
  let profile;
  try {
    profile = await request("GET", `/api/v1/visitors/${chat.visitor.id}`);
  } catch (failure) {
    panel.replaceChildren(h("div", { class: "visitor" }, h("p", { class: "error" }, `Visitor details could not load: ${failure.message}`)));
    return;
  }
  const { visitor, chats, tickets, same_email_tickets: sameEmailTickets = [] } = profile;
  // The page URL comes from the visitor's browser: only http(s) becomes a link (never javascript:).
  const linkable = /^https?:\/\//i.test(visitor.page_url || "");
  const page = linkable ? h("a", { href: visitor.page_url, target: "_blank", rel: "noopener noreferrer" }, visitor.page_url)
    : visitor.page_url;
  const fields = Object.entries(visitor.fields || {});
  const past = chats.filter((item) => item.id !== chat.id);
  panel.replaceChildren(h("div", { class: "visitor" },
    h("div", { class: "identity" }, avatar(visitor.name || "Visitor"),
      h("div", {}, h("h2", {}, visitor.name || "Visitor"), h("p", { class: "muted" }, visitor.email || "No email given"))),
    facts([["Page", page], ["Browser", browserOf(visitor.user_agent)], ["First seen", when(visitor.created_at)]]),
    fields.length ? h("section", {}, h("h3", {}, "Pre-chat form"), facts(fields)) : null,
    h("section", {}, h("h3", {}, "Past chats"), past.length
      ? h("ul", { class: "history" }, past.map((item) => h("li", {},
        h("span", {}, `${when(item.created_at)} · ${item.messages} messages${item.agent ? ` · ${item.agent}` : ""}`),
        h("span", { class: "pill", dataset: { status: item.status } }, item.status))))
      : h("p", { class: "muted small" }, "First chat with us.")),
    h("section", {}, h("h3", {}, "Tickets"), tickets.length ? ticketList(tickets) : h("p", { class: "muted small" }, "No tickets.")),
    sameEmail(visitor.email, sameEmailTickets)));
}
