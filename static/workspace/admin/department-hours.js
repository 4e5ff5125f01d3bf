// Admin: a department's business hours: its time zone, the hours it is open each weekday, its holidays.
import { request } from "/static/workspace/api.js";
import { h, toast } from "/static/workspace/dom.js";
import { field, formDialog } from "/static/workspace/admin/forms.js";
import { t } from "/static/shared/i18n.js";

const DAYS = { mon: "admin.hours.mon", tue: "admin.hours.tue", wed: "admin.hours.wed", thu: "admin.hours.thu",
  fri: "admin.hours.fri", sat: "admin.hours.sat", sun: "admin.hours.sun" };

/** What the table shows: "Always open", or the zone and whether it is open now. */
export function hoursSummary(department) {
  if (!department.hours) return t("admin.hours.alwaysOpen");
  return t(department.open_now ? "admin.hours.openNow" : "admin.hours.closedNow", { zone: department.hours.time_zone });
}

function removable(row, label) {
  return h("button", { class: "button ghost small", type: "button", "aria-label": label, onclick: () => row.remove() },
    t("admin.common.remove"));
}

function intervalRow(dayName, interval = { start: "09:00", end: "17:00" }) {
  const start = h("input", { type: "time", value: interval.start, required: true,
    "aria-label": t("admin.hours.from", { day: dayName }) });
  const end = h("input", { type: "time", value: interval.end === "24:00" ? "23:59" : interval.end, required: true,
    "aria-label": t("admin.hours.until", { day: dayName }) });
  const row = h("li", { class: "hours-interval" }, start, h("span", { "aria-hidden": "true" }, t("admin.hours.to")), end);
  row.append(removable(row, t("admin.hours.removeInterval", { day: dayName, start: start.value, end: end.value })));
  row.interval = () => ({ start: start.value, end: end.value === "23:59" ? "24:00" : end.value });
  return row;
}

function dayRow(day, intervals) {
  const name = t(DAYS[day]);
  const list = h("ul", { class: "hours-intervals", "aria-label": t("admin.hours.dayHours", { day: name }) },
    intervals.map((interval) => intervalRow(name, interval)));
  const add = h("button", { class: "button secondary small", type: "button", onclick: () => {
    list.append(intervalRow(name));
    list.lastElementChild.querySelector("input").focus();
  } }, t("admin.hours.addDayHours", { day: name }));
  const row = h("fieldset", { class: "hours-day" }, h("legend", {}, name), list, add);
  row.intervals = () => [...list.children].map((item) => ({ day, ...item.interval() }));
  return row;
}

function holidayRow(value = "") {
  const input = h("input", { type: "date", value, required: true, "aria-label": t("admin.hours.closedOn") });
  const row = h("li", { class: "hours-interval" }, input);
  row.append(removable(row, t("admin.hours.removeHoliday")));
  row.date = () => input.value;
  return row;
}

/** The editor, in a dialog: save the hours, or make the department always open again. */
export function editHours(department, saved) {
  const hours = department.hours || { time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone, weekly: [],
    holidays: [] };
  const zones = h("datalist", { id: "hours-zones" }, Intl.supportedValuesOf?.("timeZone").map((zone) =>
    h("option", { value: zone })));
  const zone = h("input", { name: "time_zone", value: hours.time_zone, list: "hours-zones", required: true,
    autocomplete: "off", spellcheck: "false" });
  const days = Object.keys(DAYS).map((day) => dayRow(day, hours.weekly.filter((interval) => interval.day === day)));
  const holidays = h("ul", { class: "hours-intervals", "aria-label": t("admin.hours.holidays") },
    hours.holidays.map(holidayRow));
  const addHoliday = h("button", { class: "button secondary small", type: "button", onclick: () => {
    holidays.append(holidayRow());
    holidays.lastElementChild.querySelector("input").focus();
  } }, t("admin.hours.addHoliday"));
  const put = (body) => request(body ? "PUT" : "DELETE", `/api/v1/departments/${department.id}/hours`, body);
  const dialog = formDialog(t("admin.hours.title", { name: department.name }), [
    field(t("admin.hours.zone"), zone, { hint: t("admin.hours.zoneHint") }), zones,
    h("div", { class: "hours-week" }, days),
    h("p", { class: "field-error", "data-error-for": "weekly", hidden: true }),
    h("fieldset", { class: "hours-day" }, h("legend", {}, t("admin.hours.holidaysLegend")), holidays, addHoliday),
    h("p", { class: "field-error", "data-error-for": "holidays", hidden: true }),
    h("p", { class: "hint" }, t("admin.hours.outsideHint")),
  ], t("admin.hours.save"), async () => {
    const body = { time_zone: zone.value.trim(), weekly: days.flatMap((day) => day.intervals()),
      holidays: [...holidays.children].map((row) => row.date()).filter(Boolean) };
    saved(await put(body));
    toast(t("admin.hours.saved", { name: department.name }));
  });
  if (department.hours) {
    dialog.querySelector(".actions").prepend(h("button", { class: "button ghost", type: "button", onclick: async () => {
      saved(await put(null));
      toast(t("admin.hours.alwaysOpenSaved", { name: department.name }));
      dialog.close();
    } }, t("admin.hours.alwaysOpen")));
  }
}
