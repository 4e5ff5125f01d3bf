/** The panel's header (title or agent, minimise) and the "Reconnecting..." banner. */
import { ICONS, avatar, h, icon } from "./dom.js";
import { subscribe } from "./store.js";

export function mountHeader(root, { onClose }) {
  const who = h("div", { class: "who" });
  const close = h("button", { class: "icon-button", type: "button", "aria-label": "Minimise chat", onclick: onClose },
    icon(ICONS.close));
  const banner = h("div", { class: "banner", role: "status", hidden: true }, "Reconnecting\u2026");
  root.append(h("header", { class: "header" }, who, close), banner);
  let shown = "";
  subscribe((state) => {
    banner.hidden = state.connected || state.view !== "chat";
    const agent = state.view === "chat" && state.chat?.status === "active" ? state.chat.agent : null;
    const title = agent ? agent.name : state.settings?.title || "";
    const subtitle = agent ? "Support agent" : state.settings?.agents_online === false ? "We're away right now"
      : "We typically reply in a few minutes";
    const key = `${title}|${subtitle}|${Boolean(agent)}`;
    if (key === shown) return;
    shown = key;
    who.replaceChildren(agent ? avatar(agent.name) : "",
      h("div", {}, h("h1", { class: "title" }, title), h("p", { class: "subtitle" }, subtitle)));
  });
}
