/** The composer: a growing text box, emoji, attach, send, typing notices. */
import { call } from "./api.js";
import { ICONS, h, icon, t } from "./dom.js";
import { emojiPicker } from "../shared/emoji.js";
import { enqueue } from "./outbox.js";
import { state, subscribe } from "./store.js";
import { attach, renderUploads } from "./uploads.js";

const TYPING_REFRESH_MS = 2000;  // the server coalesces repeats within 2 s anyway
const PREVIEW_MS = 400;  // the typing preview's text, at most this often

export function mountComposer(root) {
  const input = h("textarea", { id: "composer-input", rows: 1, placeholder: t("write"),
    "aria-label": t("message"), maxlength: 5000 });
  const files = h("input", { type: "file", multiple: true, hidden: true, tabindex: -1,
    onchange: () => { attach([...files.files]); files.value = ""; } });
  const { toggle, grid } = emojiPicker((emoji) => {
    input.setRangeText(emoji, input.selectionStart, input.selectionEnd, "end");
    input.focus();
  }, t("emoji"), icon(ICONS.smile), t("emojiList"));
  const uploads = h("ul", { class: "uploads", "aria-label": t("uploading") });
  const form = h("form", { class: "composer" }, uploads, grid, h("div", { class: "composer-row" }, input, toggle,
    h("button", { class: "icon-button", "aria-label": t("attach"), onclick: () => files.click() }, icon(ICONS.clip)),
    h("button", { class: "send", type: "submit", "aria-label": t("send") }, icon(ICONS.send))), files);
  root.append(form);

  let typingSentAt = 0;
  let idleTimer, previewTimer, sending;
  /** With the typing preview on, the text goes too, in order: the latest after a pause. */
  function typing(on) {
    if (!state.chat || state.chat.status === "ended" || !state.connected) return;
    clearTimeout(idleTimer);
    clearTimeout(previewTimer);
    if (on) idleTimer = setTimeout(() => typing(false), 2 * TYPING_REFRESH_MS);
    const preview = on && state.settings.typing_preview ? input.value.slice(0, 500) : undefined;
    const wait = (preview ? PREVIEW_MS : TYPING_REFRESH_MS) + typingSentAt - Date.now();
    if (on && wait > 0) return void (preview && (previewTimer = setTimeout(() => typing(true), wait)));
    typingSentAt = on ? Date.now() : 0;
    const send = () => call("POST", `/chats/${state.chat.id}/typing`, { typing: on, preview }).catch(() => {});
    sending = sending ? sending.then(send) : send();
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
