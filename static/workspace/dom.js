// The workspace's DOM helpers: the shared `h` and `avatar`, states, toasts and its icons.

import { h as element, icon as svgIcon } from "../shared/dom.js";

export { avatar } from "../shared/dom.js";

/** The shared `h`, with `dataset: {key: value}` for data-* attributes (null values left out). */
export function h(tag, { dataset = {}, ...attributes } = {}, ...children) {
  const node = element(tag, attributes, ...children);
  for (const [key, value] of Object.entries(dataset)) if (value != null) node.dataset[key] = value;
  return node;
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
  thumbUp: "M7 10v11H4V10zM7 10l4-7a2 2 0 012 2v4h6a2 2 0 012 2.3l-1.3 7A2 2 0 0117.7 21H7",
  thumbDown: "M17 14V3h3v11zM17 14l-4 7a2 2 0 01-2-2v-4H5a2 2 0 01-2-2.3l1.3-7A2 2 0 016.3 3H17",
};

export function icon(name) {
  const svg = svgIcon(ICONS[name]);
  const look = { width: 16, height: 16, fill: "none", stroke: "currentColor", "stroke-width": 2, "stroke-linecap": "round",
    "stroke-linejoin": "round" };
  for (const [attribute, value] of Object.entries(look)) svg.setAttribute(attribute, value);
  return svg;
}
