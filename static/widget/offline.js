/** The offline form (a ticket) and its confirmation. */
import { call } from "./api.js";
import { h, lang, t } from "./dom.js";
import { field, form } from "./prechat.js";
import { state, update, widgetId } from "./store.js";

/** When a department closed by its business hours opens, in the visitor's own zone and language. */
function opening(at) {
  const when = new Date(at), locale = lang();
  const days = Math.round((new Date(at).setHours(0, 0, 0, 0) - new Date().setHours(0, 0, 0, 0)) / 864e5);
  const day = days < 2 ? new Intl.RelativeTimeFormat(locale, { numeric: "auto" }).format(days, "day")
    : when.toLocaleDateString(locale, days < 7 ? { weekday: "long" } : { weekday: "long", month: "long", day: "numeric" });
  return t("closedUntil", { day, time: when.toLocaleTimeString(locale, { timeStyle: "short" }) });
}

export function buildOffline(identity) {
  const draft = { ...identity, ...state.saved, ...state.draft };
  const { opens_at: opensAt, offline_message: away } = state.settings;
  return form([
    opensAt && h("p", { class: "intro" }, opening(opensAt)),
    h("p", { class: "intro" }, away),
    field({ name: "name", label: t("name"), required: true }, draft.name),
    field({ name: "email", label: t("email"), type: "email", required: true }, draft.email),
    field({ name: "message", label: t("message"), type: "textarea", required: true }, draft.message),
  ], t("sendMessage"), async ({ message: body, ...values }) => {
    await call("POST", `/widgets/${widgetId}/offline-messages`, { ...values, body, language: lang() });
    update({ view: "sent", sentTo: values.email, draft: null });
  });
}

export function buildSent() {
  return h("div", { class: "done", role: "status" }, h("div", { class: "done-mark", "aria-hidden": "true" }, "\u2713"),
    h("h2", {}, t("messageSent")), h("p", {}, t("willReply", { email: state.sentTo })));
}
