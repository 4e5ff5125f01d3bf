/** DOM helpers for both apps. Text always goes in as text, never as HTML. */

/** An element with attributes (`on*` listen, `dataset` sets data-*; null and false are left out) and
    children (strings become text). Buttons are `type=button` unless told. */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  if (tag === "button") node.type = "button";
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "dataset") for (const key in value) value[key] != null && (node.dataset[key] = value[key]);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.flat(9).filter((child) => child != null && child !== false));
  return node;
}

/** Initials ("Grace Hopper" -> "GH") on a colour derived from the name. */
export function avatar(name, className = "") {
  const [first, ...rest] = (name ||= "").trim().split(/\s+/);
  let hue = 0;
  for (const char of name) hue = (hue * 31 + char.codePointAt(0)) % 360;
  const node = h("span", { class: `avatar ${className}`, "aria-hidden": "true" },
    ((first[0] || "?") + (rest.pop()?.[0] || "")).toUpperCase());
  node.style.setProperty("--hue", hue);
  return node;
}

/** An SVG icon from one path (24 x 24), hidden from screen readers unless labelled. */
export function icon(path, label) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute(...label ? ["aria-label", label] : ["aria-hidden", true]);
  svg.innerHTML = `<path d="${path}"/>`;
  return svg;
}
