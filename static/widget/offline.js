/** The offline form (nobody can take a chat: the message becomes a ticket) and its confirmation. */
import { call } from "./api.js";
import { h } from "./dom.js";
import { field, form } from "./prechat.js";
import { state, update } from "./store.js";

export function buildOffline(identity) {
  const draft = { ...identity, ...state.saved, ...state.offlineDraft };
  return form([
    h("p", { class: "intro" }, state.settings.offline_message),
    field({ name: "name", label: "Name", required: true }, draft.name),
    field({ name: "email", label: "Email", type: "email", required: true }, draft.email),
    field({ name: "body", label: "Message", type: "textarea", required: true }, draft.message),
  ], "Send message", async (values) => {
    await call("POST", `/widgets/${state.settings.widget_id}/offline-messages`, values);
    update({ view: "sent", sentTo: values.email, offlineDraft: null });
  });
}

export function buildSent() {
  return h("div", { class: "done", role: "status" }, h("div", { class: "done-mark", "aria-hidden": "true" }, "\u2713"),
    h("h2", {}, "Message sent"), h("p", {}, `Thanks! We'll reply to ${state.sentTo} as soon as we're back.`));
}
