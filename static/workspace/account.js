// "Your account": the account name, the name customers see, and a new password.
import { request } from "/static/workspace/api.js";
import { h, toast } from "/static/workspace/dom.js";
import { passwordForm } from "/static/workspace/password-form.js";
import { on, setAgent, state } from "/static/workspace/store.js";
import { t } from "/static/shared/i18n.js";

function profileForm() {
  const { agent } = state;
  const name = h("input", { id: "account-name", name: "name", autocomplete: "name", required: true, maxlength: 120,
    autofocus: true, value: agent.name, "aria-describedby": "account-name-error" });
  const display = h("input", { id: "account-display-name", name: "display_name", maxlength: 60, autocomplete: "off",
    value: agent.display_name || "", placeholder: agent.name, "aria-describedby": "account-display-name-hint account-display-name-error" });
  const errors = { name: h("p", { class: "field-error", id: "account-name-error", hidden: true }),
    display_name: h("p", { class: "field-error", id: "account-display-name-error", hidden: true }) };
  const alert = h("p", { class: "error", role: "alert", hidden: true });
  const save = h("button", { class: "button primary", type: "submit" }, t("save"));
  const form = h("form", { class: "account-profile", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "account-name" }, t("name")), name, errors.name),
    h("div", { class: "field" }, h("label", { for: "account-display-name" }, t("publicName")), display,
      h("p", { class: "muted small hint", id: "account-display-name-hint" }, t("publicNameHint")),
      errors.display_name),
    alert, h("div", { class: "actions" }, save));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const error of [...Object.values(errors), alert]) error.hidden = true;
    save.setAttribute("aria-busy", "true");
    try {
      const updated = await request("PATCH", "/api/v1/agents/me", { name: name.value, display_name: display.value });
      setAgent({ ...state.agent, ...updated });
      display.placeholder = updated.name;
      toast(t("profileSaved", { name: updated.public_name }));
    } catch (failure) {
      const slot = (field) => errors[field] || alert;
      for (const [field, message] of Object.entries(failure.fields || { "": failure.message })) {
        slot(field).textContent = message;
        slot(field).hidden = false;
      }
    } finally {
      save.removeAttribute("aria-busy");
    }
  });
  return form;
}

/** Open the "Your account" dialog. */
export function openAccount() {
  const close = h("button", { class: "icon-button dialog-close", type: "button", "aria-label": t("close") }, "\u00d7");
  const passwords = passwordForm({ email: state.agent.email, submitLabel: t("changePassword"),
    onChanged: () => toast(t("passwordChanged")) });
  const dialog = h("dialog", { class: "account-dialog", "aria-labelledby": "account-title" },
    h("header", { class: "dialog-header" }, h("div", {}, h("h2", { id: "account-title" }, t("yourAccount")),
      h("p", { class: "muted small" }, state.agent.email)), close),
    h("section", { "aria-labelledby": "account-profile-title" }, h("h3", { id: "account-profile-title" }, t("profile")), profileForm()),
    h("section", { "aria-labelledby": "account-password-title" }, h("h3", { id: "account-password-title" }, t("password")),
      passwords));
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

/** The top bar's account button opens the dialog; `nameLabel` follows renames. */
export function mountAccount(button, nameLabel) {
  button.addEventListener("click", openAccount);
  on("agent", (agent) => { nameLabel.textContent = agent.name; });
}
