// History's search box and filters (period, status, agent, department, rating, attachments, answered), as the
// query of GET /api/v1/chats/search and of the view's address (#/history?status=ended&agent=<id>), so a filtered
// list can be linked, bookmarked and reloaded. Days are the agent's own, or those of a link's `tz` (Reports).
import { request } from "/static/workspace/api.js";
import { h } from "/static/workspace/dom.js";
import { state } from "/static/workspace/store.js";
import { t } from "/static/shared/i18n.js";

const values = { q: "", from: "", to: "", tz: "", status: "", agent_id: "", department_id: "", rating: "", attachments: "",
  answered: "", answered_by: "" };
const IN_ADDRESS = { agent_id: "agent", department_id: "department" };  // else the address says what the API does
const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
const DEBOUNCE_MS = 250;  // typing: one search once the words settle

let colleagues = null;  // a promise of the agents, loaded once

/** The API query for the current values; a date range is whole days in `tz`, the agent's zone by default. */
export function searchParams() {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value && name !== "tz") params.set(name, value.trim());
  if (values.from || values.to) params.set("tz", values.tz || ZONE);
  return params;
}

/** The view's address query for the current values: "" or "?status=ended&...". */
export function addressQuery() {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value) params.set(IN_ADDRESS[name] || name, value);
  const query = params.toString();
  return query ? `?${query}` : "";
}

/** Take the values from an address's query; whether they changed. */
export function useAddress(params) {
  let changed = false;
  for (const name of Object.keys(values)) {
    const value = params.get(IN_ADDRESS[name] || name) || "";
    changed ||= value !== values[name];
    values[name] = value;
  }
  return changed;
}

const hasWords = () => Boolean(values.q.trim());
const activeFilters = () => Object.keys(values).filter((name) => !["q", "tz", "answered_by"].includes(name) && shown(name)).length;
const ANSWER_CHOICES = ["", "true", "false"];  // the rest of the "answered" options are agents: who answered first

function select(name, label, options) {
  const control = h("select", { id: `history-${name}`, name },
    options.map(([value, text]) => h("option", { value }, text)));
  control.value = shown(name);
  return [h("label", { for: control.id }, label), control];
}

/** What a control shows: "answered" shows the agent who answered first, when that is the filter. */
const shown = (name) => (name === "answered" ? values.answered_by || values.answered : values[name]);

function field(...parts) {
  return h("div", { class: "history-field" }, ...parts);
}

/** The form; `onChange()` runs when what to search for changed. */
export function filterForm(onChange) {
  const search = h("input", { id: "history-q", name: "q", type: "search", value: values.q, maxlength: "200",
    placeholder: t("historySearchPlaceholder"), autocomplete: "off", enterkeyhint: "search" });
  const toggle = h("button", { class: "button secondary history-filter-toggle", type: "button",
    "aria-controls": "history-filters", "aria-expanded": "false" });
  const from = h("input", { id: "history-from", name: "from", type: "date", value: values.from });
  const to = h("input", { id: "history-to", name: "to", type: "date", value: values.to });
  const [agentLabel, agent] = select("agent_id", t("agent"), [["", t("anyone")]]);
  const [answeredLabel, answered] = select("answered", t("answered"),
    [["", t("answeredOrNot")], ["true", t("answered")], ["false", t("neverAnswered")]]);
  const departments = [...state.departments.values()].sort((a, b) => a.name.localeCompare(b.name));
  const clear = h("button", { class: "button ghost small", type: "button" }, t("clearFilters"));
  const zoneNote = values.tz && values.tz !== ZONE ? h("p", { class: "history-zone" }, t("daysInZone", { zone: values.tz })) : null;
  const panel = h("div", { class: "history-filters", id: "history-filters", role: "group", "aria-label": t("filters") },
    field(h("label", { for: from.id }, t("from")), from), field(h("label", { for: to.id }, t("to")), to),
    field(...select("status", t("status"),
      [["", t("anyStatus")], ["queued", t("queued")], ["active", t("active")], ["ended", t("ended")]])),
    field(agentLabel, agent),
    field(...select("department_id", t("department"), [["", t("anyDepartment")], ...departments.map((d) => [d.id, d.name])])),
    field(...select("rating", t("rating"), [["", t("anyRating")], ["good", t("good")], ["bad", t("bad")], ["none", t("notRated")]])),
    field(...select("attachments", t("attachments"),
      [["", t("withOrWithout")], ["true", t("withAttachments")], ["false", t("withoutAttachments")]])),
    field(answeredLabel, answered),
    zoneNote,
    h("div", { class: "history-field clear" }, clear));
  const form = h("form", { class: "history-search", role: "search", "aria-label": t("searchAllChats") },
    h("div", { class: "history-search-row" }, h("label", { for: search.id, class: "visually-hidden" }, t("searchAllChats")),
      search, toggle),
    panel);

  colleagues ||= request("GET", "/api/v1/agents/colleagues").then((data) => data.agents, () => []);
  colleagues.then((agents) => {
    const sorted = [...agents].sort((a, b) => a.name.localeCompare(b.name));
    agent.append(...sorted.map((a) => h("option", { value: a.id }, a.name)));
    answered.append(...sorted.map((a) => h("option", { value: a.id }, t("firstAnsweredBy", { name: a.name }))));
    agent.value = values.agent_id;
    answered.value = shown("answered");
  });

  function showToggle(open) {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    const count = activeFilters();
    toggle.textContent = count ? t("filtersCount", { count }) : t("filters");
  }
  showToggle(matchMedia("(min-width: 1024px)").matches || activeFilters() > 0);

  let timer = null;
  const changed = () => { clearTimeout(timer); showToggle(!panel.hidden); onChange(); };
  search.addEventListener("input", () => {
    values.q = search.value;
    clearTimeout(timer);
    timer = setTimeout(changed, DEBOUNCE_MS);
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { values.q = search.value; changed(); }
  });
  panel.addEventListener("change", (event) => {
    const { name, value } = event.target;
    if (!(name in values)) return;
    if (name === "answered") {  // yes, no, or an agent: who answered first
      values.answered = ANSWER_CHOICES.includes(value) ? value : "";
      values.answered_by = ANSWER_CHOICES.includes(value) ? "" : value;
    } else values[name] = value;
    changed();
  });
  toggle.addEventListener("click", () => showToggle(panel.hidden));
  clear.addEventListener("click", () => {
    for (const name of Object.keys(values)) if (name !== "q") values[name] = "";
    for (const control of panel.querySelectorAll("input, select")) control.value = "";
    zoneNote?.remove();
    changed();
  });
  return { form, search };
}

/** What the result list says when nothing matches. */
export function emptyText() {
  if (hasWords()) return t(activeFilters() ? "noMatchWordsFilters" : "noMatchWords");
  return t(activeFilters() ? "noMatchFilters" : "noChatsYet");
}
