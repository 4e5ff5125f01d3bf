// Admin: the list editor for a widget's pre-chat fields (label, type, required, options for a select).
import { h } from "/static/workspace/dom.js";
import { t } from "/static/shared/i18n.js";

const TYPES = { text: "admin.prechat.text", email: "admin.prechat.email", tel: "admin.prechat.phone",
  textarea: "admin.prechat.longText", select: "admin.prechat.choice" };

/** A field name the API accepts, from its label: "Order number" -> "order_number". */
function nameFrom(label, taken) {
  const base = (label.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "") || "field")
    .replace(/^(?=[0-9])/, "f_").slice(0, 36);
  let name = base;
  for (let n = 2; taken.has(name); n += 1) name = `${base}_${n}`;
  return name;
}

/** The editor for `fields` (changed in place); calls `changed()` after every edit. */
export function prechatEditor(fields, changed) {
  const list = h("ol", { class: "prechat-list" });
  const fresh = new WeakSet();  // fields added here: their name follows their label until saved

  function row(prechat, index) {
    const prefix = `settings.pre_chat_fields.${index}`;
    const number = index + 1;
    const label = h("input", { value: prechat.label, maxlength: 80, "aria-label": t("admin.prechat.label", { number }) });
    const type = h("select", { "aria-label": t("admin.prechat.type", { number }) },
      Object.entries(TYPES).map(([value, text]) => h("option", { value }, t(text))));
    type.value = prechat.type || "text";
    const required = h("input", { type: "checkbox", checked: prechat.required });
    const options = h("input", { value: (prechat.options || []).join(", "),
      placeholder: t("admin.prechat.optionsPlaceholder"), "aria-label": t("admin.prechat.options", { number }),
      hidden: type.value !== "select" });
    label.addEventListener("input", () => {
      prechat.label = label.value;
      if (fresh.has(prechat)) prechat.name = nameFrom(label.value, new Set(fields.filter((f) => f !== prechat).map((f) => f.name)));
      changed();
    });
    type.addEventListener("change", () => {
      prechat.type = type.value;
      options.hidden = type.value !== "select";
      if (type.value === "select") prechat.options = options.value.split(",").map((o) => o.trim()).filter(Boolean);
      else delete prechat.options;
      changed();
    });
    options.addEventListener("input", () => {
      prechat.options = options.value.split(",").map((o) => o.trim()).filter(Boolean);
      changed();
    });
    required.addEventListener("change", () => { prechat.required = required.checked; changed(); });
    const remove = h("button", { class: "icon-button", type: "button",
      "aria-label": t("admin.prechat.removeField", { name: prechat.label || number }),
      title: t("admin.common.remove"), onclick: () => { fields.splice(index, 1); draw(); changed(); } }, "✕");
    return h("li", { class: "prechat-row" },
      h("div", { class: "prechat-controls" }, label, type,
        h("label", { class: "check" }, required, t("admin.prechat.required")), remove),
      options,
      h("p", { class: "field-error", "data-error-for": `${prefix}.label`, hidden: true }),
      h("p", { class: "field-error", "data-error-for": `${prefix}.name`, hidden: true }));
  }

  function draw() {
    list.replaceChildren(...fields.map(row));
    if (!fields.length) list.append(h("li", { class: "muted small" }, t("admin.prechat.empty")));
    add.disabled = fields.length >= 10;
  }

  const add = h("button", { class: "button secondary small", type: "button", onclick: () => {
    const prechat = { name: nameFrom("question", new Set(fields.map((f) => f.name))), label: "", type: "text", required: false };
    fresh.add(prechat);
    fields.push(prechat);
    draw();
    changed();
    list.lastElementChild.querySelector("input").focus();
  } }, t("admin.prechat.add"));
  draw();
  return h("fieldset", { class: "field prechat" }, h("legend", {}, t("admin.prechat.legend")),
    h("p", { class: "hint" }, t("admin.prechat.hint")), list, add,
    h("p", { class: "field-error", "data-error-for": "settings.pre_chat_fields", hidden: true }));
}
