// What an agent does to a chat: transfer (to an agent or a department, with a note), end, turn into a ticket.
import { request } from "/static/workspace/api.js";
import { h, toast } from "/static/workspace/dom.js";
import { navigate } from "/static/workspace/router.js";
import { state } from "/static/workspace/store.js";
import { t } from "/static/shared/i18n.js";

/** A modal dialog with a form; `onSubmit(form)` may throw to keep it open with the error shown. */
export function dialog(title, fields, submitLabel, onSubmit, { destructive = false } = {}) {
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const submit = h("button", { class: `button ${destructive ? "destructive" : "primary"}`, type: "submit" }, submitLabel);
  const form = h("form", { method: "dialog" }, h("h2", {}, title), ...fields, error,
    h("div", { class: "actions" }, h("button", { class: "button secondary", type: "button", onclick: () => element.close() }, t("cancel")), submit));
  const element = h("dialog", { "aria-label": title }, form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.setAttribute("aria-busy", "true");
    try {
      await onSubmit(form);
      element.close();
    } catch (failure) {
      error.textContent = Object.values(failure.fields || {}).join(" ") || failure.message;
      error.hidden = false;
    } finally {
      submit.removeAttribute("aria-busy");
    }
  });
  element.addEventListener("close", () => element.remove());
  document.body.append(element);
  element.showModal();
  return element;
}

/** An agent to hand a chat to, with their presence and load; only one with a free slot can be chosen. */
export function agentOption(agent, value) {
  const free = agent.status === "online" && agent.active_chats < agent.max_chats;
  const { name, active_chats: active, max_chats: max } = agent;
  const text = agent.status === "online" ? t("agentOnline", { name, active, max })
    : t(agent.status === "away" ? "agentAway" : "agentOffline", { name });
  return h("option", { value, disabled: !free, dataset: { name } }, text);
}

export async function openTransferDialog(chat) {
  const { agents } = await request("GET", "/api/v1/agents/colleagues");
  const options = [
    h("optgroup", { label: t("agents") }, agents.filter((agent) => agent.id !== state.agent.id)
      .map((agent) => agentOption(agent, `agent:${agent.id}`))),
    h("optgroup", { label: t("departmentsToQueue") }, [...state.departments.values()].map((department) =>
      h("option", { value: `department:${department.id}`, dataset: { name: department.name } }, department.name))),
  ];
  const target = h("select", { id: "transfer-target", required: true }, options);
  const note = h("textarea", { id: "transfer-note", rows: "3", maxlength: "500", placeholder: t("handOverNote") });
  dialog(t("transferChat"), [
    h("div", { class: "field" }, h("label", { for: "transfer-target" }, t("transferTo")), target),
    h("div", { class: "field" }, h("label", { for: "transfer-note" }, t("noteOptional")), note),
  ], t("transfer"), async () => {
    const [kind, id] = target.value.split(":");
    await request("POST", `/api/v1/chats/${chat.id}/transfer`, { [`${kind}_id`]: id, note: note.value.trim() || null });
    toast(t("transferredTo", { name: target.selectedOptions[0].dataset.name }));
    navigate("#/");
  });
}

export function confirmEnd(chat) {
  dialog(t("endQuestion"), [h("p", { class: "muted" }, t("endWarning", { name: chat.visitor?.name || t("theVisitor") }))],
    t("endChat"), () => request("POST", `/api/v1/chats/${chat.id}/end`), { destructive: true });
}

export async function convertToTicket(chat, button) {
  button?.setAttribute("aria-busy", "true");
  try {
    const { ticket_id: ticketId } = await request("POST", `/api/v1/chats/${chat.id}/ticket`);
    navigate(`#/tickets/${ticketId}`);
  } catch (failure) {
    toast(t("ticketNotCreated", { error: failure.message }), "error");
  } finally {
    button?.removeAttribute("aria-busy");
  }
}
