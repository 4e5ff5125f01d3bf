/** After the chat: rate it, download or email the transcript, or start a new chat. */
import { call, download } from "./api.js";
import { ICONS, h, icon, t } from "./dom.js";
import { field, form } from "./prechat.js";
import { remember, state, update } from "./store.js";

const done = (node, text) => node.replaceWith(h("p", { class: "thanks", role: "status" }, text));

export function buildEnded() {
  const { chat } = state;
  const question = chat.agent ? t("howWasWith", chat.agent) : t("howWas");
  let score;
  const comment = h("textarea", { name: "comment", rows: 2, "aria-label": t("comment"),
    placeholder: t("tellMore"), maxlength: 2000, hidden: true });
  const choices = ["good", "bad"].map((choice) => h("button", {
    class: `button rate rate-${choice}`, "aria-pressed": "false",
    onclick: (click) => {
      score = choice;
      choices.forEach((button) => button.setAttribute("aria-pressed", button === click.currentTarget));
      comment.hidden = rating.lastChild.hidden = false;
    },
  }, icon(ICONS.thumb), t(choice)));
  const rating = form([
    h("p", { class: "rating-question" }, question),
    h("div", { class: "choices", role: "group", "aria-label": question }, choices), comment,
  ], t("sendRating"), async () => {
    await call("POST", `/chats/${chat.id}/rating`, { score, comment: comment.value.trim() || null });
    update({ rated: true });
    done(rating, t("thanks"));
  });
  rating.className = "rating";
  rating.lastChild.hidden = true;  // submit, until a choice is made
  const mail = form([field({ name: "to", label: t("yourEmail"), type: "email", required: true }, chat.visitor?.email)],
    t("send"), async ({ to }) => {
      await call("POST", `/chats/${chat.id}/transcript-email`, { email: to, time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone });
      done(mail, t("transcriptSent", { email: to }));
    });
  return h("section", { class: "ended", "aria-label": t("ended") }, h("p", { class: "ended-title" }, t("endedTitle")),
    state.rated ? null : rating,
    h("div", { class: "actions" },
      h("button", { class: "button", onclick: () =>
        download(`/api/v1/chats/${chat.id}/transcript?format=text`, `chat-${chat.created_at.slice(0, 10)}.txt`) },
      t("transcript")),
      h("button", { class: "button primary", onclick: () => {
        remember({ chatId: null });
        update({ chat: null, messages: new Map(), view: "prechat" });
      } }, t("newChat"))),
    h("details", {}, h("summary", { class: "link-button" }, t("mailTranscript")), mail));
}
