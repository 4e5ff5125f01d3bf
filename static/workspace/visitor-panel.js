// The visitor panel: who the visitor is, where they came from, their pre-chat fields, past chats and tickets.
import { request } from "/static/workspace/api.js";
import { avatar, h } from "/static/workspace/dom.js";
import { statusWord, when } from "/static/workspace/format.js";
import { lang, t } from "/static/shared/i18n.js";
import { ratingSection } from "/static/workspace/rating.js";
import { state } from "/static/workspace/store.js";

function browserOf(userAgent) {
  if (!userAgent) return t("unknown");
  const found = [["Edg/", "Edge"], ["OPR/", "Opera"], ["Firefox/", "Firefox"], ["Chrome/", "Chrome"], ["Safari/", "Safari"]]
    .find(([token]) => userAgent.includes(token));
  const system = [["Windows", "Windows"], ["Android", "Android"], ["iPhone", "iOS"], ["Mac OS", "macOS"], ["Linux", "Linux"]]
    .find(([token]) => userAgent.includes(token));
  if (!found) return userAgent.slice(0, 80);
  return system ? t("browserOn", { browser: found[1], system: system[1] }) : found[1];
}

/** "German (Austria) · de-AT": the language the widget spoke with the visitor, named in the workspace's. */
function languageOf(tag) {
  if (!tag) return null;
  try {
    return `${new Intl.DisplayNames([lang()], { type: "language" }).of(tag)} \u00b7 ${tag}`;
  } catch {
    return tag;
  }
}

function ticketList(tickets) {
  return h("ul", { class: "history" }, tickets.map((ticket) => h("li", {},
    h("a", { href: `#/tickets/${ticket.id}` }, ticket.subject),
    h("span", { class: "pill", dataset: { status: ticket.status } }, statusWord(ticket.status)))));
}

// Tickets that share only the email the visitor typed: anyone can type any address, so say so.
function sameEmail(email, tickets) {
  if (!tickets.length) return null;
  return h("section", { class: "unverified", "aria-label": t("sameEmail") },
    h("h3", {}, t("sameEmail")),
    h("p", { class: "muted small" }, t("sameEmailText", { email })),
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
    panel.replaceChildren(h("div", { class: "visitor" }, h("p", { class: "error" }, t("visitorFailed", { error: failure.message }))));
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
    h("div", { class: "identity" }, avatar(visitor.name || t("visitor")),
      h("div", {}, h("h2", {}, visitor.name || t("visitor")), h("p", { class: "muted" }, visitor.email || t("noEmail")),
        // Signed in on the customer's site, the site vouching with the widget's identity secret.
        visitor.verified ? h("span", { class: "pill", dataset: { status: "verified" } }, t("verified")) : null)),
    h("div", { class: "rating-slot" }, ratingSection(state.chats.get(chat.id) || chat)),
    facts([[t("userId"), visitor.user_id], [t("page"), page], [t("browser"), browserOf(visitor.user_agent)],
      [t("language"), languageOf(visitor.language)], [t("firstSeen"), when(visitor.created_at)],
      // Ticked the widget's consent line (privacy policy), last at this time.
      [t("consentGiven"), visitor.consented_at
        && h("time", { datetime: visitor.consented_at }, new Date(visitor.consented_at).toLocaleString())]]),
    fields.length ? h("section", {}, h("h3", {}, t("preChat")), facts(fields)) : null,
    h("section", {}, h("h3", {}, t("pastChats")), past.length
      ? h("ul", { class: "history" }, past.map((item) => h("li", {},
        h("span", {}, [when(item.created_at), t("messagesCount", { count: item.messages }), item.agent].filter(Boolean).join(" \u00b7 ")),
        h("span", { class: "pill", dataset: { status: item.status } }, statusWord(item.status)))))
      : h("p", { class: "muted small" }, t("firstChat"))),
    h("section", {}, h("h3", {}, t("tickets")), tickets.length ? ticketList(tickets) : h("p", { class: "muted small" }, t("noTickets"))),
    sameEmail(visitor.email, sameEmailTickets)));
}

/** The open chat's rating in the panel, as it changes (the visitor rates after the chat ended). */
export function showRating(panel, chat) {
  panel.querySelector(".rating-slot")?.replaceChildren(ratingSection(chat) || "");
}
