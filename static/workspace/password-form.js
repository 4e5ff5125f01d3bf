// Choosing a new password: the current one (unless already known), the new one twice. Used by "Your account",
// by the "Choose a new password" screen after a sign-in with a one-time password, and by mailed links.
import { request } from "/static/workspace/api.js";
import { h } from "/static/workspace/dom.js";
import { t } from "/static/shared/i18n.js";

const MIN_LENGTH = 10;
let forms = 0;

function passwordField(id, label, autocomplete, hint) {
  const input = h("input", { id, name: id, type: "password", autocomplete, required: true, maxlength: 1024,
    "aria-describedby": [hint && `${id}-hint`, `${id}-error`].filter(Boolean).join(" ") });
  const error = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
  return { input, error, node: h("div", { class: "field" }, h("label", { for: id }, label), input,
    hint ? h("p", { class: "muted small hint", id: `${id}-hint` }, hint) : null, error) };
}

/**
 * A form that changes the signed-in agent's password. `current`: the password they signed in with, when
 * this page knows it (then it is not asked again); `email` lets password managers file the new one.
 * `onChanged(answer)` runs after the change; the form then clears itself. `save(newPassword)`: another way to
 * set it than the signed-in agent's own change (a mailed link: no current password asked).
 */
export function passwordForm({ email, current = null, currentLabel = t("currentPassword"), submitLabel, onChanged,
  save = null }) {
  const n = ++forms;
  const fields = {
    ...(current || save ? {} : { current_password: passwordField(`password-current-${n}`, currentLabel, "current-password") }),
    new_password: passwordField(`password-new-${n}`, t("newPassword"), "new-password", t("passwordHint", { count: MIN_LENGTH })),
    confirm: passwordField(`password-confirm-${n}`, t("newPasswordAgain"), "new-password"),
  };
  const alert = h("p", { class: "error", role: "alert", hidden: true });
  const submit = h("button", { class: "button primary", type: "submit" }, submitLabel);
  const form = h("form", { class: "password-form", novalidate: true },
    h("input", { class: "visually-hidden", type: "email", autocomplete: "username", value: email || "", readonly: true,
      tabindex: "-1", "aria-hidden": "true" }),
    Object.values(fields).map((field) => field.node), alert,
    h("div", { class: "actions" }, submit));

  const show = (problems, message = "") => {
    for (const [name, { input, error }] of Object.entries(fields)) {
      error.textContent = problems[name] || "";
      error.hidden = !problems[name];
      if (problems[name]) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
    alert.textContent = message;
    alert.hidden = !message;
    Object.values(fields).find(({ error }) => !error.hidden)?.input.focus();
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(Object.entries(fields).map(([name, { input }]) => [name, input.value]));
    const problems = {};
    if (!current && !save && !values.current_password) problems.current_password = t("enterCurrentPassword");
    if (values.new_password.length < MIN_LENGTH) problems.new_password = t("passwordTooShort", { count: MIN_LENGTH });
    else if (values.confirm !== values.new_password) problems.confirm = t("passwordsDiffer");
    if (Object.keys(problems).length) return show(problems);
    show({});
    submit.setAttribute("aria-busy", "true");
    submit.disabled = true;
    try {
      const answer = await (save ? save(values.new_password) : request("POST", "/api/v1/agents/me/password",
        { current_password: current ?? values.current_password, new_password: values.new_password }));
      form.reset();
      await onChanged(answer);
    } catch (failure) {
      const known = failure.fields && Object.keys(failure.fields).every((name) => name in fields);
      show(known ? failure.fields : {}, known ? "" : failure.message);
    } finally {
      submit.removeAttribute("aria-busy");
      submit.disabled = false;
    }
  });
  return form;
}
