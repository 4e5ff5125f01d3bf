// A live preview of the chat widget as visitors will see it, redrawn from the settings being edited.
import { h } from "/static/workspace/dom.js";
import { t } from "/static/shared/i18n.js";

/** White or near-black on `hex`: the widget's own rule (static/widget/main.js), so the preview shows what visitors get. */
function readableOn(hex) {
  const [r, g, b] = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
  return r * 0.299 + g * 0.587 + b * 0.114 > 160 ? "#09090b" : "#ffffff";
}

const VALID_COLOR = /^#[0-9a-f]{6}$/i;
// The offline form's fields, all required.
const OFFLINE_FIELDS = ["admin.preview.name", "admin.preview.email", "admin.preview.message"];

function fakeInput(prechat) {
  return h("div", { class: "wp-field" }, h("span", {}, prechat.label + (prechat.required ? " *" : "")),
    h("span", { class: prechat.type === "textarea" ? "wp-input tall" : "wp-input" }));
}

/** `{element, update(settings, mode)}`: mode "online" shows the pre-chat form, "offline" the offline message. */
export function widgetPreview() {
  const title = h("strong", { class: "wp-title" });
  const greeting = h("p", { class: "wp-bubble" });
  const fields = h("div", { class: "wp-fields" });
  const start = h("span", { class: "wp-button" });
  const panel = h("div", { class: "wp-panel", "data-testid": "widget-preview-panel" },
    h("div", { class: "wp-header" }, h("span", { class: "wp-avatar" }, t("admin.preview.initials")),
      h("span", { class: "wp-heading" }, title, h("span", { class: "wp-sub" }, t("admin.preview.replyTime"))),
      h("span", { class: "wp-minimise", "aria-hidden": "true" }, "–")),
    h("div", { class: "wp-body" }, greeting, fields, start));
  const launcher = h("span", { class: "wp-launcher", "aria-hidden": "true" }, h("span", { class: "wp-launcher-icon" }));
  const element = h("figure", { class: "widget-preview", "aria-label": t("admin.preview.label") },
    h("div", { class: "wp-page", "aria-hidden": "true" }, h("div", { class: "wp-address" }, t("admin.preview.address")),
      h("div", { class: "wp-line wide" }), h("div", { class: "wp-line" }), h("div", { class: "wp-line short" })),
    panel, launcher);

  function update(settings, mode = "online") {
    const color = VALID_COLOR.test(settings.color) ? settings.color : "#2563eb";
    element.style.setProperty("--widget-accent", color);
    element.style.setProperty("--widget-accent-fg", readableOn(color));
    element.dataset.position = settings.position;
    title.textContent = settings.title || t("admin.preview.title");
    if (mode === "offline") {
      greeting.textContent = settings.offline_message || t("admin.preview.away");
      fields.replaceChildren(...OFFLINE_FIELDS.map((label) => fakeInput({ label: t(label), required: true })));
      start.textContent = t("admin.preview.send");
    } else {
      greeting.textContent = settings.greeting || t("admin.preview.greeting");
      fields.replaceChildren(...settings.pre_chat_fields.map(fakeInput));
      if (settings.consent_text) fields.append(h("p", { class: "wp-consent" }, "\u2610 ", settings.consent_text));
      start.textContent = t("admin.preview.start");
    }
    greeting.hidden = !greeting.textContent;
  }

  return { element, update };
}
