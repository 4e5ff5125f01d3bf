// Admin: a widget's settings form beside a live preview, and the embed snippet with a copy button.
import { request } from "/static/workspace/api.js";
import { h, stateView, toast } from "/static/workspace/dom.js";
import { field, pageHeader, submitting } from "/static/workspace/admin/forms.js";
import { prechatEditor } from "/static/workspace/admin/prechat-fields.js";
import { widgetPreview } from "/static/workspace/admin/widget-preview.js";

/** The draft edited by the form: a deep copy of what the API returned. */
function draftOf(widget) {
  return { name: widget.name, settings: structuredClone(widget.settings), allowed_origins: [...widget.allowed_origins] };
}

function textInput(draft, key, attributes = {}) {
  const input = h(attributes.rows ? "textarea" : "input", { name: `settings.${key}`, ...attributes });
  input.value = draft.settings[key] ?? "";
  input.addEventListener("input", () => { draft.settings[key] = input.value; });
  return input;
}

function colorField(draft) {
  const text = h("input", { name: "settings.color", class: "hex", maxlength: 7, spellcheck: "false",
    value: draft.settings.color });
  const swatch = h("input", { type: "color", value: draft.settings.color, "aria-label": "Pick the accent colour" });
  swatch.addEventListener("input", () => { text.value = swatch.value; draft.settings.color = swatch.value; });
  text.addEventListener("input", () => {
    draft.settings.color = text.value.trim();
    if (/^#[0-9a-f]{6}$/i.test(draft.settings.color)) swatch.value = draft.settings.color;
  });
  const wrapped = field("Accent colour", text, { hint: "Header, launcher and the visitor's own messages. #RRGGBB." });
  wrapped.querySelector("input").before(h("span", { class: "color-row" }, swatch));
  wrapped.querySelector(".color-row").append(text);
  return wrapped;
}

function positionField(draft) {
  const choices = ["left", "right"].map((side) => {
    const radio = h("input", { type: "radio", name: "settings.position", value: side, checked: draft.settings.position === side });
    radio.addEventListener("change", () => { draft.settings.position = side; });
    return h("label", { class: "segment" }, radio, h("span", {}, side === "left" ? "Bottom left" : "Bottom right"));
  });
  return h("fieldset", { class: "field" }, h("legend", {}, "Position"), h("div", { class: "segmented" }, choices),
    h("p", { class: "field-error", "data-error-for": "settings.position", hidden: true }));
}

function originsField(draft) {
  const input = h("textarea", { name: "allowed_origins", rows: 3, spellcheck: "false",
    placeholder: "https://www.example.com" });
  input.value = draft.allowed_origins.join("\n");
  input.addEventListener("input", () => {
    draft.allowed_origins = input.value.split(/[\s,]+/).map((origin) => origin.trim()).filter(Boolean);
  });
  return field("Allowed sites", input, { hint: "One address per line. Empty: the widget works on any site." });
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = h("textarea", { class: "visually-hidden" });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = "Copy"; }, 2000);
}

function snippetCard(widget) {
  const button = h("button", { class: "button secondary small", type: "button", onclick: () => copy(widget.snippet, button) },
    "Copy");
  return h("section", { class: "card snippet", "aria-labelledby": "snippet-title" },
    h("div", { class: "snippet-head" }, h("h2", { id: "snippet-title" }, "Embed code"), button),
    h("p", { class: "muted small" }, "Paste it before </body> on every page where the chat should appear."),
    h("pre", {}, h("code", { "data-testid": "snippet" }, widget.snippet)));
}

function editor(root, widget, widgets, context) {
  const draft = draftOf(widget);
  const preview = widgetPreview();
  let mode = "online";
  const status = h("span", { class: "save-status muted small", role: "status" }, "All changes saved");
  const save = h("button", { class: "button primary", type: "submit" }, "Save changes");
  const redraw = () => {
    preview.update(draft.settings, mode);
    status.textContent = "Unsaved changes";
  };
  const name = h("input", { name: "name", maxlength: 80, value: draft.name });
  name.addEventListener("input", () => { draft.name = name.value; });
  const form = h("form", { class: "card widget-form", novalidate: true },
    field("Widget name", name, { hint: "Only admins see it." }),
    field("Title", textInput(draft, "title", { maxlength: 60 })),
    field("Greeting", textInput(draft, "greeting", { rows: 2, maxlength: 300 })),
    colorField(draft), positionField(draft),
    prechatEditor(draft.settings.pre_chat_fields, redraw),
    field("Offline message", textInput(draft, "offline_message", { rows: 2, maxlength: 500 }),
      { hint: "Shown when nobody is online; visitors can leave a message." }),
    originsField(draft),
    h("div", { class: "form-footer" }, status, save));
  form.addEventListener("input", redraw);
  form.addEventListener("change", redraw);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const saved = await submitting(form, save, async () => {
      const updated = await request("PATCH", `/api/v1/widgets/${widget.id}`, draft);
      Object.assign(widget, updated);
    });
    if (saved) {
      status.textContent = "All changes saved";
      toast("Widget saved. Visitors see the change on their next page load.");
    }
  });
  const modes = h("div", { class: "segmented small", role: "group", "aria-label": "Preview as" },
    ["online", "offline"].map((value) => h("button", { type: "button", class: "segment-button", "aria-pressed": String(value === mode),
      onclick: (event) => {
        mode = value;
        for (const button of modes.children) button.setAttribute("aria-pressed", String(button === event.currentTarget));
        preview.update(draft.settings, mode);
      } }, value === "online" ? "Agents online" : "Nobody online")));
  preview.update(draft.settings, mode);

  const picker = widgets.length > 1 ? h("select", { "aria-label": "Widget", onchange: (event) =>
    render(root, context, event.target.value) }, widgets.map((w) => h("option", { value: w.id, selected: w.id === widget.id }, w.name))) : null;
  root.replaceChildren(
    pageHeader("Widgets", "How the chat looks on your site, and the code that puts it there.", picker),
    h("div", { class: "widget-layout" }, form,
      h("div", { class: "widget-side" },
        h("section", { class: "card preview-card", "aria-labelledby": "preview-title" },
          h("div", { class: "snippet-head" }, h("h2", { id: "preview-title" }, "Preview"), modes), preview.element),
        snippetCard(widget))));
}

export async function render(root, context, widgetId = null) {
  const { widgets } = await request("GET", "/api/v1/widgets");
  if (!widgets.length) {
    root.replaceChildren(pageHeader("Widgets", "How the chat looks on your site, and the code that puts it there."),
      h("div", { class: "card" }, stateView("No widget yet", "Create one to get the code for your site.",
        h("button", { class: "button primary", type: "button", onclick: async () => {
          await request("POST", "/api/v1/widgets", { name: "Website" });
          render(root, context);
        } }, "Create a widget"))));
    return;
  }
  editor(root, widgets.find((w) => w.id === widgetId) || widgets[0], widgets, context);
}
