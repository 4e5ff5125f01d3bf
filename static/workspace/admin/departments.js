// Admin: departments: add one, switch its routing mode, set how long an offer waits for an accept, its business
// hours, pick its agents.
import { request } from "/static/workspace/api.js";
import { h, toast } from "/static/workspace/dom.js";
import { editHours, hoursSummary } from "/static/workspace/admin/department-hours.js";
import { followPresence, membersCard } from "/static/workspace/admin/department-members.js";
import { field, formDialog, pageHeader, saveOnChange } from "/static/workspace/admin/forms.js";
import { t } from "/static/shared/i18n.js";

const MODES = { auto: "admin.departments.modeAuto", broadcast: "admin.departments.modeBroadcast" };
const COLUMNS = ["admin.common.name", "admin.departments.routing", "admin.departments.timeout", "admin.departments.hours"];

function modeSelect(department = null) {
  const select = h("select", { name: "routing_mode",
    "aria-label": department ? t("admin.departments.routingOf", { name: department.name }) : null },
    Object.entries(MODES).map(([value, label]) => h("option", { value }, t(label))));
  select.value = department?.routing_mode || "auto";
  return select;
}

function timeoutInput(department = null) {
  return h("input", { name: "accept_timeout_s", type: "number", min: 5, max: 3600, class: "number",
    value: department?.accept_timeout_s ?? 30,
    "aria-label": department ? t("admin.departments.timeoutOf", { name: department.name }) : null });
}

function hoursButton(department) {
  const button = h("button", { class: "button secondary small", type: "button",
    "aria-label": t("admin.departments.hoursOf", { name: department.name, summary: hoursSummary(department) }),
    onclick: () => editHours(department, (changed) => {
      Object.assign(department, changed);
      button.replaceWith(hoursButton(department));
    }) }, hoursSummary(department));
  return button;
}

function departmentRow(department) {
  const patch = (changes) => request("PATCH", `/api/v1/departments/${department.id}`, changes);
  return h("tr", {},
    h("th", { scope: "row" }, h("span", { class: "name" }, department.name),
      department.is_default ? h("span", { class: "pill" }, t("admin.common.default")) : null),
    h("td", {}, saveOnChange(modeSelect(department), (routing_mode) => patch({ routing_mode }),
      (mode) => t("admin.departments.routes", { name: department.name, mode }))),
    h("td", {}, h("span", { class: "with-unit" }, saveOnChange(timeoutInput(department),
      (value) => patch({ accept_timeout_s: Number(value) }),
      (value) => t("admin.departments.timeoutSaved", { name: department.name, seconds: value })),
      h("span", { class: "muted" }, t("admin.departments.seconds")))),
    h("td", {}, hoursButton(department)));
}

function addDepartment(reload) {
  const name = h("input", { name: "name", autocomplete: "off", maxlength: 80, required: true });
  const mode = modeSelect();
  const timeout = timeoutInput();
  formDialog(t("admin.departments.addTitle"), [
    field(t("admin.common.name"), name, { hint: t("admin.departments.nameHint") }),
    field(t("admin.departments.routing"), mode),
    field(t("admin.departments.timeoutLabel"), timeout, { hint: t("admin.departments.timeoutHint") }),
  ], t("admin.departments.add"), async () => {
    const created = await request("POST", "/api/v1/departments", {
      name: name.value.trim(), routing_mode: mode.value, accept_timeout_s: Number(timeout.value) });
    toast(t("admin.departments.created", { name: created.name }));
    reload();
  });
}

export async function render(root, context) {
  const [{ departments }, { agents }] = await Promise.all([
    request("GET", "/api/v1/departments"), request("GET", "/api/v1/agents")]);
  const serving = await Promise.all(departments.map((department) =>
    request("GET", `/api/v1/departments/${department.id}/agents`)));
  const changed = (department) => !department.is_default && cards.find((card, index) => departments[index].is_default)
    ?.refresh().catch(() => {});
  const cards = departments.map((department, index) => membersCard(department, serving[index].agents, agents, changed));
  const defaultName = departments.find((department) => department.is_default)?.name
    || t("admin.departments.defaultOne");
  const add = h("button", { class: "button primary", type: "button", onclick: () => addDepartment(() => render(root, context)) },
    t("admin.departments.add"));
  root.replaceChildren(
    pageHeader(t("admin.departments.title"), t("admin.departments.intro"), add),
    h("div", { class: "card table-card" }, h("table", { class: "admin-table" },
      h("caption", { class: "visually-hidden" }, t("admin.departments.title")),
      h("thead", {}, h("tr", {}, COLUMNS.map((title) => h("th", { scope: "col" }, t(title))))),
      h("tbody", {}, departments.map(departmentRow)))),
    h("section", { class: "members-section", "aria-labelledby": "members-title" },
      h("h2", { id: "members-title" }, t("admin.departments.agents")),
      h("p", { class: "muted" }, t("admin.departments.agentsText", { department: defaultName })),
      h("div", { class: "members-grid" }, cards)));
  followPresence(root, cards);
}
