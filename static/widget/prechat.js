/** The pre-chat form: fields from the widget's settings, a department choice, the first message. */
import { startChat } from "./chat.js";
import { h } from "./dom.js";
import { state, update } from "./store.js";

const MESSAGE_FIELD = { name: "message", label: "How can we help?", type: "textarea", required: true };

/** A labelled input for a field, with a place for its error. */
export function field({ name, label, type = "text", required = false, options = [] }, value = "") {
  const id = `f-${name}`;
  const attrs = { id, name, required, "aria-describedby": `${id}-error`,
    autocomplete: { name: "name", email: "email", tel: "tel" }[name === "name" ? "name" : type] };
  const input = type === "textarea" ? h("textarea", { ...attrs, rows: 3 })
    : type === "select" ? h("select", attrs, h("option", { value: "" }, "Choose\u2026"),
      options.map((option) => h("option", { value: option }, option)))
      : h("input", { ...attrs, type: type === "tel" ? "tel" : type === "email" ? "email" : "text" });
  input.value = value;
  return h("div", { class: "field" }, h("label", { for: id }, label, required ? "" : h("span", { class: "optional" }, " (optional)")),
    input, h("p", { class: "field-error", id: `${id}-error` }));
}

/** Check each field; show its message; focus the first wrong one. */
export function validate(form, serverErrors = {}) {
  let first = null;
  for (const input of form.querySelectorAll("input, textarea, select")) {
    input.value = input.type === "email" ? input.value.trim() : input.value;
    const message = serverErrors[input.name] || (input.validity.valueMissing ? "Please fill this in."
      : input.validity.typeMismatch ? "Please enter a valid email address." : "");
    input.setAttribute("aria-invalid", Boolean(message));
    form.querySelector(`#${input.id}-error`).textContent = message;
    first ??= message ? input : null;
  }
  first?.focus();
  return !first;
}

export function busy(button, on) {
  button.disabled = on;
  button.setAttribute("aria-busy", on);
}

export function buildPrechat(identity) {
  const { settings, saved } = state;
  const known = Boolean(saved.token);
  const fields = known ? [] : settings.pre_chat_fields;
  const departments = settings.departments.length > 1 ? [{
    name: "department", label: "Department", type: "select", required: true,
    options: settings.departments.map((department) => department.name),
  }] : [];
  const error = h("p", { class: "form-error", role: "alert" });
  const submit = h("button", { class: "button primary", type: "submit" }, "Start chat");
  const form = h("form", { class: "form", novalidate: true },
    h("p", { class: "intro" }, known ? `Welcome back${saved.name ? `, ${saved.name}` : ""}!` : settings.greeting),
    fields.map((spec) => field(spec, identity[spec.name] || "")),
    departments.map((spec) => field(spec, departments.length ? settings.departments[0].name : "")),
    field(MESSAGE_FIELD), error, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!validate(form)) return;
    const values = Object.fromEntries(new FormData(form));
    const { message, department, ...rest } = values;
    const departmentId = settings.departments.find((item) => item.name === department)?.id;
    busy(submit, true);
    try {
      await startChat({ departmentId, body: message.trim(), fields: rest });
    } catch (failure) {
      if (failure.code === "no_agents_online") {
        update({ view: "offline", offlineDraft: { ...rest, message } });
      } else if (failure.status === 422) {
        validate(form, failure.fields);
        error.textContent = failure.message;
      } else {
        error.textContent = failure.message;
      }
    } finally {
      busy(submit, false);
    }
  });
  return form;
}
