/** Files from attach, drop or paste: checked, uploaded with progress, sent. */
import { upload } from "./api.js";
import { ICONS, fileSize, h, icon } from "./dom.js";
import { enqueue } from "./outbox.js";
import { state, update } from "./store.js";

let counter = 0;
const change = (key, patch) => update({ uploads: state.uploads.map((item) => item.key === key ? { ...item, ...patch } : item) });
const remove = (key) => update({ uploads: state.uploads.filter((item) => item.key !== key) });

/** Take files; one over the limit is refused here with a clear message, and nothing is sent. */
export function attach(files) {
  const limit = state.settings.upload_max_bytes;
  for (const file of files) {
    const item = { key: ++counter, file, progress: 0, preview: file.type.startsWith("image/") && URL.createObjectURL(file) };
    if (file.size > limit) {
      item.error = `${file.name} is too large (${fileSize(file.size)}). Files up to ${fileSize(limit)} can be sent.`;
      item.final = true;
    }
    update({ uploads: [...state.uploads, item] });
    if (!item.final) send(item);
  }
}

async function send({ key, file }) {
  change(key, { progress: 0, error: null });
  try {
    const attachment = await upload(state.chat.id, file, (progress) => change(key, { progress }));
    remove(key);
    enqueue(attachment.name, [attachment]);
  } catch (error) {
    const reason = { 413: "is too large to send", 415: "is a type of file that can't be sent" }[error.status];
    change(key, reason ? { error: `${file.name} ${reason}.`, final: true } : { error: `Couldn't upload ${file.name}: ${error.message}` });
  }
}

/** Files in flight: progress, or the error with Retry and Remove. */
export function renderUploads(list, uploads) {
  list.replaceChildren(...uploads.map((item) => {
    const name = item.file.name;
    const bar = h("span");
    bar.style.width = `${item.progress * 100}%`;
    return h("li", { class: `upload${item.error ? " failed" : ""}` },
      item.preview ? h("img", { class: "upload-thumb", src: item.preview, alt: "" }) : icon(ICONS.file),
      h("div", { class: "upload-main" }, h("span", { class: "upload-name" }, name, h("small", {}, ` ${fileSize(item.file.size)}`)),
        item.error ? h("span", { class: "failed", role: "alert" }, item.error)
          : h("div", { class: "progress", role: "progressbar", "aria-label": `Uploading ${name}`,
            "aria-valuenow": Math.round(item.progress * 100) }, bar)),
      item.error && !item.final && h("button", { class: "link-button", onclick: () => send(item) }, "Retry"),
      item.error && h("button", { class: "link-button", "aria-label": `Remove ${name}`,
        onclick: () => remove(item.key) }, "Remove"));
  }));
}
