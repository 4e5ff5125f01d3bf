// Admin: shared quick responses: the replies every agent inserts by typing `/shortcut` in a chat.
import { request } from "/static/workspace/api.js";
import { h } from "/static/workspace/dom.js";
import { pageHeader } from "/static/workspace/admin/forms.js";
import { editQuickResponse, quickResponseList } from "/static/workspace/quick-response-editor.js";
import { t } from "/static/shared/i18n.js";

export async function render(root, context) {
  const { quick_responses: all } = await request("GET", "/api/v1/quick-responses");
  const shared = all.filter((response) => response.shared);
  const options = { shared: true, onSaved: () => render(root, context) };
  const add = h("button", { class: "button primary", type: "button", onclick: () => editQuickResponse(null, options) },
    t("admin.quickResponses.new"));
  root.replaceChildren(
    pageHeader(t("admin.quickResponses.title"), t("admin.quickResponses.intro"), add),
    shared.length
      ? quickResponseList(shared, options)
      : h("div", { class: "card empty" }, h("h2", {}, t("admin.quickResponses.empty")),
        h("p", {}, t("admin.quickResponses.emptyText")),
        h("button", { class: "button secondary", type: "button", onclick: () => editQuickResponse(null, options) },
          t("admin.quickResponses.writeFirst"))));
}
