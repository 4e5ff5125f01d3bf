/** Files from attach, drop or paste: checked, uploaded with progress, sent. */
import { upload } from "./api.js";
import { ICONS, fileSize, h, icon, t } from "./dom.js";
import { enqueue } from "./outbox.js";
import { state, update } from "./store.js";

let counter = 0;
const change = (key, patch) => update({ uploads: state.uploads.map((item) => item.key === key ? { ...item, ...patch } : item) });
const remove = (key) => update({ uploads: state.uploads.filter((item) => item.key !== key) });

/** Take files; one over the limit is refused here, nothing sent. */
export function attach(files) {
  const limit = state.settings.upload_max_bytes;
  for (const file of files) {
    const item = { key: ++counter, file, progress: 0, preview: file.type.startsWith("image/") && URL.createObjectURL(file) };
    if (file.size > limit) {
      item.error = t("tooLarge", { name: file.name, size: fileSize(file.size), limit: fileSize(limit) });
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
    const reason = { 413: "tooLargeToSend", 415: "badType" }[error.status];
    const words = { name: file.name, error: error.message };
    change(key, reason ? { error: t(reason, words), final: true } : { error: t("uploadFailed", words) });
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
          : h("div", { class: "progress", role: "progressbar", "aria-label": t("uploadingName", { name }),
            "aria-valuenow": Math.round(item.progress * 100) }, bar)),
      item.error && !item.final && h("button", { class: "link-button", onclick: () => send(item) }, t("retry")),
      item.error && h("button", { class: "link-button", "aria-label": t("removeName", { name }),
        onclick: () => remove(item.key) }, t("remove")));
  }));
}
