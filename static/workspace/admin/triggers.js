// Admin: triggers (proactive greetings): the widget opens by itself with a department's greeting when a visitor's
// page, time on it and visits match. Add, edit, enable or disable, delete.
import { request } from "/static/workspace/api.js";
import { h, toast } from "/static/workspace/dom.js";
import { confirmDialog, field, formDialog, pageHeader, saveOnChange } from "/static/workspace/admin/forms.js";
import { t } from "/static/shared/i18n.js";

const VISITORS = { any: "admin.triggers.everyVisitor", new: "admin.triggers.newVisitors",
  returning: "admin.triggers.returningVisitors" };
// Whom a trigger greets, within its conditions.
const GREETS = { new: "admin.triggers.forNewVisitors", returning: "admin.triggers.forReturningVisitors" };

/** The conditions in words: "On /pricing · after 30 s · from visit 2 · returning visitors". */
function conditions(trigger) {
  return [
    trigger.url_pattern ? t("admin.triggers.onPage", { pattern: trigger.url_pattern }) : t("admin.triggers.onEveryPage"),
    trigger.seconds_on_page ? t("admin.triggers.after", { seconds: trigger.seconds_on_page }) : t("admin.triggers.atOnce"),
    trigger.min_visits > 1 ? t("admin.triggers.fromVisit", { visits: trigger.min_visits }) : null,
    trigger.returning_visitor in GREETS ? t(GREETS[trigger.returning_visitor]) : null,
    trigger.only_when_open ? t("admin.triggers.whileOpen") : null,
  ].filter(Boolean).join(" · ");
}

function options(items, selected) {
  return items.map((item) => h("option", { value: item.id, selected: item.id === selected }, item.name));
}

/** The add or edit dialog; `trigger` null adds one. */
function editTrigger(trigger, { widgets, departments }, reload) {
  const control = (tag, attrs, value) => {
    const node = h(tag, attrs);
    if (value !== undefined) node.value = value;
    return node;
  };
  const name = control("input", { name: "name", maxlength: 80, required: true, autocomplete: "off" }, trigger?.name ?? "");
  const widget = h("select", { name: "widget_id" }, options(widgets, trigger?.widget_id));
  const department = h("select", { name: "department_id" }, options(departments,
    trigger?.department_id ?? departments.find((item) => item.is_default)?.id));
  const greeting = control("textarea", { name: "greeting", rows: 3, maxlength: 300, required: true }, trigger?.greeting ?? "");
  const url = control("input", { name: "url_pattern", maxlength: 500, spellcheck: "false", autocomplete: "off",
    placeholder: t("admin.triggers.urlPlaceholder") }, trigger?.url_pattern ?? "");
  const seconds = control("input", { name: "seconds_on_page", type: "number", min: 0, max: 3600, class: "number" },
    trigger?.seconds_on_page ?? 30);
  const visits = control("input", { name: "min_visits", type: "number", min: 1, max: 1000, class: "number" },
    trigger?.min_visits ?? 1);
  const returning = h("select", { name: "returning_visitor" },
    Object.entries(VISITORS).map(([value, label]) => h("option", { value, selected: value === trigger?.returning_visitor },
      t(label))));
  const open = h("input", { type: "checkbox", name: "only_when_open", checked: trigger?.only_when_open ?? true });
  const enabled = h("input", { type: "checkbox", name: "enabled", checked: trigger?.enabled ?? true });
  formDialog(trigger ? t("admin.common.editName", { name: trigger.name }) : t("admin.triggers.addTitle"), [
    field(t("admin.common.name"), name, { hint: t("admin.triggers.nameHint") }),
    trigger || widgets.length < 2 ? null : field(t("admin.triggers.widget"), widget),
    field(t("admin.triggers.department"), department, { hint: t("admin.triggers.departmentHint") }),
    field(t("admin.triggers.greeting"), greeting, { hint: t("admin.triggers.greetingHint") }),
    field(t("admin.triggers.pageAddress"), url, { hint: t("admin.triggers.pageAddressHint") }),
    h("div", { class: "field-row" }, field(t("admin.triggers.seconds"), seconds), field(t("admin.triggers.visits"), visits,
      { hint: t("admin.triggers.visitsHint") })),
    field(t("admin.triggers.visitors"), returning),
    h("label", { class: "check" }, open, t("admin.triggers.onlyWhenOpen")),
    h("label", { class: "check" }, enabled, t("admin.common.enabled")),
  ], trigger ? t("admin.common.save") : t("admin.triggers.add"), async () => {
    const body = { name: name.value, greeting: greeting.value, department_id: department.value,
      url_pattern: url.value, seconds_on_page: Number(seconds.value), min_visits: Number(visits.value),
      returning_visitor: returning.value, only_when_open: open.checked, enabled: enabled.checked };
    if (trigger) await request("PATCH", `/api/v1/triggers/${trigger.id}`, body);
    else await request("POST", "/api/v1/triggers", { ...body, widget_id: widget.value });
    toast(t(trigger ? "admin.triggers.saved" : "admin.triggers.added", { name: body.name }));
    reload();
  });
}

function triggerRow(trigger, context, reload) {
  const department = context.departments.find((item) => item.id === trigger.department_id);
  const enabled = saveOnChange(h("input", { type: "checkbox", role: "switch", checked: trigger.enabled,
    "aria-label": t("admin.triggers.enabledLabel", { name: trigger.name }) }),
  async (value) => { await request("PATCH", `/api/v1/triggers/${trigger.id}`, { enabled: value }); reload(); },
  (value) => t(value ? "admin.triggers.greetsAgain" : "admin.triggers.isOff", { name: trigger.name }));
  const remove = async () => {
    if (!await confirmDialog(t("admin.common.deleteQuestion", { name: trigger.name }), t("admin.triggers.deleteText"),
      t("admin.triggers.deleteTrigger"))) return;
    await request("DELETE", `/api/v1/triggers/${trigger.id}`);
    toast(t("admin.triggers.deleted", { name: trigger.name }));
    reload();
  };
  return h("tr", { "data-active": String(trigger.enabled) },
    h("th", { scope: "row" }, h("span", { class: "name" }, trigger.name),
      h("div", { class: "muted small trigger-greeting" }, t("admin.triggers.quoted", { greeting: trigger.greeting }))),
    h("td", {}, department?.name ?? ""),
    h("td", { class: "small" }, conditions(trigger)),
    h("td", {}, h("label", { class: "check switch" }, enabled,
      t(trigger.enabled ? "admin.common.enabled" : "admin.triggers.off"))),
    h("td", { class: "end nowrap" },
      h("button", { class: "button ghost small", type: "button",
        "aria-label": t("admin.common.editName", { name: trigger.name }),
        onclick: () => editTrigger(trigger, context, reload) }, t("admin.common.edit")),
      h("button", { class: "button ghost danger small", type: "button",
        "aria-label": t("admin.common.deleteName", { name: trigger.name }),
        onclick: () => remove().catch((failure) => toast(failure.message, "error")) }, t("admin.common.delete"))));
}

export async function render(root, context) {
  const [{ triggers }, { widgets }, { departments }] = await Promise.all([request("GET", "/api/v1/triggers"),
    request("GET", "/api/v1/widgets"), request("GET", "/api/v1/departments")]);
  const lists = { widgets, departments };
  const reload = () => render(root, context).catch((failure) => toast(failure.message, "error"));
  const add = h("button", { class: "button primary", type: "button", disabled: !widgets.length,
    onclick: () => editTrigger(null, lists, reload) }, t("admin.triggers.add"));
  const columns = ["admin.triggers.trigger", "admin.triggers.department", "admin.triggers.when", "admin.common.status"];
  root.replaceChildren(
    pageHeader(t("admin.triggers.title"), t("admin.triggers.intro"), add),
    triggers.length
      ? h("div", { class: "card table-card" }, h("table", { class: "admin-table triggers-table" },
        h("caption", { class: "visually-hidden" }, t("admin.triggers.title")),
        h("thead", {}, h("tr", {}, columns.map((title) => h("th", { scope: "col" }, t(title))),
          h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("admin.common.actions"))))),
        h("tbody", {}, triggers.map((trigger) => triggerRow(trigger, lists, reload)))))
      : h("div", { class: "card empty" }, h("h2", {}, t("admin.triggers.none")),
        h("p", {}, t(widgets.length ? "admin.triggers.noneText" : "admin.triggers.noWidget"))));
}
