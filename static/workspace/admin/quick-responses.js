// Admin: shared quick responses: the replies every agent inserts by typing `/shortcut` in a chat.
import { request } from "/static/workspace/api.js";
import { h, toast } from "/static/workspace/dom.js";
import { confirmDialog, field, formDialog, pageHeader } from "/static/workspace/admin/forms.js";

const PLACEHOLDERS = ["visitor.name", "visitor.email", "agent.name"];

/** Put `text` at the textarea's caret and keep typing after it. */
function insertAt(textarea, text) {
  textarea.setRangeText(text, textarea.selectionStart, textarea.selectionEnd, "end");
  textarea.focus();
}

function editResponse(existing, reload) {
  const shortcut = h("input", { name: "shortcut", autocomplete: "off", maxlength: 32, value: existing?.shortcut || "",
    spellcheck: "false", required: true });
  const title = h("input", { name: "title", autocomplete: "off", maxlength: 80, value: existing?.title || "", required: true });
  const body = h("textarea", { name: "body", rows: 5, maxlength: 2000, required: true });
  body.value = existing?.body || "";
  const chips = h("div", { class: "chips", role: "group", "aria-label": "Insert a placeholder" },
    PLACEHOLDERS.map((name) => h("button", { class: "chip", type: "button", onclick: () => insertAt(body, `{{${name}}}`) },
      `{{${name}}}`)));
  formDialog(existing ? `Edit /${existing.shortcut}` : "New shared quick response", [
    field("Shortcut", shortcut, { hint: "Agents type / and this, e.g. hello. Lower-case letters, digits, - and _." }),
    field("Title", title),
    field("Text", body, { hint: "Placeholders are filled in when an agent inserts it." }), chips,
  ], existing ? "Save" : "Create", async () => {
    const values = { shortcut: shortcut.value.trim(), title: title.value.trim(), body: body.value };
    if (existing) await request("PATCH", `/api/v1/quick-responses/${existing.id}`, values);
    else await request("POST", "/api/v1/quick-responses", { ...values, shared: true });
    toast(`/${values.shortcut} is saved for every agent.`);
    reload();
  });
}

function responseCard(response, reload) {
  return h("li", { class: "card response" },
    h("div", { class: "response-head" },
      h("code", { class: "shortcut" }, `/${response.shortcut}`), h("h2", {}, response.title),
      h("span", { class: "spacer" }),
      h("button", { class: "button ghost small", type: "button", "aria-label": `Edit /${response.shortcut}`,
        onclick: () => editResponse(response, reload) }, "Edit"),
      h("button", { class: "button ghost danger small", type: "button", "aria-label": `Delete /${response.shortcut}`,
        onclick: async () => {
          if (!await confirmDialog(`Delete /${response.shortcut}?`, "Agents can no longer insert it.", "Delete")) return;
          await request("DELETE", `/api/v1/quick-responses/${response.id}`);
          toast(`/${response.shortcut} is deleted.`);
          reload();
        } }, "Delete")),
    h("p", { class: "response-body" }, response.body));
}

export async function render(root, context) {
  const { quick_responses: all } = await request("GET", "/api/v1/quick-responses");
  const shared = all.filter((response) => response.shared);
  const reload = () => render(root, context);
  const add = h("button", { class: "button primary", type: "button", onclick: () => editResponse(null, reload) },
    "New quick response");
  root.replaceChildren(
    pageHeader("Quick responses", "Shared replies for every agent. Agents keep their own personal ones too.", add),
    shared.length
      ? h("ul", { class: "responses" }, shared.map((response) => responseCard(response, reload)))
      : h("div", { class: "card empty" }, h("h2", {}, "No shared quick responses yet"),
        h("p", {}, "Save the answers your team types every day, like a greeting or your opening hours."),
        h("button", { class: "button secondary", type: "button", onclick: () => editResponse(null, reload) },
          "Write the first one")));
}
