/** The pre-chat form: the widget's fields, a department, the first message. */
import { loadSettings, startChat } from "./chat.js";
import { h, t } from "./dom.js";
import { state, update } from "./store.js";

/** A labelled input with a place for its error. */
export function field({ name, label, type = "text", required = false, options = [] }, value = "") {
  const id = `f-${name}`;
  const attrs = { id, name, required, "aria-describedby": `${id}-error`, type,
    maxlength: { name: 120, message: 5e3, body: 5e3 }[name] || 1e3,
    autocomplete: name === "name" ? "name" : ["email", "tel"].includes(type) && type };
  const input = type === "textarea" ? h("textarea", { ...attrs, rows: 3 }) : type === "select"
    ? h("select", attrs, h("option", { value: "" }, t("choose")), options.map((option) => h("option", {}, option)))
    : h("input", attrs);
  input.value = value;
  return h("div", { class: "field" }, h("label", { for: id }, label, required ? "" : ` ${t("optional")}`),
    input, h("p", { class: "field-error", id: `${id}-error` }));
}

/** Show errors, focus the first; true when none. */
function validate(form, serverErrors = {}) {
  let first;
  for (const input of form.querySelectorAll("[name]")) {
    const message = serverErrors[input.name] || serverErrors[`fields.${input.name}`]  // and "message.body"
      || serverErrors[`${input.name}.body`] || (input.validity.valueMissing
      ? t(input.type === "checkbox" ? "tickBox" : "fillIn")
      : input.validity.typeMismatch ? t("badEmail") : "");
    input.setAttribute("aria-invalid", !!message);
    const note = form.querySelector(`#${input.id}-error`);
    if (note) note.textContent = message;
    if (message) first ??= input;
  }
  first?.focus();
  return !first;
}

/** Validate, run `action(values)`, show errors. */
export function form(children, submitLabel, action) {
  const error = h("p", { class: "form-error", role: "alert" });
  const submit = h("button", { class: "button primary", type: "submit" }, submitLabel);
  const node = h("form", { class: "form", novalidate: true }, children, error, submit);
  node.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!validate(node)) return;
    submit.disabled = true;
    try {
      await action(Object.fromEntries(new FormData(node)));
    } catch (failure) {
      validate(node, failure.fields);
      error.textContent = failure.message;
    }
    submit.disabled = false;
  });
  return node;
}

/** Departments that take chats, checked again on submit: a closed one gets the offline form. */
export function buildPrechat(identity) {
  const { settings, saved } = state;
  const values = { ...identity, ...state.draft };
  const offered = settings.departments.filter((item) => item.available);
  return form([
    !state.greeting && h("p", { class: "intro" }, saved.token ? saved.name ? t("welcomeName", saved) : t("welcomeBack") : settings.greeting),
    (saved.token ? [] : settings.pre_chat_fields).map((spec) => field(spec, values[spec.name])),
    offered[1] && field({ name: "department", label: t("department"), type: "select", required: true,
      options: offered.map((item) => item.name) }, values.department || offered[0].name),
    field({ name: "message", label: t("howHelp"), type: "textarea", required: true }, values.message),
    settings.consent_text && field({ name: "consent", type: "checkbox", required: settings.consent_required,
      label: [settings.consent_text, " ", settings.consent_url && h("a", { href: settings.consent_url, target: "_blank" },
        t("privacyPolicy"))] }, 1),
  ], t("startChat"), async ({ message, department = offered[0]?.name, consent, ...fields }) => {
    const chosen = (await loadSettings()).departments.find((item) => item.available && item.name === department);
    try {
      if (chosen) return await startChat({ departmentId: chosen.id, body: message.trim(), fields, consent: !!consent });
    } catch (failure) {
      if (failure.code !== "no_agents_online") throw failure;
    }
    update({ view: "offline" });
  });
}
