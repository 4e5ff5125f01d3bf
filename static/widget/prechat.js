/** The pre-chat form: fields from the widget's settings, a department choice, the first message. */
import { startChat } from "./chat.js";
import { h } from "./dom.js";
import { state, update } from "./store.js";

/** A labelled input for a field spec, with a place for its error. */
export function field({ name, label, type = "text", required = false, options = [] }, value = "") {
  const id = `f-${name}`;
  const attrs = { id, name, required, "aria-describedby": `${id}-error`, type,
    autocomplete: name === "name" ? "name" : ["email", "tel"].includes(type) && type };
  const input = type === "textarea" ? h("textarea", { ...attrs, rows: 3 }) : type === "select"
    ? h("select", attrs, h("option", { value: "" }, "Choose\u2026"), options.map((option) => h("option", {}, option)))
    : h("input", attrs);
  input.value = value;
  return h("div", { class: "field" }, h("label", { for: id }, label, required ? "" : " (optional)"),
    input, h("p", { class: "field-error", id: `${id}-error` }));
}

/** Check each field, show its message, focus the first wrong one; true when all are fine. */
function validate(form, serverErrors = {}) {
  let first = null;
  for (const input of form.querySelectorAll("input, textarea, select")) {
    const message = serverErrors[input.name] || (input.validity.valueMissing ? "Please fill this in."
      : input.validity.typeMismatch ? "Please enter a valid email address." : "");
    input.setAttribute("aria-invalid", Boolean(message));
    const note = input.id && form.querySelector(`#${input.id}-error`);
    if (note) note.textContent = message;
    if (message) first ??= input;
  }
  first?.focus();
  return !first;
}

/** A form: validates, runs `action(values)` with its button busy, shows what went wrong. */
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
    } finally {
      submit.disabled = false;
    }
  });
  return node;
}

export function buildPrechat(identity) {
  const { settings, saved } = state;
  const departments = settings.departments;
  return form([
    h("p", { class: "intro" }, saved.token ? `Welcome back${saved.name ? `, ${saved.name}` : ""}!` : settings.greeting),
    (saved.token ? [] : settings.pre_chat_fields).map((spec) => field(spec, identity[spec.name])),
    departments.length > 1 ? field({ name: "department", label: "Department", type: "select", required: true,
      options: departments.map((department) => department.name) }, departments[0].name) : null,
    field({ name: "message", label: "How can we help?", type: "textarea", required: true }),
  ], "Start chat", async ({ message, department, ...fields }) => {
    try {
      await startChat({ departmentId: departments.find((item) => item.name === department)?.id, body: message.trim(), fields });
    } catch (failure) {
      if (failure.code !== "no_agents_online") throw failure;
      update({ view: "offline", offlineDraft: { ...fields, message } });
    }
  });
}
