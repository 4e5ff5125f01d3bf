/** The header (title or agent, end, minimise), "End this chat?", "Reconnecting...". */
import { call } from "./api.js";
import { applyChat } from "./chat.js";
import { ICONS, avatar, h, icon, t } from "./dom.js";
import { form } from "./prechat.js";
import { state, subscribe } from "./store.js";

export function mountHeader(root, { onClose }) {
  const who = h("div", { class: "who" });
  const end = h("button", { class: "icon-button", "aria-label": t("endChat"), onclick: () => ask(true) }, icon(ICONS.leave));
  const close = h("button", { class: "icon-button", "aria-label": t("minimise"), onclick: onClose },
    icon(ICONS.close));
  const cancel = h("button", { class: "button", onclick: () => ask(false) }, t("cancel"));
  const confirm = form([h("p", { id: "end-question" }, t("endQuestion")), cancel], t("end"),
    async () => applyChat((await call("POST", `/chats/${state.chat.id}/end`)).chat));
  Object.assign(confirm, { className: "confirm actions", hidden: true });
  confirm.setAttribute("aria-labelledby", "end-question");
  const banner = h("div", { class: "banner", role: "status", hidden: true }, t("reconnecting"));
  root.append(h("header", { class: "header" }, who, end, close), confirm, banner);

  function ask(open) {
    confirm.hidden = !open;
    (open ? cancel : end).focus();
  }

  let shown;
  subscribe(({ view, chat, connected, settings = {} }) => {
    banner.hidden = connected || view !== "chat";
    end.hidden = view !== "chat" || chat?.status === "ended";
    if (end.hidden) confirm.hidden = true;
    const agent = view === "chat" && chat?.status === "active" && chat.agent;
    const title = agent ? agent.name : settings.title;
    const subtitle = agent ? t("agent") : !settings.agents_online || /offline|sent/.test(view)
      ? t("away") : t("replyTime");
    if (shown === (shown = `${title}|${subtitle}`)) return;
    who.replaceChildren(agent ? avatar(agent.name) : "",
      h("div", {}, h("h1", { class: "title" }, title), h("p", { class: "subtitle" }, subtitle)));
  });
}
