// Admin: a person's privacy request: find the visitor by name, email or id, export their data as a zip, or erase it.
import { request } from "/static/workspace/api.js";
import { h, toast } from "/static/workspace/dom.js";
import { confirmDialog, pageHeader } from "/static/workspace/admin/forms.js";
import { when } from "/static/workspace/format.js";
import { t } from "/static/shared/i18n.js";

function visitorRow(visitor, show) {
  const who = visitor.name || visitor.email || t("admin.privacy.anonymous");
  const erase = h("button", { class: "button destructive small", type: "button", onclick: async () => {
    const sure = await confirmDialog(t("admin.privacy.eraseTitle", { name: who }), t("admin.privacy.eraseText"),
      t("admin.privacy.erase"));
    if (!sure) return;
    try {
      const { erased } = await request("POST", `/api/v1/privacy/visitors/${visitor.id}/erase`);
      toast(t("admin.privacy.erasedCounts", erased));
      show(visitor.id); // found by its id: its name and email are gone
    } catch (failure) {
      toast(failure.message, "error");
    }
  } }, t("admin.privacy.erase"));
  const exportLink = h("a", { class: "button secondary small", href: `/api/v1/privacy/visitors/${visitor.id}/export`,
    download: `visitor-${visitor.id}.zip` }, t("admin.privacy.export"));
  return h("tr", { "data-visitor-id": visitor.id },
    h("th", { scope: "row" }, visitor.erased_at ? h("span", { class: "muted" }, t("admin.privacy.erased")) : who,
      h("div", { class: "muted small" }, h("code", {}, visitor.id))),
    h("td", {}, visitor.email || ""),
    h("td", {}, String(visitor.chats)),
    h("td", {}, when(visitor.last_seen_at || visitor.created_at)),
    h("td", { class: "end" }, exportLink, " ", visitor.erased_at ? null : erase));
}

export async function render(root, context, query = "") {
  const { visitors } = await request("GET", `/api/v1/privacy/visitors?q=${encodeURIComponent(query)}`);
  const search = h("input", { type: "search", name: "q", value: query, maxlength: 200,
    placeholder: t("admin.privacy.searchPlaceholder"), "aria-label": t("admin.privacy.search") });
  const form = h("form", { class: "privacy-search", role: "search", onsubmit: (event) => {
    event.preventDefault();
    render(root, context, search.value.trim());
  } }, search, h("button", { class: "button secondary", type: "submit" }, t("admin.privacy.find")));
  const show = (found) => render(root, context, found);
  const columns = ["admin.privacy.visitor", "admin.common.email", "admin.privacy.chats", "admin.privacy.lastSeen"];
  root.replaceChildren(
    pageHeader(t("admin.privacy.title"), t("admin.privacy.intro")),
    form,
    visitors.length
      ? h("div", { class: "card table-card" }, h("table", { class: "admin-table privacy-table" },
        h("caption", { class: "visually-hidden" }, t("admin.privacy.visitors")),
        h("thead", {}, h("tr", {}, columns.map((title) => h("th", { scope: "col" }, t(title))),
          h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("admin.common.actions"))))),
        h("tbody", {}, visitors.map((visitor) => visitorRow(visitor, show)))))
      : h("div", { class: "card empty" }, h("h2", {}, t("admin.privacy.none")), h("p", {}, t("admin.privacy.noneText"))));
  search.focus();
}
