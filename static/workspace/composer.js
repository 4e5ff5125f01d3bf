// The composer: Enter sends, Shift+Enter breaks the line; "/" quick responses; internal notes;
// typing indicator (never for notes); drafts per chat;
// attachments by button, drag and drop or paste, with progress; emoji; sends wait in an outbox
// while offline and go out in order, each with its client_msg_id, when the connection is back.
import { emojiPicker } from "../shared/emoji.js";
import { request, upload } from "/static/workspace/api.js";
import { h, icon, toast } from "/static/workspace/dom.js";
import { size } from "/static/workspace/format.js";
import { attachPalette } from "/static/workspace/palette.js";
import { addMessages, on } from "/static/workspace/store.js";
import { t } from "/static/shared/i18n.js";

const DRAFT_KEY = (chatId) => `chatdesk.draft.${chatId}`;
const OUTBOX_KEY = "chatdesk.outbox";
const TYPING_IDLE_MS = 3000;
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30000;

const outbox = () => JSON.parse(localStorage.getItem(OUTBOX_KEY) || "[]");
const saveOutbox = (items) => localStorage.setItem(OUTBOX_KEY, JSON.stringify(items));
let flushing = false;
let retryTimer = null;
let retryDelay = RETRY_FIRST_MS;

/** Drafts and unsent messages stay on this computer only while their agent is signed in. */
export function forgetLocalData() {
  for (const key of Object.keys(localStorage)) if (key.startsWith("chatdesk.draft.") || key === OUTBOX_KEY) localStorage.removeItem(key);
}

/** Send what waits in the outbox, oldest first; stops at the first failure that may pass and tries
 * again after the server's Retry-After or a growing pause (or at once when the stream reconnects). */
async function flushOutbox() {
  if (flushing) return;
  flushing = true;
  clearTimeout(retryTimer);
  try {
    for (const item of outbox()) {
      try {
        const { message } = await request("POST", `/api/v1/chats/${item.chatId}/messages`, item.payload);
        addMessages(item.chatId, [message]);
        retryDelay = RETRY_FIRST_MS;
      } catch (failure) {
        if (!failure.status || failure.status >= 500 || failure.status === 429) {  // offline or briefly unavailable
          retryTimer = setTimeout(flushOutbox, Math.max(retryDelay, (failure.retryAfter || 0) * 1000));
          retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
          return;
        }
        toast(t("messageNotSent", { error: failure.message }), "error");
      }
      saveOutbox(outbox().filter((queued) => queued.payload.client_msg_id !== item.payload.client_msg_id));
    }
  } finally {
    flushing = false;
    document.dispatchEvent(new Event("chatdesk:outbox"));
  }
}

/** Send a message now; on a network failure it waits in the outbox. */
async function sendMessage(chatId, fields) {
  const payload = { client_msg_id: crypto.randomUUID(), ...fields };
  saveOutbox([...outbox(), { chatId, payload }]);
  await flushOutbox();
}

export function createComposer(container, chat) {
  const textarea = h("textarea", { rows: "1", id: "composer-input", placeholder: t("replyPlaceholder"),
    "aria-label": t("message"), maxlength: "5000" });
  const uploads = h("div", { class: "uploads", "aria-live": "polite" });
  const fileInput = h("input", { type: "file", hidden: true, multiple: true });
  const pending = h("span", { class: "composer-hint" });
  const tools = h("div", { class: "composer-tools" });
  const form = h("form", { class: "composer", "aria-label": t("reply") }, uploads,
    h("div", { class: "composer-box" }, textarea, h("button", { class: "button primary", type: "submit" }, t("send"))),
    tools, fileInput);
  container.replaceChildren(form);
  const attached = [];  // {id, element} of finished uploads
  let typingSent = false, typingTimer = null;
  const noteToggle = h("button", { class: "icon-button", type: "button", "aria-pressed": "false",
    "aria-label": t("internalNote"), title: t("internalNoteTitle") }, icon("lock"));
  noteToggle.addEventListener("click", () => {
    const note = noteToggle.getAttribute("aria-pressed") !== "true";
    noteToggle.setAttribute("aria-pressed", String(note));
    form.classList.toggle("note", note);
    textarea.placeholder = t(note ? "notePlaceholder" : "replyPlaceholder");
    if (note && typingSent) setTyping(false);
    textarea.focus();
  });
  const isNote = () => noteToggle.getAttribute("aria-pressed") === "true";

  function grow() {
    textarea.style.height = "auto";
    textarea.style.height = `${textarea.scrollHeight + 2}px`;
  }

  function setTyping(typing) {
    clearTimeout(typingTimer);
    if (typing) typingTimer = setTimeout(() => setTyping(false), TYPING_IDLE_MS);
    if (typing === typingSent && !typing) return;
    typingSent = typing;
    request("POST", `/api/v1/chats/${chat.id}/typing`, { typing }).catch(() => {});
  }

  function insert(text) {
    const at = textarea.selectionStart ?? textarea.value.length;
    textarea.setRangeText(text, at, textarea.selectionEnd ?? at, "end");
    textarea.dispatchEvent(new Event("input"));
    textarea.focus();
  }

  async function attach(file) {
    const progress = h("progress", { max: "1", value: "0", "aria-label": t("uploading", { name: file.name }) });
    const remove = h("button", { class: "icon-button", type: "button", "aria-label": t("removeFile", { name: file.name }) }, "×");
    const element = h("span", { class: "upload", dataset: { state: "uploading" } }, `${file.name} · ${size(file.size)}`, progress, remove);
    uploads.append(element);
    const entry = { id: null, element };
    remove.addEventListener("click", () => { element.remove(); attached.splice(attached.indexOf(entry), 1); });
    attached.push(entry);
    try {
      entry.id = (await upload(chat.id, file, (fraction) => { progress.value = fraction; })).id;
      element.dataset.state = "done";
      progress.value = 1;
    } catch (failure) {
      element.dataset.state = "failed";
      progress.replaceWith(h("span", {}, failure.message));
    }
  }

  async function send() {
    const body = textarea.value.trim();
    const ready = attached.filter((entry) => entry.id);
    if (attached.some((entry) => entry.element.dataset.state === "uploading")) return toast(t("waitForUpload"));
    if (!body && !ready.length) return;
    const fields = { body: body || ready.map((entry) => entry.element.firstChild.textContent.split(" · ")[0]).join(", "),
      attachment_ids: ready.map((entry) => entry.id), internal: isNote() };
    textarea.value = "";
    localStorage.removeItem(DRAFT_KEY(chat.id));
    attached.length = 0;
    uploads.replaceChildren();
    grow();
    setTyping(false);
    await sendMessage(chat.id, fields);
  }

  function showPending() {
    const waiting = outbox().filter((item) => item.chatId === chat.id).length;
    pending.textContent = waiting ? t("waitingToSend", { count: waiting }) : t("enterToSend");
  }

  attachPalette(textarea, form, chat);  // before the Enter handler: the palette's Enter picks a response
  textarea.value = localStorage.getItem(DRAFT_KEY(chat.id)) || "";
  textarea.addEventListener("input", () => {
    grow();
    if (textarea.value) localStorage.setItem(DRAFT_KEY(chat.id), textarea.value);
    else localStorage.removeItem(DRAFT_KEY(chat.id));
    if (textarea.value.trim() && !textarea.value.startsWith("/") && !isNote()) setTyping(true);
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !event.defaultPrevented) {
      event.preventDefault();
      send();
    }
  });
  textarea.addEventListener("blur", () => typingSent && setTyping(false));
  textarea.addEventListener("paste", (event) => {
    const files = [...(event.clipboardData?.files || [])];
    if (files.length) { event.preventDefault(); files.forEach(attach); }
  });
  form.addEventListener("submit", (event) => { event.preventDefault(); send(); });
  form.addEventListener("dragover", (event) => { event.preventDefault(); form.classList.add("dragging"); });
  form.addEventListener("dragleave", () => form.classList.remove("dragging"));
  form.addEventListener("drop", (event) => {
    event.preventDefault();
    form.classList.remove("dragging");
    [...event.dataTransfer.files].forEach(attach);
  });
  fileInput.addEventListener("change", () => { [...fileInput.files].forEach(attach); fileInput.value = ""; });

  const { toggle: emojiButton, grid: emojiGrid } = emojiPicker(insert, t("emoji"), icon("smile"));
  emojiButton.title = t("emoji");
  emojiGrid.classList.add("popover");
  form.append(emojiGrid);
  tools.append(h("button", { class: "icon-button", type: "button", "aria-label": t("attachFile"), title: t("attachFile"),
    onclick: () => fileInput.click() }, icon("paperclip")), emojiButton, noteToggle, pending);

  const offs = [on("connection", (connection) => connection === "open" && flushOutbox())];
  document.addEventListener("chatdesk:outbox", showPending);
  showPending();
  grow();
  return {
    textarea,
    destroy() {
      offs.forEach((off) => off());
      document.removeEventListener("chatdesk:outbox", showPending);
      if (typingSent) setTyping(false);
      clearTimeout(typingTimer);
    },
  };
}
