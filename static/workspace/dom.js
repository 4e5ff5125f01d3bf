// Small DOM helpers: elements built from data (text always as text, never HTML) and avatars.

/** `h("p", {class: "x", onclick}, "text", child)`: strings become text nodes; null children are skipped. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
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
