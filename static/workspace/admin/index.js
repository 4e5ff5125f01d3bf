// The admin console (admins only): a section nav and one page module per section, mounted by the shell.
import { linkStyles } from "/static/workspace/admin/forms.js";
import { h, stateView } from "/static/workspace/dom.js";

const SECTIONS = [
  { id: "agents", label: "Agents", load: () => import("/static/workspace/admin/agents.js") },
  { id: "departments", label: "Departments", load: () => import("/static/workspace/admin/departments.js") },
  { id: "quick-responses", label: "Quick responses", load: () => import("/static/workspace/admin/quick-responses.js") },
  { id: "widgets", label: "Widgets", load: () => import("/static/workspace/admin/widgets.js") },
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
  const nav = h("nav", { class: "admin-nav", "aria-label": "Admin sections" },
    h("p", { class: "admin-nav-title" }, "Admin"),
    SECTIONS.map((entry) => h("a", {
      href: `#/admin/${entry.id}`, "aria-current": entry === section ? "page" : null,
    }, entry.label)));
  const page = h("section", { class: "admin-page", "aria-live": "polite" });
  root.replaceChildren(h("div", { class: "admin" }, nav, page));
  if (!section) {
    page.replaceChildren(stateView("No such admin page", "Pick a section from the list.",
      h("a", { class: "button secondary", href: "#/admin" }, "Go to agents")));
    return;
  }
  page.replaceChildren(h("div", { class: "admin-loading" }, h("div", { class: "skeleton" }),
    h("div", { class: "skeleton" }), h("div", { class: "skeleton short" })));
  try {
    const module = await section.load();
    await module.render(page, { agent, navigate });
  } catch (failure) {
    console.error(failure);
    page.replaceChildren(stateView("This page could not load", failure.message || "Try again in a moment.",
      h("button", { class: "button secondary", type: "button", onclick: () => mountAdmin(root, { agent, navigate }) },
        "Try again")));
  }
}
