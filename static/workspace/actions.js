// What an agent does to a chat: transfer (to an agent or a department, with a note), end, turn into a ticket.
import { request } from "/static/workspace/api.js";
import { h, toast } from "/static/workspace/dom.js";
import { navigate } from "/static/workspace/router.js";
import { state } from "/static/workspace/store.js";

/** A modal dialog with a form; `onSubmit(form)` may throw to keep it open with the error shown. */
function dialog(title, fields, submitLabel, onSubmit, { destructive = false } = {}) {
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const submit = h("button", { class: `button ${destructive ? "destructive" : "primary"}`, type: "submit" }, submitLabel);
  const form = h("form", { method: "dialog" }, h("h2", {}, title), ...fields, error,
    h("div", { class: "actions" }, h("button", { class: "button secondary", type: "button", onclick: () => element.close() }, "Cancel"), submit));
  const element = h("dialog", { "aria-label": title }, form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.setAttribute("aria-busy", "true");
    try {
      await onSubmit(form);
      element.close();
    } catch (failure) {
      error.textContent = failure.message;
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

export async function openTransferDialog(chat) {
  const { agents } = await request("GET", "/api/v1/agents/colleagues");
  const options = [
    h("optgroup", { label: "Agents" }, agents.filter((agent) => agent.id !== state.agent.id).map((agent) => {
      const free = agent.status === "online" && agent.active_chats < agent.max_chats;
      return h("option", { value: `agent:${agent.id}`, disabled: !free },
        `${agent.name} · ${agent.status}${agent.status === "online" ? ` · ${agent.active_chats}/${agent.max_chats} chats` : ""}`);
    })),
    h("optgroup", { label: "Departments (back to the queue)" }, [...state.departments.values()].map((department) =>
      h("option", { value: `department:${department.id}` }, department.name))),
  ];
  const target = h("select", { id: "transfer-target", required: true }, options);
  const note = h("textarea", { id: "transfer-note", rows: "3", maxlength: "500", placeholder: "What should they know? Only agents see this note." });
  dialog("Transfer chat", [
    h("div", { class: "field" }, h("label", { for: "transfer-target" }, "Transfer to"), target),
    h("div", { class: "field" }, h("label", { for: "transfer-note" }, "Note (optional)"), note),
  ], "Transfer", async () => {
    const [kind, id] = target.value.split(":");
    await request("POST", `/api/v1/chats/${chat.id}/transfer`, { [`${kind}_id`]: id, note: note.value.trim() || null });
    toast(`Transferred to ${target.selectedOptions[0].textContent.split(" · ")[0]}`);
    navigate("#/");
  });
}

export function confirmEnd(chat) {
  dialog("End this chat?", [h("p", { class: "muted" }, `${chat.visitor?.name || "The visitor"} will see that the chat has ended.`)],
    "End chat", () => request("POST", `/api/v1/chats/${chat.id}/end`), { destructive: true });
}

export async function convertToTicket(chat, button) {
  button?.setAttribute("aria-busy", "true");
  try {
    const { ticket_id: ticketId } = await request("POST", `/api/v1/chats/${chat.id}/ticket`);
    navigate(`#/tickets/${ticketId}`);
  } catch (failure) {
    toast(`Could not create the ticket: ${failure.message}`, "error");
  } finally {
    button?.removeAttribute("aria-busy");
  }
}
