// A chat's thread inside a ticket: who wrote what and when (in this browser's time zone), links to
// the files, internal notes marked as such. Read from the chat's messages, never from a text copy.
import { linkify } from "../shared/links.js";
import { request } from "/static/workspace/api.js";
import { h, icon } from "/static/workspace/dom.js";
import { dayLabel, size, time } from "/static/workspace/format.js";
import { t } from "/static/shared/i18n.js";

const PAGE = 500;

/** Every message of the chat, in `seq` order (agents get internal notes too). */
async function allMessages(chatId) {
  const messages = [];
  for (;;) {
    const after = messages.length ? messages[messages.length - 1].seq : 0;
    const page = await request("GET", `/api/v1/chats/${chatId}/messages?after_seq=${after}&limit=${PAGE}`);
    messages.push(...page.messages);
    if (page.messages.length < PAGE) return messages;
  }
}

const senderName = (message) => message.sender.name || t(message.sender.type === "visitor" ? "visitor" : "agent");

/** A link that downloads a file (a chat's upload, or one a customer's mail brought to a ticket). */
export function fileLink(file) {
  return h("li", {}, h("a", { href: file.url, target: "_blank", rel: "noopener noreferrer", download: file.name },
    icon("file"), h("span", {}, file.name)), h("span", { class: "muted" }, ` ${size(file.size)}`));
}

function entry(message, previous) {
  const stamp = h("time", { datetime: message.created_at }, time(message.created_at));
  if (message.sender.type === "system") return h("li", { dataset: { sender: "system" } }, message.body, " · ", stamp);
  const continued = previous && previous.sender.type === message.sender.type && previous.sender.id === message.sender.id
    && previous.internal === message.internal && dayLabel(previous.created_at) === dayLabel(message.created_at);
  return h("li", { class: [message.internal && "note", continued && "continued"].filter(Boolean).join(" ") || null,
    dataset: { sender: message.sender.type } },
    continued ? null : h("div", { class: "who" }, h("strong", {}, senderName(message)), stamp,
      message.internal ? h("span", { class: "note-label" }, icon("lock"), " ", t("internalNote")) : null),
    message.body ? h("p", {}, linkify(message.body)) : null,
    message.attachments?.length ? h("ul", { class: "files", "aria-label": t("files") }, message.attachments.map(fileLink)) : null);
}

function rows(messages) {
  const items = [];
  messages.forEach((message, index) => {
    const previous = messages[index - 1];
    if (!previous || dayLabel(previous.created_at) !== dayLabel(message.created_at)) {
      items.push(h("li", { class: "day", role: "separator" }, dayLabel(message.created_at)));
    }
    items.push(entry(message, previous));
  });
  return items;
}

/** The transcript card of a ticket made from chat `chatId` (it fills in once the messages have loaded). */
export function transcriptView(chatId) {
  const body = h("div", { class: "skeleton" });
  const card = h("article", { class: "card transcript", "aria-label": t("transcript"), "aria-busy": "true" },
    h("header", {}, h("h3", {}, t("chatTranscript")), h("a", { href: `#/chats/${chatId}`, class: "muted small" }, t("openTheChat"))),
    body);
  allMessages(chatId).then((messages) => {
    body.replaceWith(messages.length ? h("ol", { class: "transcript-lines" }, rows(messages))
      : h("p", { class: "muted" }, t("noMessagesInChat")));
  }, (failure) => {
    body.replaceWith(h("p", { class: "error" }, t("transcriptFailed", { error: failure.message })));
  }).finally(() => card.removeAttribute("aria-busy"));
  return card;
}
