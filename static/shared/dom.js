/** An element. Text goes in as text, never HTML; `on*` attributes listen; null and false are left
    out; buttons are `type=button` unless told. */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  if (tag === "button") node.type = "button";
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.flat(9).filter((child) => child != null && child !== false));
  return node;
}

/** "Grace Hopper" -> "GH" on a colour from the name. */
export function avatar(name) {
  const [first, ...rest] = (name ||= "").trim().split(/\s+/);
  let hue = 0;
  for (const char of name) hue = (hue * 31 + char.codePointAt(0)) % 360;
  const node = h("span", { class: "avatar", "aria-hidden": "true" },
    ((first[0] || "?") + (rest.pop()?.[0] || "")).toUpperCase());
  node.style.setProperty("--hue", hue);
  return node;
}

export function icon(path) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", true);
  svg.innerHTML = `<path d="${path}"/>`;
  return svg;
}
