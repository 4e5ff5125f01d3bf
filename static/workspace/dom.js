// Small DOM helpers: elements built from data (text always as text, never HTML) and avatars.

/** `h("p", {class: "x", onclick}, "text", child)`: strings become text nodes; null children are skipped. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "dataset") {
      for (const [key, data] of Object.entries(value)) if (data !== null && data !== undefined) element.dataset[key] = data;
    }
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

export function initials(name) {
  const words = (name || "?").trim().split(/\s+/).filter(Boolean);
  return ((words[0]?.[0] || "?") + (words.length > 1 ? words[words.length - 1][0] : "")).toUpperCase();
}

/** A round avatar with initials on a colour derived from the name. */
export function avatar(name, className = "") {
  let hue = 0;
  for (const char of name || "?") hue = (hue * 31 + char.codePointAt(0)) % 360;
  const element = h("span", { class: `avatar ${className}`.trim(), "aria-hidden": "true" }, initials(name));
  element.style.setProperty("--hue", hue);
  return element;
}

/** A centred state (empty, loading, error) with one sentence and an optional action. */
export function stateView(title, text, action = null) {
  return h("div", { class: "state" }, h("h2", {}, title), h("p", { class: "muted" }, text), action);
}

let toastRoot = null;

export function toast(text, kind = "info") {
  toastRoot ||= document.getElementById("toasts");
  const element = h("div", { class: "toast", dataset: { kind }, role: kind === "error" ? "alert" : "status" }, text);
  toastRoot.append(element);
  setTimeout(() => element.remove(), 4000);
}

// Stroke icons (24 x 24), drawn rather than emoji so they look the same on every system.
const ICONS = {
  paperclip: "M21 12.5l-8.4 8.4a5.5 5.5 0 01-7.8-7.8l8.9-8.9a3.7 3.7 0 015.2 5.2l-8.9 8.9a1.8 1.8 0 01-2.6-2.6l8.2-8.2",
  smile: "M12 21a9 9 0 100-18 9 9 0 000 18zM8.5 14.5s1.2 2 3.5 2 3.5-2 3.5-2M9 9.5h.01M15 9.5h.01",
  lock: "M6 11h12v9H6zM8.5 11V8a3.5 3.5 0 017 0v3",
  file: "M14 3H7a2 2 0 00-2 2v14a2 2 0 002 2h10a2 2 0 002-2V8zM14 3v5h5",
  bolt: "M13 3L5 13h6l-1 8 8-10h-6z",
};

export function icon(name, label = null) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "16");
  svg.setAttribute("height", "16");
  svg.setAttribute("fill", "none");
  svg.setAttribute("stroke", "currentColor");
  svg.setAttribute("stroke-width", "2");
  svg.setAttribute("stroke-linecap", "round");
  svg.setAttribute("stroke-linejoin", "round");
  if (label) svg.setAttribute("aria-label", label);
  else svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}
