/** After the chat: rate it good or bad with a comment, download the transcript, or start a new chat. */
import { call, download } from "./api.js";
import { ICONS, h, icon } from "./dom.js";
import { busy } from "./prechat.js";
import { remember, state, update } from "./store.js";

export function buildEnded() {
  const chat = state.chat;
  const agent = chat.agent?.name;
  let score = null;
  const choices = ["good", "bad"].map((value) => h("button", {
    type: "button", class: `rate rate-${value}`, "aria-pressed": "false", "aria-label": value === "good" ? "Good" : "Bad",
    onclick: (click) => {
      score = value;
      choices.forEach((button) => button.setAttribute("aria-pressed", button === click.currentTarget));
      comment.hidden = false;
      submit.hidden = false;
    },
  }, icon(value === "good" ? ICONS.up : ICONS.down), value === "good" ? "Good" : "Bad"));
  const comment = h("textarea", { class: "comment", rows: 2, "aria-label": "Comment (optional)",
    placeholder: "Tell us more (optional)", maxlength: 2000, hidden: true });
  const error = h("p", { class: "form-error", role: "alert" });
  const submit = h("button", { type: "submit", class: "button primary", hidden: true }, "Send rating");
  const rating = h("form", { class: "rating" },
    h("p", { class: "rating-question", id: "rating-question" }, agent ? `How was your chat with ${agent}?` : "How was your chat?"),
    h("div", { class: "choices", role: "group", "aria-labelledby": "rating-question" }, choices), comment, error, submit);
  rating.addEventListener("submit", async (event) => {
    event.preventDefault();
    busy(submit, true);
    try {
      await call("POST", `/chats/${chat.id}/rating`, { score, comment: comment.value.trim() || null });
      update({ rated: true });
      rating.replaceChildren(h("p", { class: "thanks", role: "status" }, "Thanks for your feedback!"));
    } catch (failure) {
      error.textContent = failure.message;
      busy(submit, false);
    }
  });
  return h("section", { class: "ended", "aria-label": "Chat ended" },
    h("p", { class: "ended-title" }, "This chat has ended"),
    state.rated ? null : rating,
    h("div", { class: "ended-actions" },
      h("button", { type: "button", class: "button secondary",
        onclick: () => download(`/api/v1/chats/${chat.id}/transcript?format=text`, `chat-${chat.created_at.slice(0, 10)}.txt`) },
      "Download transcript"),
      h("button", { type: "button", class: "button primary", onclick: () => {
        remember({ chatId: null });
        update({ chat: null, messages: new Map(), view: "prechat" });
      } }, "Start a new chat")));
}
