// What the admin pages share: page headers, labelled fields with their 422 messages, dialogs, inline saves.
// Their callers pass words already translated; the helpers' own (Cancel, Copy, Done) are translated here.
import { h, toast } from "/static/workspace/dom.js";
import { t } from "/static/shared/i18n.js";

let fieldCount = 0;

/** admin.css, linked once; resolves when it has loaded so nothing is drawn unstyled. */
export function linkStyles() {
  const present = document.querySelector("link[data-admin-css]");
  if (present) return present.loaded;
  const link = h("link", { rel: "stylesheet", href: "/static/workspace/admin/admin.css", "data-admin-css": true });
  link.loaded = new Promise((resolve) => {
    link.addEventListener("load", resolve);
    link.addEventListener("error", resolve);
  });
  document.head.append(link);
  return link.loaded;
}

/** A page title with one sentence and its actions. */
export function pageHeader(title, text, ...actions) {
  return h("header", { class: "admin-header" },
    h("div", {}, h("h1", {}, title), h("p", { class: "muted" }, text)),
    h("div", { class: "admin-actions" }, actions));
}

/** A labelled control; `name` is the API field whose 422 message shows under it. */
export function field(label, control, { name = control.name, hint = null } = {}) {
  control.id ||= `admin-field-${++fieldCount}`;
  const error = h("p", { class: "field-error", id: `${control.id}-error`, "data-error-for": name, hidden: true });
  const help = hint ? h("p", { class: "hint", id: `${control.id}-hint` }, hint) : null;
  control.setAttribute("aria-describedby", [help?.id, error.id].filter(Boolean).join(" "));
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, help, error);
}

export function clearErrors(form) {
  for (const error of form.querySelectorAll("[data-error-for]")) {
    error.hidden = true;
    error.textContent = "";
  }
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  form.querySelector(".form-error")?.remove();
}

/** The error slot for an API field path, or for its nearest parent ("allowed_origins.0" -> "allowed_origins"). */
function errorSlot(form, name) {
  for (let path = name.split("."); path.length; path.pop()) {
    const slot = form.querySelector(`[data-error-for="${CSS.escape(path.join("."))}"]`);
    if (slot) return slot;
  }
  return null;
}

/** Show an API failure on a form: each field's message under its control, anything else on top. */
export function showErrors(form, failure) {
  clearErrors(form);
  const unplaced = [];
  for (const [name, message] of Object.entries(failure.fields || {})) {
    const slot = errorSlot(form, name);
    if (!slot) {
      unplaced.push(`${name}: ${message}`);
      continue;
    }
    slot.textContent = slot.hidden ? message : `${slot.textContent} ${message}`;
    slot.hidden = false;
    const control = (slot.id && form.querySelector(`[aria-describedby~="${slot.id}"]`))
      || slot.closest(".field, .prechat-row")?.querySelector("input, select, textarea");
    control?.setAttribute("aria-invalid", "true");
  }
  if (unplaced.length || !failure.fields) {
    form.prepend(h("p", { class: "form-error", role: "alert" }, [failure.message, ...unplaced].join(" ")));
  }
  form.querySelector("[aria-invalid='true']")?.focus();
}

/** Run `action` with the button busy; shows failures on `form`. Returns true when it succeeded. */
export async function submitting(form, button, action) {
  button.setAttribute("aria-busy", "true");
  button.disabled = true;
  try {
    clearErrors(form);
    await action();
    return true;
  } catch (failure) {
    showErrors(form, failure);
    return false;
  } finally {
    button.removeAttribute("aria-busy");
    button.disabled = false;
  }
}

/** A modal form; `onSubmit()` resolving closes it, an API error shows on the form. */
export function formDialog(title, fields, submitLabel, onSubmit) {
  const submit = h("button", { class: "button primary", type: "submit" }, submitLabel);
  const dialog = h("dialog", { class: "admin-dialog", "aria-label": title });
  const form = h("form", { method: "dialog", novalidate: true },
    h("h2", {}, title), fields,
    h("div", { class: "actions" },
      h("button", { class: "button secondary", type: "button", onclick: () => dialog.close() }, t("admin.common.cancel")),
      submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await submitting(form, submit, onSubmit)) dialog.close();
  });
  dialog.addEventListener("close", () => dialog.remove());
  dialog.append(form);
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/** Ask before something destructive; resolves true when confirmed. */
export function confirmDialog(title, text, confirmLabel) {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "admin-dialog", role: "alertdialog", "aria-label": title });
    const confirm = h("button", { class: "button destructive", type: "button" }, confirmLabel);
    const cancel = h("button", { class: "button secondary", type: "button" }, t("admin.common.cancel"));
    confirm.addEventListener("click", () => { dialog.returnValue = "yes"; dialog.close(); });
    cancel.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => { dialog.remove(); resolve(dialog.returnValue === "yes"); });
    dialog.append(h("form", { method: "dialog" }, h("h2", {}, title), h("p", { class: "muted" }, text),
      h("div", { class: "actions" }, cancel, confirm)));
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

/** Save a control's new value as soon as it changes; on failure restore the old value and say why. */
export function saveOnChange(control, save, savedText) {
  let saved = control.type === "checkbox" ? control.checked : control.value;
  control.addEventListener("change", async () => {
    const value = control.type === "checkbox" ? control.checked : control.value;
    control.disabled = true;
    try {
      await save(value);
      saved = value;
      toast(savedText(value));
    } catch (failure) {
      if (control.type === "checkbox") control.checked = saved;
      else control.value = saved;
      toast(Object.values(failure.fields || {})[0] || failure.message, "error");
    } finally {
      control.disabled = false;
    }
  });
  return control;
}

/** Copy `text` to the clipboard (or, where the browser refuses, through a selection); `button` says "Copied". */
export async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = h("textarea", { class: "visually-hidden" });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  button.textContent = t("admin.common.copied");
  setTimeout(() => { button.textContent = t("admin.common.copy"); }, 2000);
}

/** A value shown once (a one-time password, a secret) in a dialog with a copy button. */
export function shownOnce(title, text, value, label) {
  const copyButton = h("button", { class: "button secondary", type: "button", onclick: () => copy(value, copyButton) },
    t("admin.common.copy"));
  const shown = h("input", { class: "one-time-password", readonly: true, value, spellcheck: "false",
    "aria-label": label, onfocus: (event) => event.target.select() });
  const dialog = h("dialog", { class: "admin-dialog", "aria-labelledby": "shown-once-title" },
    h("form", { method: "dialog" },
      h("h2", { id: "shown-once-title" }, title),
      h("p", { class: "muted" }, text),
      h("div", { class: "copy-row" }, shown, copyButton),
      h("div", { class: "actions" }, h("button", { class: "button primary", type: "submit" }, t("admin.common.done")))));
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  copyButton.focus();
  return dialog;
}
