// Admin: API keys for other systems: made with scopes and a bot name, the token shown once, revoked at once.
import { request } from "/static/workspace/api.js";
import { h, toast } from "/static/workspace/dom.js";
import { confirmDialog, copy, field, formDialog, pageHeader } from "/static/workspace/admin/forms.js";
import { when } from "/static/workspace/format.js";
import { t } from "/static/shared/i18n.js";

const SCOPES = [
  ["chats:read", "admin.apiKeys.chatsRead"],
  ["tickets:read", "admin.apiKeys.ticketsRead"],
  ["tickets:write", "admin.apiKeys.ticketsWrite"],
  ["messages:send", "admin.apiKeys.messagesSend"],
];

/** The new token, shown this once with a copy button. */
function showToken(token) {
  const button = h("button", { class: "button secondary small", type: "button", onclick: () => copy(token, button) },
    t("admin.common.copy"));
  const dialog = h("dialog", { class: "admin-dialog", "aria-label": t("admin.apiKeys.newKeyTitle") },
    h("form", { method: "dialog" }, h("h2", {}, t("admin.apiKeys.newKeyTitle")),
      h("p", { class: "muted" }, t("admin.apiKeys.newKeyText")),
      h("div", { class: "snippet-head" }, h("code", { class: "token", "data-testid": "new-api-key" }, token), button),
      h("div", { class: "actions" }, h("button", { class: "button primary", type: "submit" }, t("admin.common.done")))));
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

function createKey(reload) {
  const name = h("input", { name: "name", maxlength: 80, placeholder: t("admin.apiKeys.namePlaceholder") });
  const bot = h("input", { name: "bot_name", maxlength: 60, placeholder: t("admin.apiKeys.botPlaceholder") });
  const boxes = SCOPES.map(([scope]) => h("input", { type: "checkbox", value: scope, "aria-label": scope }));
  const scopes = h("fieldset", { class: "field" }, h("legend", {}, t("admin.apiKeys.scopes")),
    SCOPES.map(([scope, label], at) => h("label", { class: "check" }, boxes[at], h("span", {}, t(label), " ",
      h("code", {}, scope)))),
    h("p", { class: "field-error", "data-error-for": "scopes", hidden: true }));
  formDialog(t("admin.apiKeys.new"), [field(t("admin.common.name"), name, { hint: t("admin.apiKeys.nameHint") }),
    field(t("admin.apiKeys.botName"), bot, { hint: t("admin.apiKeys.botNameHint") }),
    scopes], t("admin.apiKeys.create"), async () => {
    const created = await request("POST", "/api/v1/api-keys", { name: name.value, bot_name: bot.value,
      scopes: boxes.filter((box) => box.checked).map((box) => box.value) });
    reload();
    showToken(created.token);
  });
}

function keyRow(key, reload) {
  const revoke = key.revoked_at
    ? h("span", { class: "muted small" }, t("admin.apiKeys.revokedAt", { when: when(key.revoked_at) }))
    : h("button", { class: "button secondary small", type: "button", onclick: async () => {
      if (!await confirmDialog(t("admin.apiKeys.revokeTitle", { name: key.name }), t("admin.apiKeys.revokeText"),
        t("admin.apiKeys.revoke"))) return;
      await request("DELETE", `/api/v1/api-keys/${key.id}`);
      toast(t("admin.apiKeys.revoked", { name: key.name }));
      reload();
    } }, t("admin.apiKeys.revoke"));
  return h("tr", { "data-active": String(!key.revoked_at) },
    h("th", { scope: "row" }, key.name, h("div", { class: "muted small" }, h("code", { class: "hint" }, `${key.hint}…`))),
    h("td", {}, key.bot_name),
    h("td", {}, key.scopes.map((scope) => h("span", { class: "pill" }, scope))),
    h("td", {}, key.last_used_at ? when(key.last_used_at) : t("admin.apiKeys.never")),
    h("td", { class: "end" }, revoke));
}

export async function render(root, context) {
  const { api_keys: keys } = await request("GET", "/api/v1/api-keys");
  const reload = () => render(root, context);
  const add = h("button", { class: "button primary", type: "button", onclick: () => createKey(reload) },
    t("admin.apiKeys.new"));
  const columns = ["admin.apiKeys.key", "admin.apiKeys.bot", "admin.apiKeys.scopes", "admin.apiKeys.lastUsed"];
  root.replaceChildren(
    pageHeader(t("admin.apiKeys.title"), t("admin.apiKeys.intro"), add),
    keys.length
      ? h("div", { class: "card table-card" }, h("table", { class: "admin-table api-keys-table" },
        h("caption", { class: "visually-hidden" }, t("admin.apiKeys.title")),
        h("thead", {}, h("tr", {}, columns.map((title) => h("th", { scope: "col" }, t(title))),
          h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("admin.common.actions"))))),
        h("tbody", {}, keys.map((key) => keyRow(key, reload)))))
      : h("div", { class: "card empty" }, h("h2", {}, t("admin.apiKeys.none")), h("p", {}, t("admin.apiKeys.noneText"))));
}
