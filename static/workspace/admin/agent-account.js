// Admin: an agent's names (the account's, and the one customers see) and a password reset that shows a
// one-time password once.
import { request } from "/static/workspace/api.js";
import { h, toast } from "/static/workspace/dom.js";
import { confirmDialog, field, formDialog, shownOnce } from "/static/workspace/admin/forms.js";
import { t } from "/static/shared/i18n.js";

/** The display-name control, for the add and edit dialogs. */
export function displayNameField(input) {
  return field(t("admin.account.displayName"), input, { hint: t("admin.account.displayNameHint") });
}

export function displayNameInput(value = "") {
  return h("input", { name: "display_name", autocomplete: "off", maxlength: 60, value });
}

/** Rename an agent, set the name customers see, or (someone else's) reset their password. */
export function editAgent(agent, me, reload) {
  const name = h("input", { name: "name", autocomplete: "off", required: true, maxlength: 120, value: agent.name });
  const display = displayNameInput(agent.display_name || "");
  const reset = agent.id === me.id || !agent.is_active ? null : h("div", { class: "field reset-field" },
    h("span", { class: "label" }, t("admin.account.password")),
    h("p", { class: "hint" }, t("admin.account.resetHint")),
    h("button", { class: "button secondary", type: "button", onclick: () => {
      dialog.close();
      resetPassword(agent);
    } }, t("admin.account.resetButton")));
  const dialog = formDialog(t("admin.common.editName", { name: agent.name }),
    [field(t("admin.common.name"), name), displayNameField(display), reset], t("admin.common.save"), async () => {
    const saved = await request("PATCH", `/api/v1/agents/${agent.id}`, { name: name.value, display_name: display.value });
    toast(t("admin.account.saved", { name: saved.name, publicName: saved.public_name }));
    reload();
  });
}

/** Ask, reset, then show the one-time password once, with a copy button. */
export async function resetPassword(agent) {
  const sure = await confirmDialog(t("admin.account.resetTitle", { name: agent.name }), t("admin.account.resetText"),
    t("admin.account.reset"));
  if (!sure) return;
  let password;
  try {
    ({ password } = await request("POST", `/api/v1/agents/${agent.id}/password-reset`));
  } catch (failure) {
    toast(failure.message, "error");
    return;
  }
  shownOnce(t("admin.account.oneTimeTitle", { name: agent.name }), t("admin.account.oneTimeText", { name: agent.name }),
    password, t("admin.account.oneTimeLabel"));
}
