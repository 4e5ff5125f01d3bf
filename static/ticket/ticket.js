// The customer's ticket page: the thread of a ticket (the team's replies and the customer's own)
// and a form to reply. The page's address is the credential: /t/<token>.
import { ApiError, request } from "../shared/api.js";
import { h } from "../shared/dom.js";
import { formatDate, setLanguage, t, useCatalogue } from "../shared/i18n.js";
import { linkify } from "../shared/links.js";
import english from "./english.js";

useCatalogue(english, "/static/ticket/i18n");

const token = decodeURIComponent(location.pathname.split("/").pop());
const api = `/api/v1/ticket-page/${encodeURIComponent(token)}`;
const main = document.getElementById("main");
// In the customer's language (the ticket's, docs/api.md), once the ticket says which.
const when = (iso) => formatDate(iso, { dateStyle: "medium", timeStyle: "short" });

function look(ticket) {
  document.documentElement.style.setProperty("--accent", ticket.color);
  document.documentElement.style.setProperty("--accent-fg", ticket.color_text);
  document.getElementById("team").textContent = ticket.team;
  document.title = `${ticket.subject} · ${ticket.team}`;
}

function message(comment) {
  const mine = comment.author.type === "visitor";
  const who = mine ? t("you") : comment.author.name || t("support");
  return h("li", { class: mine ? "message mine" : "message" },
    h("p", { class: "who" }, `${who} · `, h("time", { datetime: comment.created_at }, when(comment.created_at))),
    h("p", { class: "bubble" }, linkify(comment.body)));
}

function replyForm(onSent) {
  const body = h("textarea", { id: "reply", name: "body", maxlength: "10000", required: "" });
  const note = h("p", { class: "note", id: "reply-note", role: "status", "aria-live": "polite" });
  const button = h("button", { class: "button", type: "submit" }, t("sendReply"));
  body.setAttribute("aria-describedby", "reply-note");
  const form = h("form", { class: "reply", novalidate: "" }, h("label", { for: "reply" }, t("yourReply")), body,
    h("div", { class: "actions" }, button, note));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    note.classList.remove("error");
    if (!body.value.trim()) {
      note.textContent = t("writeFirst");
      note.classList.add("error");
      body.focus();
      return;
    }
    button.setAttribute("aria-busy", "true");
    button.disabled = true;
    try {
      await request("POST", `${api}/replies`, { body: body.value.trim() });
      body.value = "";
      await onSent();
      note.textContent = t("sent");
    } catch (failure) {
      note.textContent = failure.status === 429 ? t("tooMany") : t("notSent", { error: failure.message });
      note.classList.add("error");
    } finally {
      button.removeAttribute("aria-busy");
      button.disabled = false;
    }
  });
  return form;
}

function unavailable(failure) {
  const title = t(failure.status === 410 ? "gone" : failure.status === 404 ? "notFound" : "failed");
  main.replaceChildren(h("section", { class: "card gone", role: "alert" }, h("h1", {}, title),
    h("p", { class: "muted" }, failure.message)));
}

async function load() {
  const ticket = await request("GET", api);
  await setLanguage(ticket.language);
  look(ticket);
  thread.replaceChildren(...ticket.comments.map(message));
  heading.replaceChildren(ticket.subject);
  status.replaceChildren(t("requestFrom", { date: when(ticket.created_at) }),
    h("span", { class: "pill", "data-status": ticket.status }, t(ticket.status)));
}

const heading = h("h1", {});
const status = h("p", { class: "muted" });
const thread = h("ol", { class: "thread" });

load().then(() => {
  thread.setAttribute("aria-label", t("conversation"));
  main.replaceChildren(h("section", { class: "card", "aria-labelledby": "subject" }, heading, status, thread,
    replyForm(load)));
  heading.id = "subject";
}, (failure) => unavailable(failure instanceof ApiError ? failure : new ApiError(0)))
  .finally(() => main.removeAttribute("aria-busy"));
