/** The panel's header (title or agent, minimise) and the "Reconnecting..." banner. */
import { ICONS, avatar, h, icon } from "./dom.js";
import { subscribe } from "./store.js";

export function mountHeader(root, { onClose }) {
  const who = h("div", { class: "who" });
  const close = h("button", { class: "icon-button", "aria-label": "Minimise chat", onclick: onClose },
    icon(ICONS.close));
  const banner = h("div", { class: "banner", role: "status", hidden: true }, "Reconnecting\u2026");
  root.append(h("header", { class: "header" }, who, close), banner);
  let shown = "";
  subscribe(({ view, chat, connected, settings = {} }) => {
    banner.hidden = connected || view !== "chat";
    const agent = view === "chat" && chat?.status === "active" && chat.agent;
    const title = agent ? agent.name : settings.title;
    const subtitle = agent ? "Support agent" : settings.agents_online === false ? "We're away right now"
      : "We typically reply in a few minutes";
    if (shown === (shown = `${title}|${subtitle}|${!agent}`)) return;
    who.replaceChildren(agent ? avatar(agent.name) : "",
      h("div", {}, h("h1", { class: "title" }, title), h("p", { class: "subtitle" }, subtitle)));
  });
}
