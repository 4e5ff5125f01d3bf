// Admin: departments: add one, switch its routing mode, set how long an offer waits for an accept.
import { request } from "/static/workspace/api.js";
import { h, toast } from "/static/workspace/dom.js";
import { field, formDialog, pageHeader, saveOnChange } from "/static/workspace/admin/forms.js";

const MODES = {
  auto: "Auto: offered to one agent at a time",
  broadcast: "Broadcast: every agent sees it, first to accept wins",
};

function modeSelect(department = null) {
  const select = h("select", { name: "routing_mode", "aria-label": department ? `Routing of ${department.name}` : null },
    Object.entries(MODES).map(([value, label]) => h("option", { value }, label)));
  select.value = department?.routing_mode || "auto";
  return select;
}

function timeoutInput(department = null) {
  return h("input", { name: "accept_timeout_s", type: "number", min: 5, max: 3600, class: "number",
    value: department?.accept_timeout_s ?? 30,
    "aria-label": department ? `Accept timeout of ${department.name} in seconds` : null });
}

function departmentRow(department) {
  const patch = (changes) => request("PATCH", `/api/v1/departments/${department.id}`, changes);
  return h("tr", {},
    h("th", { scope: "row" }, h("span", { class: "name" }, department.name),
      department.is_default ? h("span", { class: "pill" }, "Default") : null),
    h("td", {}, saveOnChange(modeSelect(department), (routing_mode) => patch({ routing_mode }),
      (mode) => `${department.name} now routes in ${mode} mode.`)),
    h("td", {}, h("span", { class: "with-unit" }, saveOnChange(timeoutInput(department),
      (value) => patch({ accept_timeout_s: Number(value) }),
      (value) => `Offers in ${department.name} now wait ${value} s.`), h("span", { class: "muted" }, "s"))));
}

function addDepartment(reload) {
  const name = h("input", { name: "name", autocomplete: "off", maxlength: 80, required: true });
  const mode = modeSelect();
  const timeout = timeoutInput();
  formDialog("Add a department", [
    field("Name", name, { hint: "Visitors may pick it in the widget, e.g. Sales or Billing." }),
    field("Routing", mode),
    field("Accept timeout (seconds)", timeout, { hint: "An offer not accepted in time goes to the next agent. 5 to 3600." }),
  ], "Add department", async () => {
    const created = await request("POST", "/api/v1/departments", {
      name: name.value.trim(), routing_mode: mode.value, accept_timeout_s: Number(timeout.value) });
    toast(`${created.name} is ready for chats.`);
    reload();
  });
}

export async function render(root, context) {
  const { departments } = await request("GET", "/api/v1/departments");
  const add = h("button", { class: "button primary", type: "button", onclick: () => addDepartment(() => render(root, context)) },
    "Add department");
  root.replaceChildren(
    pageHeader("Departments", "Each department has its own queue. Agents in no department serve the default one.", add),
    h("div", { class: "card table-card" }, h("table", { class: "admin-table" },
      h("caption", { class: "visually-hidden" }, "Departments"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Routing"),
        h("th", { scope: "col" }, "Accept timeout"))),
      h("tbody", {}, departments.map(departmentRow)))));
}
