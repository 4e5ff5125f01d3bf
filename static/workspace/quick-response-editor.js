// Quick responses as cards with Edit and Delete, and their editor dialog (shortcut, title, text with
// placeholder chips): shared ones in the admin console, an agent's own in Preferences.
import { linkify } from "../shared/links.js";
import { request } from "/static/workspace/api.js";
import { h, toast } from "/static/workspace/dom.js";
import { confirmDialog, field, formDialog } from "/static/workspace/admin/forms.js";
import { t } from "/static/shared/i18n.js";

const PLACEHOLDERS = ["visitor.name", "visitor.email", "agent.name"];

/** Put `text` at the textarea's caret and keep typing after it. */
function insertAt(textarea, text) {
  textarea.setRangeText(text, textarea.selectionStart, textarea.selectionEnd, "end");
  textarea.focus();
}

/** Create (`existing` null) or change a quick response; `onSaved()` runs once the API took it. */
export function editQuickResponse(existing, { shared, onSaved }) {
  const shortcut = h("input", { name: "shortcut", autocomplete: "off", maxlength: 32, value: existing?.shortcut || "",
    spellcheck: "false", required: true });
  const title = h("input", { name: "title", autocomplete: "off", maxlength: 80, value: existing?.title || "", required: true });
  const body = h("textarea", { name: "body", rows: 5, maxlength: 2000, required: true });
  body.value = existing?.body || "";
  const chips = h("div", { class: "chips", role: "group", "aria-label": t("insertPlaceholder") },
    PLACEHOLDERS.map((name) => h("button", { class: "chip", type: "button", onclick: () => insertAt(body, `{{${name}}}`) },
      `{{${name}}}`)));
  const heading = existing ? t("editShortcut", { shortcut: existing.shortcut })
    : t(shared ? "newSharedQuickResponse" : "newQuickResponse");
  formDialog(heading, [
    field(t("shortcut"), shortcut, { hint: t(shared ? "shortcutHintShared" : "shortcutHint") }),
    field(t("title"), title),
    field(t("text"), body, { hint: t(shared ? "placeholdersHintShared" : "placeholdersHint") }), chips,
  ], t(existing ? "save" : "create"), async () => {
    const values = { shortcut: shortcut.value.trim(), title: title.value.trim(), body: body.value };
    if (existing) await request("PATCH", `/api/v1/quick-responses/${existing.id}`, values);
    else await request("POST", "/api/v1/quick-responses", { ...values, shared });
    toast(t(shared ? "savedForEveryAgent" : "savedShortcut", { shortcut: values.shortcut }));
    onSaved();
  });
}

function responseCard(response, { shared, onSaved }) {
  return h("li", { class: "card response" },
    h("div", { class: "response-head" },
      h("code", { class: "shortcut" }, `/${response.shortcut}`), h("h2", {}, response.title),
      h("span", { class: "spacer" }),
      h("button", { class: "button ghost small", type: "button", "aria-label": t("editShortcut", { shortcut: response.shortcut }),
        onclick: () => editQuickResponse(response, { shared, onSaved }) }, t("edit")),
      h("button", { class: "button ghost danger small", type: "button", "aria-label": t("deleteShortcut", { shortcut: response.shortcut }),
        onclick: async () => {
          const text = t(shared ? "deleteSharedText" : "deleteOwnText");
          if (!await confirmDialog(t("deleteShortcutQuestion", { shortcut: response.shortcut }), text, t("delete"))) return;
          await request("DELETE", `/api/v1/quick-responses/${response.id}`);
          toast(t("deletedShortcut", { shortcut: response.shortcut }));
          onSaved();
        } }, t("delete"))),
    h("p", { class: "response-body" }, linkify(response.body)));
}

/** The cards of `responses`, each editable and deletable; `onSaved()` runs after every change. */
export function quickResponseList(responses, options) {
  return h("ul", { class: "responses" }, responses.map((response) => responseCard(response, options)));
}
