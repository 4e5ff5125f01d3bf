/** DOM and formatting helpers. Text always goes in as text, never as HTML. */

/** An element with attributes (`on*` become listeners) and children (strings become text nodes).
    Buttons are `type=button` unless told otherwise. */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  if (tag === "button") node.type = "button";
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.flat(9).filter((child) => child != null && child !== false));
  return node;
}

/** Initials for an avatar: "Grace Hopper" -> "GH". */
function initials(name) {
  const [first, ...rest] = (name || "").trim().split(/\s+/);
  return ((first[0] || "?") + (rest.pop()?.[0] || "")).toUpperCase();
}

/** Initials on a colour derived from the name. */
export function avatar(name) {
  let hash = 0;
  for (const char of name || "") hash = (hash * 31 + char.codePointAt(0)) % 360;
  const node = h("span", { class: "avatar", "aria-hidden": "true" }, initials(name));
  node.style.setProperty("--hue", hash);
  return node;
}

export const clock = (iso) => new Date(iso).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });

export const fileSize = (bytes) => (bytes < 1024 ? `${bytes} B` : bytes < 1048576 ? `${Math.round(bytes / 1024)} KB`
  : `${+(bytes / 1048576).toFixed(1)} MB`);

/** A random UUID v4 (`crypto.randomUUID` would need a secure context). */
export const uuid = () => "10000000-1000-4000-8000-100000000000".replace(/[018]/g,
  (c) => (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16));

/** An inline SVG icon from one path (stroked, 24 x 24 box). */
export function icon(path) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.innerHTML = `<path d="${path}"/>`;
  return svg;
}

export const ICONS = {
  close: "M6 9l6 6 6-6",
  leave: "M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9",
  send: "M4 12l16-8-6 16-2-7z",
  smile: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM8.5 14a4.5 4.5 0 0 0 7 0M9 9.5h.01M15 9.5h.01",
  clip: "M20 11.5l-8.2 8.2a5 5 0 0 1-7-7l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4l7.8-7.8",
  file: "M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8zM14 3v5h5",
  thumb: "M7 10v10H4V10zM7 10l4-7a2 2 0 0 1 3 2l-1 4h5a2 2 0 0 1 2 2.3l-1.2 7A2 2 0 0 1 16.8 20H7",
};
