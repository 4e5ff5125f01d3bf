/** After the chat: rate it good or bad with a comment, download the transcript, or start a new chat. */
import { call, download } from "./api.js";
import { ICONS, h, icon } from "./dom.js";
import { form } from "./prechat.js";
import { remember, state, update } from "./store.js";

export function buildEnded() {
  const chat = state.chat;
  let score = null;
  const comment = h("textarea", { name: "comment", rows: 2, "aria-label": "Comment (optional)",
    placeholder: "Tell us more (optional)", maxlength: 2000, hidden: true });
  const choices = ["Good", "Bad"].map((label) => h("button", {
    class: `button rate rate-${label.toLowerCase()}`, "aria-pressed": "false",
    onclick: (click) => {
      score = label.toLowerCase();
      choices.forEach((button) => button.setAttribute("aria-pressed", button === click.currentTarget));
      comment.hidden = rating.lastChild.hidden = false;
    },
  }, icon(ICONS.thumb), label));
  const rating = form([
    h("p", { class: "rating-question", id: "rating-question" },
      chat.agent ? `How was your chat with ${chat.agent.name}?` : "How was your chat?"),
    h("div", { class: "choices", role: "group", "aria-labelledby": "rating-question" }, choices), comment,
  ], "Send rating", async () => {
    await call("POST", `/chats/${chat.id}/rating`, { score, comment: comment.value.trim() || null });
    update({ rated: true });
    rating.replaceWith(h("p", { class: "thanks", role: "status" }, "Thanks for your feedback!"));
  });
  rating.className = "rating";
  rating.lastChild.hidden = true;  // the submit button, until a choice is made
  return h("section", { class: "ended", "aria-label": "Chat ended" }, h("p", { class: "ended-title" }, "This chat has ended"),
    state.rated ? null : rating,
    h("div", { class: "actions" },
      h("button", { class: "button", onclick: () =>
        download(`/api/v1/chats/${chat.id}/transcript?format=text`, `chat-${chat.created_at.slice(0, 10)}.txt`) },
      "Download transcript"),
      h("button", { class: "button primary", onclick: () => {
        remember({ chatId: null });
        update({ chat: null, messages: new Map(), view: "prechat" });
      } }, "Start a new chat")));
}
