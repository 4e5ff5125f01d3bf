/** Files from the attach button, drag and drop or paste: checked, uploaded with progress, then sent. */
import { upload } from "./api.js";
import { ICONS, fileSize, h, icon } from "./dom.js";
import { enqueue } from "./outbox.js";
import { state, update } from "./store.js";

let counter = 0;

function change(key, patch) {
  update({ uploads: state.uploads.map((item) => item.key === key ? { ...item, ...patch } : item) });
}

function remove(key) {
  const item = state.uploads.find((candidate) => candidate.key === key);
  if (item?.preview) URL.revokeObjectURL(item.preview);
  update({ uploads: state.uploads.filter((candidate) => candidate.key !== key) });
}

/** Take files: a file over the limit is refused here with a clear message and nothing is sent. */
export function attach(files) {
  const limit = state.settings.upload_max_bytes;
  for (const file of files) {
    const key = ++counter;
    const preview = file.type.startsWith("image/") ? URL.createObjectURL(file) : null;
    update({ uploads: [...state.uploads, { key, file, preview, progress: 0, error: null }] });
    if (file.size > limit) {
      change(key, { error: `${file.name} is too large (${fileSize(file.size)}). Files up to ${fileSize(limit)} can be sent.`,
        final: true });
    } else {
      send(key);
    }
  }
}

async function send(key) {
  const { file } = state.uploads.find((item) => item.key === key);
  change(key, { progress: 0, error: null });
  try {
    const attachment = await upload(state.chat.id, file, (progress) => change(key, { progress }));
    remove(key);
    enqueue(attachment.name, [attachment]);
  } catch (error) {
    const reason = { 413: "is too large to send", 415: "is a type of file that can't be sent" }[error.status];
    change(key, reason ? { error: `${file.name} ${reason}.`, final: true }
      : { error: `Couldn't upload ${file.name}: ${error.message}` });
  }
}

/** The list of files in flight, each with progress, its error, Retry and Remove. */
export function renderUploads(list, uploads) {
  list.replaceChildren(...uploads.map((item) => h("li", { class: `upload${item.error ? " failed" : ""}` },
    item.preview ? h("img", { class: "upload-thumb", src: item.preview, alt: "" }) : icon(ICONS.file),
    h("div", { class: "upload-main" },
      h("span", { class: "upload-name" }, item.file.name || "Pasted image", h("small", {}, ` ${fileSize(item.file.size)}`)),
      item.error ? h("span", { class: "upload-error", role: "alert" }, item.error)
        : h("div", { class: "progress", role: "progressbar", "aria-label": `Uploading ${item.file.name}`,
          "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": Math.round(item.progress * 100) },
        h("span"))),
    item.error && !item.final ? h("button", { type: "button", class: "link-button", onclick: () => send(item.key) }, "Retry") : null,
    item.error ? h("button", { type: "button", class: "link-button", "aria-label": `Remove ${item.file.name}`,
      onclick: () => remove(item.key) }, "Remove") : null)));
  for (const bar of list.querySelectorAll(".progress")) {
    bar.firstChild.style.width = `${bar.getAttribute("aria-valuenow")}%`;
  }
}
