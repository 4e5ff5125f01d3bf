// Admin: agent accounts: add, role, capacity (max chats), departments, deactivate and reactivate.
import { request } from "/static/workspace/api.js";
import { avatar, h, toast } from "/static/workspace/dom.js";
import { confirmDialog, field, formDialog, pageHeader, saveOnChange } from "/static/workspace/admin/forms.js";
import { on } from "/static/workspace/store.js";

const STATUS = { online: "Online", away: "Away", offline: "Offline" };

function roleSelect(agent, me) {
  const select = h("select", { "aria-label": `Role of ${agent.name}`, disabled: agent.id === me.id || !agent.is_active },
    h("option", { value: "agent" }, "Agent"), h("option", { value: "admin" }, "Admin"));
  select.value = agent.role;
  return saveOnChange(select, (role) => request("PATCH", `/api/v1/agents/${agent.id}`, { role }),
    (role) => `${agent.name} is now ${role === "admin" ? "an admin" : "an agent"}.`);
}

function capacityInput(agent) {
  const input = h("input", { type: "number", min: 0, max: 100, value: agent.max_chats, class: "number",
    "aria-label": `Max chats for ${agent.name}`, disabled: !agent.is_active });
  return saveOnChange(input, (value) => request("PATCH", `/api/v1/agents/${agent.id}`, { max_chats: Number(value) }),
    (value) => `${agent.name} takes up to ${value} chat${Number(value) === 1 ? "" : "s"} at once.`);
}

function agentRow(agent, me, reload) {
  const active = agent.is_active;
  const action = agent.id === me.id ? h("span", { class: "muted small" }, "You")
    : active ? h("button", { class: "button ghost danger small", type: "button", onclick: async () => {
      const sure = await confirmDialog(`Deactivate ${agent.name}?`,
        "They are signed out everywhere and get no more chats. Their history stays.", "Deactivate");
      if (!sure) return;
      await request("DELETE", `/api/v1/agents/${agent.id}`);
      toast(`${agent.name} is deactivated.`);
      reload();
    } }, "Deactivate")
      : h("button", { class: "button secondary small", type: "button", onclick: async () => {
        await request("PATCH", `/api/v1/agents/${agent.id}`, { is_active: true });
        toast(`${agent.name} is active again.`);
        reload();
      } }, "Reactivate");
  return h("tr", { dataset: { active: String(active) } },
    h("td", {}, h("div", { class: "person" }, avatar(agent.name),
      h("div", {}, h("div", { class: "name" }, agent.name), h("div", { class: "muted small" }, agent.email)))),
    h("td", {}, roleSelect(agent, me)),
    h("td", {}, capacityInput(agent)),
    statusCell(agent),
    h("td", { class: "end" }, action));
}

function statusCell(agent) {
  return h("td", { dataset: { statusOf: agent.id } }, agent.is_active
    ? h("span", { class: "status" }, h("span", { class: "dot", dataset: { status: agent.status } }),
      STATUS[agent.status], h("span", { class: "muted small" }, ` · ${agent.active_chats}/${agent.max_chats} chats`))
    : h("span", { class: "pill" }, "Deactivated"));
}

let stopPresence = () => {};

/** Keep each row's status live from the event stream's `presence` events while the page is shown. */
function followPresence(root, agents) {
  stopPresence();
  stopPresence = on("presence", ({ agent_id: agentId, status }) => {
    const agent = agents.find((candidate) => candidate.id === agentId);
    const cell = root.querySelector(`td[data-status-of="${agentId}"]`);
    if (!root.isConnected) stopPresence();
    else if (agent && cell) {
      agent.status = status;
      cell.replaceWith(statusCell(agent));
    }
  });
}

function addAgent(departments, reload) {
  const inputs = {
    name: h("input", { name: "name", autocomplete: "off", required: true, maxlength: 120 }),
    email: h("input", { name: "email", type: "email", autocomplete: "off", required: true }),
    password: h("input", { name: "password", type: "password", autocomplete: "new-password", required: true }),
    role: h("select", { name: "role" }, h("option", { value: "agent" }, "Agent"), h("option", { value: "admin" }, "Admin")),
    max_chats: h("input", { name: "max_chats", type: "number", min: 0, max: 100, value: 3 }),
  };
  const checks = departments.map((department) => h("input", { type: "checkbox", value: department.id }));
  const boxes = departments.map((department, index) => h("label", { class: "check" }, checks[index], department.name));
  formDialog("Add an agent", [
    field("Name", inputs.name), field("Email", inputs.email),
    field("Password", inputs.password, { hint: "At least 10 characters. Share it with them privately." }),
    h("div", { class: "field-row" }, field("Role", inputs.role), field("Max chats", inputs.max_chats)),
    departments.length ? h("fieldset", { class: "field" }, h("legend", {}, "Departments"),
      h("p", { class: "hint" }, "None ticked: they serve the default department."), boxes,
      h("p", { class: "field-error", "data-error-for": "department_ids", hidden: true })) : null,
  ], "Add agent", async () => {
    const created = await request("POST", "/api/v1/agents", {
      name: inputs.name.value.trim(), email: inputs.email.value.trim(), password: inputs.password.value,
      role: inputs.role.value, max_chats: Number(inputs.max_chats.value),
      department_ids: checks.filter((box) => box.checked).map((box) => box.value),
    });
    toast(`${created.name} can sign in now.`);
    reload();
  });
}

export async function render(root, { agent: me }) {
  const [{ agents }, { departments }] = await Promise.all([
    request("GET", "/api/v1/agents"), request("GET", "/api/v1/departments")]);
  const reload = () => render(root, { agent: me });
  const add = h("button", { class: "button primary", type: "button", onclick: () => addAgent(departments, reload) },
    "Add agent");
  root.replaceChildren(
    pageHeader("Agents", "The people who answer chats. Capacity is how many chats each takes at once.", add),
    h("div", { class: "card table-card" }, h("table", { class: "admin-table" },
      h("caption", { class: "visually-hidden" }, "Agents"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Agent"), h("th", { scope: "col" }, "Role"),
        h("th", { scope: "col" }, "Max chats"), h("th", { scope: "col" }, "Status"),
        h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")))),
      h("tbody", {}, agents.map((agent) => agentRow(agent, me, reload))))));
  followPresence(root, agents);
}
