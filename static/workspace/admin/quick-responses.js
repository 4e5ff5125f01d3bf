// Admin: shared quick responses: the replies every agent inserts by typing `/shortcut` in a chat.
import { request } from "/static/workspace/api.js";
import { h } from "/static/workspace/dom.js";
import { pageHeader } from "/static/workspace/admin/forms.js";
import { editQuickResponse, quickResponseList } from "/static/workspace/quick-response-editor.js";

export async function render(root, context) {
  const { quick_responses: all } = await request("GET", "/api/v1/quick-responses");
  const shared = all.filter((response) => response.shared);
  const options = { shared: true, onSaved: () => render(root, context) };
  const add = h("button", { class: "button primary", type: "button", onclick: () => editQuickResponse(null, options) },
    "New quick response");
  root.replaceChildren(
    pageHeader("Quick responses", "Shared replies for every agent. Agents keep their own personal ones too.", add),
    shared.length
      ? quickResponseList(shared, options)
      : h("div", { class: "card empty" }, h("h2", {}, "No shared quick responses yet"),
        h("p", {}, "Save the answers your team types every day, like a greeting or your opening hours."),
        h("button", { class: "button secondary", type: "button", onclick: () => editQuickResponse(null, options) },
          "Write the first one")));
}
