// Admin: what a widget's visitors share, in its settings form: the typing preview and the consent line.
import { h } from "/static/workspace/dom.js";
import { field } from "/static/workspace/admin/forms.js";
import { t } from "/static/shared/i18n.js";

/** A control bound to `draft.settings[key]`: a checkbox's tick, else its text. */
function bound(draft, key, tag, attributes = {}) {
  const control = h(tag, { name: `settings.${key}`, ...attributes });
  const checkbox = attributes.type === "checkbox";
  if (checkbox) control.checked = Boolean(draft.settings[key]);
  else control.value = draft.settings[key] ?? "";
  control.addEventListener(checkbox ? "change" : "input", () => {
    draft.settings[key] = checkbox ? control.checked : control.value.trim();
  });
  return control;
}

function check(draft, key, label) {
  return h("label", { class: "check" }, bound(draft, key, "input", { type: "checkbox" }), label);
}

export function privacyFields(draft) {
  return [
    h("fieldset", { class: "field" }, h("legend", {}, t("admin.widgetPrivacy.typingPreview")),
      check(draft, "typing_preview", t("admin.widgetPrivacy.typingPreviewCheck")),
      h("p", { class: "hint" }, t("admin.widgetPrivacy.typingPreviewHint"))),
    h("fieldset", { class: "field" }, h("legend", {}, t("admin.widgetPrivacy.consent")),
      h("p", { class: "hint" }, t("admin.widgetPrivacy.consentHint")),
      field(t("admin.widgetPrivacy.consentText"), bound(draft, "consent_text", "textarea", { rows: 2, maxlength: 300,
        placeholder: t("admin.widgetPrivacy.consentPlaceholder") })),
      field(t("admin.widgetPrivacy.policy"), bound(draft, "consent_url", "input", { type: "url", maxlength: 2000,
        placeholder: t("admin.widgetPrivacy.policyPlaceholder") })),
      check(draft, "consent_required", t("admin.widgetPrivacy.consentRequired"))),
  ];
}
