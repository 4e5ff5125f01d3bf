/** Formats, icons and the DOM helpers (static/shared). */

export { avatar, h, icon } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
export { formatTime as clock, formatDate, lang, t } from "../shared/i18n.js";

/** A message's text: chatdesk's own lines in the visitor's language, else (or untranslated) its body. */
export function said({ body, system }) {
  const key = system && `line.${system.key}`, line = key && t(key, system.params);
  return line && line !== key ? line : body;
}

export const fileSize = (bytes) => (bytes < 1024 ? `${bytes} B` : bytes < 1048576 ? `${Math.round(bytes / 1024)} KB`
  : `${+(bytes / 1048576).toFixed(1)} MB`);

/** A random UUID v4 (`crypto.randomUUID` would need a secure context). */
export const uuid = () => "10000000-1000-4000-8000-100000000000".replace(/[018]/g,
  (c) => (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16));

export const ICONS = {
  close: "M6 9l6 6 6-6",
  leave: "M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9",
  send: "M4 12l16-8-6 16-2-7z",
  smile: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM8.5 14a4.5 4.5 0 0 0 7 0M9 9.5h.01M15 9.5h.01",
  clip: "M20 11.5l-8.2 8.2a5 5 0 0 1-7-7l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4l7.8-7.8",
  file: "M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8zM14 3v5h5",
  thumb: "M7 10v10H4V10zM7 10l4-7a2 2 0 0 1 3 2l-1 4h5a2 2 0 0 1 2 2.3l-1.2 7A2 2 0 0 1 16.8 20H7",
};
