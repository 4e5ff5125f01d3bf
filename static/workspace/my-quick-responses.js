// "My quick responses" in Preferences: the agent's own replies, listed, added, edited and deleted.
// Every change reloads the store's list, so the `/` palette offers it at once.
import { linkStyles } from "/static/workspace/admin/forms.js";
import { request } from "/static/workspace/api.js";
import { h } from "/static/workspace/dom.js";
import { editQuickResponse, quickResponseList } from "/static/workspace/quick-response-editor.js";
import { setQuickResponses } from "/static/workspace/store.js";
import { t } from "/static/shared/i18n.js";

export function myQuickResponses() {
  const section = h("section", { class: "my-responses", "aria-labelledby": "my-responses-title" });
  const options = { shared: false, onSaved: () => load() };
  const head = h("div", { class: "my-responses-head" }, h("h3", { id: "my-responses-title" }, t("myQuickResponses")),
    h("button", { class: "button secondary small", type: "button", onclick: () => editQuickResponse(null, options) },
      t("newQuickResponse")));
  async function load() {
    const { quick_responses: all } = await request("GET", "/api/v1/quick-responses");
    setQuickResponses(all);
    const mine = all.filter((response) => !response.shared);
    section.replaceChildren(head, mine.length ? quickResponseList(mine, options)
      : h("p", { class: "muted small" }, t("myQuickResponsesEmpty")));
  }
  section.replaceChildren(head, h("p", { class: "muted small" }, t("myQuickResponsesLoading")));
  linkStyles().then(load).catch(() => section.replaceChildren(head,
    h("p", { class: "error" }, t("myQuickResponsesFailed"))));
  return section;
}
