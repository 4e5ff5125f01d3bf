// The admin console (admins only): a section nav and one page module per section, mounted by the shell.
import { linkStyles } from "/static/workspace/admin/forms.js";
import { h, stateView } from "/static/workspace/dom.js";
import { t } from "/static/shared/i18n.js";

// Each section's label is the catalogue key of its page's title.
const SECTIONS = [
  { id: "agents", label: "admin.agents.title", load: () => import("/static/workspace/admin/agents.js") },
  { id: "departments", label: "admin.departments.title", load: () => import("/static/workspace/admin/departments.js") },
  { id: "quick-responses", label: "admin.quickResponses.title",
    load: () => import("/static/workspace/admin/quick-responses.js") },
  { id: "widgets", label: "admin.widgets.title", load: () => import("/static/workspace/admin/widgets.js") },
  { id: "webhooks", label: "admin.webhooks.title", load: () => import("/static/workspace/admin/webhooks.js") },
  { id: "api-keys", label: "admin.apiKeys.title", load: () => import("/static/workspace/admin/api-keys.js") },
  { id: "privacy", label: "admin.privacy.title", load: () => import("/static/workspace/admin/privacy.js") },
  { id: "triggers", label: "admin.triggers.title", load: () => import("/static/workspace/admin/triggers.js") },
];

function currentSection() {
  const section = location.hash.replace(/^#\/?/, "").split("/")[1];
  return section ? decodeURIComponent(section) : SECTIONS[0].id;
}

/** Draw the admin console for `#/admin[/<section>]` into `root`. */
export async function mountAdmin(root, { agent, navigate }) {
  await linkStyles();
  const sectionId = currentSection();
  const section = SECTIONS.find((candidate) => candidate.id === sectionId);
  const nav = h("nav", { class: "admin-nav", "aria-label": t("admin.nav.label") },
    h("p", { class: "admin-nav-title" }, t("admin.nav.title")),
    SECTIONS.map((entry) => h("a", {
      href: `#/admin/${entry.id}`, "aria-current": entry === section ? "page" : null,
    }, t(entry.label))));
  const page = h("section", { class: "admin-page", "aria-live": "polite" });
  root.replaceChildren(h("div", { class: "admin" }, nav, page));
  if (!section) {
    page.replaceChildren(stateView(t("admin.nav.notFound"), t("admin.nav.notFoundText"),
      h("a", { class: "button secondary", href: "#/admin" }, t("admin.nav.goToAgents"))));
    return;
  }
  page.replaceChildren(h("div", { class: "admin-loading" }, h("div", { class: "skeleton" }),
    h("div", { class: "skeleton" }), h("div", { class: "skeleton short" })));
  try {
    const module = await section.load();
    await module.render(page, { agent, navigate });
  } catch (failure) {
    console.error(failure);
    page.replaceChildren(stateView(t("admin.nav.failed"), failure.message || t("admin.nav.failedText"),
      h("button", { class: "button secondary", type: "button", onclick: () => mountAdmin(root, { agent, navigate }) },
        t("admin.nav.tryAgain"))));
  }
}
