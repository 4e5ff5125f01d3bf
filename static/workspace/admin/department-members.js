// Admin: who serves each department: a card per department with its agents, add (an active agent) and remove.
// Every change answers the department's list as the server has it after the change, and the card shows that.
import { request } from "/static/workspace/api.js";
import { avatar, h, toast } from "/static/workspace/dom.js";
import { on } from "/static/workspace/store.js";
import { t } from "/static/shared/i18n.js";

const STATUS = { online: "admin.common.online", away: "admin.common.away", offline: "admin.common.offline" };

/** Someone who serves it is online: a visitor may start a chat there (the widget offers it). */
function availability(serving) {
  const open = serving.some((agent) => agent.is_active && agent.status === "online");
  return h("span", { class: "pill availability", dataset: { open: String(open) } },
    t(open ? "admin.members.takingChats" : "admin.members.nobodyOnline"));
}

const statusOf = (agent) => (agent.is_active
  ? h("span", { class: "status", dataset: { statusOf: agent.id } }, h("span", { class: "dot", dataset: { status: agent.status } }),
    t(STATUS[agent.status]))
  : h("span", { class: "pill" }, t("admin.common.deactivated")));

function memberRow(agent, department, change) {
  const names = { agent: agent.name, department: department.name };
  const action = agent.member
    ? h("button", { class: "button ghost danger small", type: "button", "aria-label": t("admin.members.removeFrom", names),
      onclick: () => change("DELETE", agent, t("admin.members.removed", names)) }, t("admin.common.remove"))
    : h("span", { class: "muted small" }, t("admin.members.inNoDepartment"));
  return h("li", { class: "member", dataset: { active: String(agent.is_active) } },
    h("div", { class: "person" }, avatar(agent.name),
      h("div", {}, h("div", { class: "name" }, agent.name), h("div", { class: "muted small" }, agent.email))),
    statusOf(agent), action);
}

function addRow(department, serving, agents, change) {
  const members = new Set(serving.filter((agent) => agent.member).map((agent) => agent.id));
  const candidates = agents.filter((agent) => agent.is_active && !members.has(agent.id));
  const select = h("select", { "aria-label": t("admin.members.agentToAdd", { department: department.name }),
    disabled: !candidates.length },
    h("option", { value: "" }, t(candidates.length ? "admin.members.choose" : "admin.members.everyoneIn")),
    candidates.map((agent) => h("option", { value: agent.id }, `${agent.name} (${agent.email})`)));
  const add = h("button", { class: "button secondary", type: "submit", disabled: !candidates.length },
    t("admin.members.add"));
  const form = h("form", { class: "member-add", "aria-label": t("admin.members.addTo", { department: department.name }) },
    select, add);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const agent = candidates.find((candidate) => candidate.id === select.value);
    if (!agent) return select.focus();
    change("PUT", agent, t("admin.members.added", { agent: agent.name, department: department.name }));
  });
  return form;
}

/** The card of one department; it redraws itself with the list each change answers, then calls `changed()`
    (a change of membership may change who serves the default department by being in no department). */
export function membersCard(department, serving, agents, changed) {
  const card = h("section", { class: "card members", "aria-labelledby": `members-${department.id}` });

  async function change(method, agent, done) {
    for (const control of card.querySelectorAll("button, select")) control.disabled = true;
    try {
      const answer = await request(method, `/api/v1/departments/${department.id}/agents/${agent.id}`);
      draw(answer.agents);
      toast(done);
      changed(department);
    } catch (failure) {
      draw(serving);
      toast(failure.message, "error");
    }
    card.querySelector("select").focus();
  }

  function draw(now) {
    serving = now;
    card.replaceChildren(
      h("header", { class: "members-head" },
        h("h3", { id: `members-${department.id}` }, department.name),
        department.is_default ? h("span", { class: "pill" }, t("admin.common.default")) : null,
        availability(serving)),
      serving.length
        ? h("ul", { class: "member-list", "aria-label": t("admin.members.agentsOf", { department: department.name }) },
          serving.map((agent) => memberRow(agent, department, change)))
        : h("p", { class: "muted members-empty" }, t("admin.members.empty")),
      addRow(department, serving, agents, change));
  }

  draw(serving);
  card.refresh = async () => draw((await request("GET", `/api/v1/departments/${department.id}/agents`)).agents);
  /** An agent's new status: their row and the card's "Taking chats", without redrawing the add form. */
  card.presence = (agentId, status) => {
    const agent = serving.find((candidate) => candidate.id === agentId);
    if (!agent) return;
    agent.status = status;
    card.querySelector(`[data-status-of="${agentId}"]`)?.replaceWith(statusOf(agent));
    card.querySelector(".availability").replaceWith(availability(serving));
  };
  return card;
}

let stopPresence = () => {};

/** Keep the cards' statuses (and whether each department takes chats) live while the page is shown. */
export function followPresence(root, cards) {
  stopPresence();
  stopPresence = on("presence", ({ agent_id: agentId, status }) => {
    if (!root.isConnected) return stopPresence();
    for (const card of cards) card.presence(agentId, status);
  });
}
