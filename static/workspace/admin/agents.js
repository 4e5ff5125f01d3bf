// Admin: agent accounts: invite (a mail with a link to choose a password), resend an invitation, role, capacity
// (max chats), departments, names, password reset, deactivate and reactivate.
import { displayNameField, displayNameInput, editAgent } from "/static/workspace/admin/agent-account.js";
import { request } from "/static/workspace/api.js";
import { avatar, h, toast } from "/static/workspace/dom.js";
import { confirmDialog, field, formDialog, pageHeader, saveOnChange } from "/static/workspace/admin/forms.js";
import { on } from "/static/workspace/store.js";
import { t } from "/static/shared/i18n.js";

const STATUS = { online: "admin.common.online", away: "admin.common.away", offline: "admin.common.offline" };
// Supervisors see the Live view and may step into any chat; admins also run the console. Each role: the keys
// of its name and of the toast that says someone now has it.
const ROLES = {
  agent: ["admin.agents.roleAgent", "admin.agents.nowAgent"],
  supervisor: ["admin.agents.roleSupervisor", "admin.agents.nowSupervisor"],
  admin: ["admin.agents.roleAdmin", "admin.agents.nowAdmin"],
};
const roleOptions = () => Object.entries(ROLES).map(([value, [label]]) => h("option", { value }, t(label)));

function roleSelect(agent, me) {
  const select = h("select", { "aria-label": t("admin.agents.roleOf", { name: agent.name }),
    disabled: agent.id === me.id || !agent.is_active }, roleOptions());
  select.value = agent.role;
  return saveOnChange(select, (role) => request("PATCH", `/api/v1/agents/${agent.id}`, { role }),
    (role) => t(ROLES[role][1], { name: agent.name }));
}

function capacityInput(agent) {
  const input = h("input", { type: "number", min: 0, max: 100, value: agent.max_chats, class: "number",
    "aria-label": t("admin.agents.maxChatsFor", { name: agent.name }), disabled: !agent.is_active });
  return saveOnChange(input, (value) => request("PATCH", `/api/v1/agents/${agent.id}`, { max_chats: Number(value) }),
    (value) => t(Number(value) === 1 ? "admin.agents.takesOne" : "admin.agents.takesMany",
      { name: agent.name, count: value }));
}

function agentRow(agent, me, reload) {
  const active = agent.is_active;
  const action = agent.id === me.id ? h("span", { class: "muted small" }, t("admin.agents.you"))
    : active ? h("button", { class: "button ghost danger small", type: "button", onclick: async () => {
      const sure = await confirmDialog(t("admin.agents.deactivateTitle", { name: agent.name }),
        t("admin.agents.deactivateText"), t("admin.agents.deactivate"));
      if (!sure) return;
      await request("DELETE", `/api/v1/agents/${agent.id}`);
      toast(t("admin.agents.deactivated", { name: agent.name }));
      reload();
    } }, t("admin.agents.deactivate"))
      : h("button", { class: "button secondary small", type: "button", onclick: async () => {
        await request("PATCH", `/api/v1/agents/${agent.id}`, { is_active: true });
        toast(t("admin.agents.reactivated", { name: agent.name }));
        reload();
      } }, t("admin.agents.reactivate"));
  const edit = h("button", { class: "button ghost small", type: "button", onclick: () => editAgent(agent, me, reload) },
    t("admin.common.edit"));
  const resend = agent.invited_at && active ? h("button", { class: "button secondary small", type: "button",
    onclick: async (event) => {
      event.currentTarget.disabled = true;
      try {
        await request("POST", `/api/v1/agents/${agent.id}/invitation`);
        toast(t("admin.agents.resent", { email: agent.email }));
      } catch (failure) {
        toast(failure.message, "error");
      }
      reload();
    } }, t("admin.agents.resend")) : null;
  const email = agent.display_name ? t("admin.agents.emailSeenAs", { email: agent.email, name: agent.display_name })
    : agent.email;
  return h("tr", { dataset: { active: String(active) } },
    h("td", {}, h("div", { class: "person" }, avatar(agent.name),
      h("div", {}, h("div", { class: "name" }, agent.name), h("div", { class: "muted small" }, email)))),
    h("td", {}, roleSelect(agent, me)),
    h("td", {}, capacityInput(agent)),
    statusCell(agent),
    h("td", { class: "end" }, h("div", { class: "row-actions" }, resend, edit, action)));
}

function statusCell(agent) {
  return h("td", { dataset: { statusOf: agent.id } }, agent.is_active && agent.invited_at
    ? h("span", { class: "pill invited", title: t("admin.agents.invitedTitle") }, t("admin.agents.invited"))
    : agent.is_active ? h("span", { class: "status" }, h("span", { class: "dot", dataset: { status: agent.status } }),
      t(STATUS[agent.status]), h("span", { class: "muted small" },
        ` · ${t("admin.agents.load", { active: agent.active_chats, max: agent.max_chats })}`))
    : h("span", { class: "pill" }, t("admin.common.deactivated")));
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

function inviteAgent(departments, reload) {
  const inputs = {
    name: h("input", { name: "name", autocomplete: "off", required: true, maxlength: 120 }),
    display_name: displayNameInput(),
    email: h("input", { name: "email", type: "email", autocomplete: "off", required: true }),
    role: h("select", { name: "role" }, roleOptions()),
    max_chats: h("input", { name: "max_chats", type: "number", min: 0, max: 100, value: 3 }),
  };
  const checks = departments.map((department) => h("input", { type: "checkbox", value: department.id }));
  const boxes = departments.map((department, index) => h("label", { class: "check" }, checks[index], department.name));
  const mailNote = h("p", { class: "mail-note", role: "note", hidden: true }, t("admin.agents.mailNotSetUp"));
  request("GET", "/api/v1/mail/status").then(({ configured }) => { mailNote.hidden = configured; }, () => {});
  formDialog(t("admin.agents.inviteTitle"), [
    h("p", { class: "muted" }, t("admin.agents.inviteText")),
    field(t("admin.common.name"), inputs.name), displayNameField(inputs.display_name),
    field(t("admin.common.email"), inputs.email),
    h("div", { class: "field-row" }, field(t("admin.agents.role"), inputs.role),
      field(t("admin.agents.maxChats"), inputs.max_chats)),
    departments.length ? h("fieldset", { class: "field" }, h("legend", {}, t("admin.agents.departments")),
      h("p", { class: "hint" }, t("admin.agents.noneTicked")), boxes,
      h("p", { class: "field-error", "data-error-for": "department_ids", hidden: true })) : null,
    mailNote,
  ], t("admin.agents.sendInvitation"), async () => {
    const invited = await request("POST", "/api/v1/agents/invitations", {
      name: inputs.name.value.trim(), display_name: inputs.display_name.value, email: inputs.email.value.trim(),
      role: inputs.role.value, max_chats: Number(inputs.max_chats.value),
      department_ids: checks.filter((box) => box.checked).map((box) => box.value),
    });
    toast(t("admin.agents.invitationSent", { email: invited.email }));
    reload();
  });
}

export async function render(root, { agent: me }) {
  const [{ agents }, { departments }] = await Promise.all([
    request("GET", "/api/v1/agents"), request("GET", "/api/v1/departments")]);
  const reload = () => render(root, { agent: me });
  const add = h("button", { class: "button primary", type: "button", onclick: () => inviteAgent(departments, reload) },
    t("admin.agents.invite"));
  root.replaceChildren(
    pageHeader(t("admin.agents.title"), t("admin.agents.intro"), add),
    h("div", { class: "card table-card" }, h("table", { class: "admin-table agents-table" },
      h("caption", { class: "visually-hidden" }, t("admin.agents.title")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("admin.agents.agent")),
        h("th", { scope: "col" }, t("admin.agents.role")), h("th", { scope: "col" }, t("admin.agents.maxChats")),
        h("th", { scope: "col" }, t("admin.common.status")),
        h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("admin.common.actions"))))),
      h("tbody", {}, agents.map((agent) => agentRow(agent, me, reload))))));
  followPresence(root, agents);
}
