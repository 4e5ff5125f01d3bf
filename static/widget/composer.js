/** The composer: a growing text box, emoji, attach, send; tells the agent while the visitor types. */
import { call } from "./api.js";
import { ICONS, h, icon } from "./dom.js";
import { emojiPicker } from "../shared/emoji.js";
import { enqueue } from "./outbox.js";
import { state, subscribe } from "./store.js";
import { attach, renderUploads } from "./uploads.js";

const TYPING_REFRESH_MS = 2000;  // the server coalesces repeats within 2 s anyway

export function mountComposer(root) {
  const input = h("textarea", { id: "composer-input", rows: 1, placeholder: "Write a message\u2026",
    "aria-label": "Message", maxlength: 5000 });
  const files = h("input", { type: "file", multiple: true, hidden: true, tabindex: -1,
    onchange: () => { attach([...files.files]); files.value = ""; } });
  const { toggle, grid } = emojiPicker((emoji) => {
    input.setRangeText(emoji, input.selectionStart, input.selectionEnd, "end");
    input.focus();
  }, "Insert emoji", icon(ICONS.smile));
  const uploads = h("ul", { class: "uploads", "aria-label": "Files being sent" });
  const form = h("form", { class: "composer" }, uploads, grid, h("div", { class: "composer-row" }, input, toggle,
    h("button", { class: "icon-button", "aria-label": "Attach a file", onclick: () => files.click() }, icon(ICONS.clip)),
    h("button", { class: "send", type: "submit", "aria-label": "Send" }, icon(ICONS.send))), files);
  root.append(form);

  let typingSentAt = 0;
  let idleTimer = null;
  function typing(on) {
    if (!state.chat || state.chat.status === "ended" || !state.connected) return;
    clearTimeout(idleTimer);
    if (on) idleTimer = setTimeout(() => typing(false), 2 * TYPING_REFRESH_MS);
    if (on && Date.now() - typingSentAt < TYPING_REFRESH_MS) return;
    typingSentAt = on ? Date.now() : 0;
    call("POST", `/chats/${state.chat.id}/typing`, { typing: on }).catch(() => {});
  }
  function grow() {
    input.style.height = "auto";
    input.style.height = `${input.scrollHeight}px`;  // up to the CSS max-height
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = input.value.trim();
    if (!body) return;
    enqueue(body);
    input.value = "";
    grow();
    typing(false);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", () => { grow(); typing(Boolean(input.value.trim())); });
  input.addEventListener("paste", (event) => {
    const pasted = [...event.clipboardData.files];
    if (pasted.length) {
      event.preventDefault();
      attach(pasted);
    }
  });
  subscribe((current) => renderUploads(uploads, current.uploads));
  return form;
}
