/** The offline form (nobody online: the message becomes a ticket) and its confirmation. */
import { call } from "./api.js";
import { h } from "./dom.js";
import { busy, field, validate } from "./prechat.js";
import { state, update } from "./store.js";

export function buildOffline(identity) {
  const draft = { ...identity, ...state.saved, ...state.offlineDraft };
  const error = h("p", { class: "form-error", role: "alert" });
  const submit = h("button", { class: "button primary", type: "submit" }, "Send message");
  const form = h("form", { class: "form", novalidate: true },
    h("p", { class: "intro" }, state.settings.offline_message),
    field({ name: "name", label: "Name", required: true }, draft.name || ""),
    field({ name: "email", label: "Email", type: "email", required: true }, draft.email || ""),
    field({ name: "body", label: "Message", type: "textarea", required: true }, draft.message || ""),
    error, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!validate(form)) return;
    const values = Object.fromEntries(new FormData(form));
    busy(submit, true);
    try {
      await call("POST", `/widgets/${state.settings.widget_id}/offline-messages`, values);
      update({ view: "sent", sentTo: values.email, offlineDraft: null });
    } catch (failure) {
      if (failure.status === 422) validate(form, failure.fields);
      error.textContent = failure.message;
    } finally {
      busy(submit, false);
    }
  });
  return form;
}

export function buildSent() {
  return h("div", { class: "done", role: "status" },
    h("div", { class: "done-mark", "aria-hidden": "true" }, "\u2713"),
    h("h2", {}, "Message sent"),
    h("p", {}, `Thanks! We'll reply to ${state.sentTo} as soon as we're back.`));
}
