// Admin: a widget's settings form beside a live preview, and the embed snippet with a copy button.
import { request } from "/static/workspace/api.js";
import { h, stateView, toast } from "/static/workspace/dom.js";
import { copy, field, pageHeader, submitting } from "/static/workspace/admin/forms.js";
import { identityCard } from "/static/workspace/admin/identity-secret.js";
import { prechatEditor } from "/static/workspace/admin/prechat-fields.js";
import { widgetPreview } from "/static/workspace/admin/widget-preview.js";
import { privacyFields } from "/static/workspace/admin/widget-privacy.js";
import { t } from "/static/shared/i18n.js";

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
  const swatch = h("input", { type: "color", value: draft.settings.color, "aria-label": t("admin.widgets.colourPicker") });
  swatch.addEventListener("input", () => { text.value = swatch.value; draft.settings.color = swatch.value; });
  text.addEventListener("input", () => {
    draft.settings.color = text.value.trim();
    if (/^#[0-9a-f]{6}$/i.test(draft.settings.color)) swatch.value = draft.settings.color;
  });
  const wrapped = field(t("admin.widgets.colour"), text, { hint: t("admin.widgets.colourHint") });
  wrapped.querySelector("input").before(h("span", { class: "color-row" }, swatch));
  wrapped.querySelector(".color-row").append(text);
  return wrapped;
}

const SIDES = { left: "admin.widgets.bottomLeft", right: "admin.widgets.bottomRight" };

function positionField(draft) {
  const choices = Object.entries(SIDES).map(([side, label]) => {
    const radio = h("input", { type: "radio", name: "settings.position", value: side, checked: draft.settings.position === side });
    radio.addEventListener("change", () => { draft.settings.position = side; });
    return h("label", { class: "segment" }, radio, h("span", {}, t(label)));
  });
  return h("fieldset", { class: "field" }, h("legend", {}, t("admin.widgets.position")),
    h("div", { class: "segmented" }, choices),
    h("p", { class: "field-error", "data-error-for": "settings.position", hidden: true }));
}

// The widget's languages, each named in itself (README, Languages).
const LANGUAGES = [["en", "English"], ["de", "Deutsch"], ["fr", "Français"], ["es", "Español"], ["pt", "Português"],
  ["ar", "العربية"]];

function languageSelect(draft, key, choices) {
  const select = h("select", { name: `settings.${key}` },
    choices.map(([value, label]) => h("option", { value, selected: draft.settings[key] === value }, label)));
  select.addEventListener("change", () => { draft.settings[key] = select.value; });
  return select;
}

/** Follow the visitor's browser (falling back to the default), or speak one language only. */
function languageFields(draft) {
  return [
    field(t("admin.widgets.language"),
      languageSelect(draft, "language", [["auto", t("admin.widgets.browserLanguage")], ...LANGUAGES]),
      { hint: t("admin.widgets.languageHint") }),
    field(t("admin.widgets.defaultLanguage"), languageSelect(draft, "default_language", LANGUAGES),
      { hint: t("admin.widgets.defaultLanguageHint") }),
  ];
}

function originsField(draft) {
  const input = h("textarea", { name: "allowed_origins", rows: 3, spellcheck: "false",
    placeholder: t("admin.widgets.originsPlaceholder") });
  input.value = draft.allowed_origins.join("\n");
  input.addEventListener("input", () => {
    draft.allowed_origins = input.value.split(/[\s,]+/).map((origin) => origin.trim()).filter(Boolean);
  });
  return field(t("admin.widgets.origins"), input, { hint: t("admin.widgets.originsHint") });
}

function snippetCard(widget) {
  const button = h("button", { class: "button secondary small", type: "button", onclick: () => copy(widget.snippet, button) },
    t("admin.common.copy"));
  return h("section", { class: "card snippet", "aria-labelledby": "snippet-title" },
    h("div", { class: "snippet-head" }, h("h2", { id: "snippet-title" }, t("admin.widgets.embedCode")), button),
    h("p", { class: "muted small" }, t("admin.widgets.embedHint")),
    h("pre", {}, h("code", { "data-testid": "snippet" }, widget.snippet)));
}

// What the preview shows: the pre-chat form while agents are online, else the offline form.
const PREVIEW_MODES = { online: "admin.widgets.agentsOnline", offline: "admin.widgets.nobodyOnline" };

function editor(root, widget, widgets, context) {
  const draft = draftOf(widget);
  const preview = widgetPreview();
  let mode = "online";
  const status = h("span", { class: "save-status muted small", role: "status" }, t("admin.widgets.allSaved"));
  const save = h("button", { class: "button primary", type: "submit" }, t("admin.widgets.save"));
  const redraw = () => {
    preview.update(draft.settings, mode);
    status.textContent = t("admin.widgets.unsaved");
  };
  const name = h("input", { name: "name", maxlength: 80, value: draft.name });
  name.addEventListener("input", () => { draft.name = name.value; });
  const form = h("form", { class: "card widget-form", novalidate: true },
    field(t("admin.widgets.name"), name, { hint: t("admin.widgets.nameHint") }),
    field(t("admin.widgets.widgetTitle"), textInput(draft, "title", { maxlength: 60 })),
    field(t("admin.widgets.greeting"), textInput(draft, "greeting", { rows: 2, maxlength: 300 })),
    colorField(draft), positionField(draft),
    prechatEditor(draft.settings.pre_chat_fields, redraw),
    privacyFields(draft),
    field(t("admin.widgets.offlineMessage"), textInput(draft, "offline_message", { rows: 2, maxlength: 500 }),
      { hint: t("admin.widgets.offlineMessageHint") }),
    languageFields(draft),
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
      status.textContent = t("admin.widgets.allSaved");
      toast(t("admin.widgets.saved"));
    }
  });
  const modes = h("div", { class: "segmented small", role: "group", "aria-label": t("admin.widgets.previewAs") },
    Object.entries(PREVIEW_MODES).map(([value, label]) => h("button", { type: "button", class: "segment-button",
      "aria-pressed": String(value === mode),
      onclick: (event) => {
        mode = value;
        for (const button of modes.children) button.setAttribute("aria-pressed", String(button === event.currentTarget));
        preview.update(draft.settings, mode);
      } }, t(label))));
  preview.update(draft.settings, mode);

  const picker = widgets.length > 1 ? h("select", { "aria-label": t("admin.widgets.picker"), onchange: (event) =>
    render(root, context, event.target.value) }, widgets.map((w) => h("option", { value: w.id, selected: w.id === widget.id }, w.name))) : null;
  root.replaceChildren(
    pageHeader(t("admin.widgets.title"), t("admin.widgets.intro"), picker),
    h("div", { class: "widget-layout" }, form,
      h("div", { class: "widget-side" },
        h("section", { class: "card preview-card", "aria-labelledby": "preview-title" },
          h("div", { class: "snippet-head" }, h("h2", { id: "preview-title" }, t("admin.widgets.preview")), modes),
          preview.element),
        snippetCard(widget), identityCard(widget))));
}

export async function render(root, context, widgetId = null) {
  const { widgets } = await request("GET", "/api/v1/widgets");
  if (!widgets.length) {
    root.replaceChildren(pageHeader(t("admin.widgets.title"), t("admin.widgets.intro")),
      h("div", { class: "card" }, stateView(t("admin.widgets.none"), t("admin.widgets.noneText"),
        h("button", { class: "button primary", type: "button", onclick: async () => {
          await request("POST", "/api/v1/widgets", { name: t("admin.widgets.defaultName") });
          render(root, context);
        } }, t("admin.widgets.create")))));
    return;
  }
  editor(root, widgets.find((w) => w.id === widgetId) || widgets[0], widgets, context);
}
