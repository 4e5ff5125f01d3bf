// The reports page (#/reports, supervisors and admins): a period's figures against the period
// before, as charts with their tables, and each table as a CSV download. A number that counts chats opens
// those very chats in History (#/history?from=...&tz=...: the report's days, in the report's time zone).
import { request } from "/static/workspace/api.js";
import { barChart, heatmap, lineChart, weekday } from "/static/workspace/charts.js";
import { h, stateView } from "/static/workspace/dom.js";
import { state } from "/static/workspace/store.js";
import { t } from "/static/shared/i18n.js";

const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
const number = new Intl.NumberFormat();

/** "45 s", "2 min 5 s", "1 h 4 min"; a dash without a value. */
export function seconds(value) {
  if (value == null) return "–";
  const total = Math.round(value);
  const [hr, min, sec] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  if (total < 60) return t("durationSeconds", { s: sec });
  if (total < 3600) return t(sec ? "durationMinutesSeconds" : "durationMinutes", { min, s: sec });
  return t(min ? "durationHoursMinutes" : "durationHours", { h: hr, min });
}

const share = (value) => (value == null ? "–" : `${Math.round(value * 1000) / 10} %`);
const count = (value) => (value == null ? "–" : number.format(value));

// History's filters for the chats a figure counts, on top of the report's period and scope.
const ANSWERED = { answered: "true" };
const MISSED = { status: "ended", answered: "false" };

/** History's filters for every chat the report covers: its days in its zone, its department or agent. */
function scopeOf(report) {
  return { from: report.period.from, to: report.period.to, tz: report.period.tz,
    department: report.department_id, answered_by: report.agent_id };
}

/** History's address with these filters (those without a value left out), at a chat if given. */
function historyHref(filters, chatId = null) {
  const query = new URLSearchParams(Object.entries(filters).filter(([, filter]) => filter));
  return `#/history${chatId ? `/${chatId}` : ""}?${query}`;
}

/** `value` chats as a link to them in History; `what(value)` says which ("3 missed chats in Sales"). None: a plain 0. */
function chatsLink(value, filters, what) {
  if (!value) return count(value);
  return h("a", { class: "chats-link", href: historyHref(filters), "aria-label": t("openInHistory", { chats: what(value) }) },
    count(value));
}

// What a number of chats counts, as the links to them say it ("3 missed chats").
const started = (n) => t(n === 1 ? "chatsStartedOne" : "chatsStartedMany", { count: count(n) });
const answered = (n) => t(n === 1 ? "answeredChatsOne" : "answeredChatsMany", { count: count(n) });
const missed = (n) => t(n === 1 ? "missedChatsOne" : "missedChatsMany", { count: count(n) });
const ratedGood = (n) => t(n === 1 ? "ratedGoodOne" : "ratedGoodMany", { count: count(n) });
const ratedBad = (n) => t(n === 1 ? "ratedBadOne" : "ratedBadMany", { count: count(n) });

// The summary's cards: [key, label, format, whether a rise is good]; CARD_CHATS, the chats a count opens.
const cards = () => [
  ["started", t("chatsStarted"), count, null],
  ["answered", t("answered"), count, true],
  ["missed", t("missed"), count, false],
  ["offline_messages", t("offlineMessages"), count, null],
  ["wait_p50_s", t("waitMedian"), seconds, false],
  ["wait_p90_s", t("waitP90"), seconds, false],
  ["first_response_p50_s", t("firstResponseMedian"), seconds, false],
  ["first_response_p90_s", t("firstResponseP90"), seconds, false],
  ["handle_p50_s", t("handleTimeMedian"), seconds, null],
  ["messages_per_chat", t("messagesPerChat"), (value) => (value == null ? "–" : String(value)), null],
  ["transfers", t("transfers"), count, null],
  ["csat", t("satisfactionGood"), share, true],
];

const CARD_CHATS = { started: [{}, started], answered: [ANSWERED, answered], missed: [MISSED, missed] };

function localDay(date) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" })
    .format(date);
}

function change(now, before, riseIsGood) {
  if (now == null || before == null) return null;
  if (now === before) return h("span", { class: "change" }, t("noChange"));
  const up = now > before;
  const tone = riseIsGood == null ? "neutral" : up === riseIsGood ? "good" : "bad";
  const percent = before ? ` (${up ? "+" : ""}${Math.round(((now - before) / before) * 100)} %)` : "";
  return h("span", { class: "change", dataset: { tone } }, h("span", { "aria-hidden": "true" }, up ? "▲" : "▼"),
    h("span", { class: "visually-hidden" }, t(up ? "up" : "down")), percent);
}

function csvLink(query, table, label) {
  return h("a", { class: "button ghost small", href: `/api/v1/reports/${table}.csv?${query}`, download: "",
    dataset: { table } }, t("downloadCsv", { table: label }));
}

function section(title, query, table, ...children) {
  const id = `report-${table}`;
  return h("section", { class: "report-section", "aria-labelledby": id, dataset: { report: table } },
    h("header", {}, h("h2", { id }, title), table && csvLink(query, table, title.toLowerCase())), ...children);
}

function dataTable(caption, columns, rows) {
  return h("div", { class: "table-scroll" }, h("table", { class: "report-table" },
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, columns.map(([label]) => h("th", { scope: "col" }, label)))),
    h("tbody", {}, rows.map((row) => h("tr", {}, columns.map(([, value], i) =>
      (i === 0 ? h("th", { scope: "row" }, value(row)) : h("td", {}, value(row)))))))));
}

/** The satisfaction card's counts: how many chats were rated good and bad, each opening those chats. */
function ratings(report) {
  const { rated, rated_good: good } = report.summary;
  const link = (rating, n, what) => chatsLink(n, { ...scopeOf(report), rating }, what);
  return h("span", { class: "figure-detail" }, link("good", good, ratedGood), " ", t("goodRatings"), " · ",
    link("bad", rated - good, ratedBad), " ", t("badRatings"));
}

function summary(report, query) {
  const value = (key, format) => (CARD_CHATS[key]
    ? chatsLink(report.summary[key], { ...scopeOf(report), ...CARD_CHATS[key][0] }, CARD_CHATS[key][1])
    : format(report.summary[key]));
  const figures = cards().map(([key, label, format, riseIsGood]) => h("div", { class: "figure-card", dataset: { figure: key } },
    h("dt", {}, label),
    h("dd", {}, h("span", { class: "figure-value" }, value(key, format)), key === "csat" ? ratings(report) : null,
      h("span", { class: "figure-previous" }, t("before", { value: format(report.previous[key]) }), " ",
        change(report.summary[key], report.previous[key], riseIsGood)))));
  return section(t("summary"), query, "summary", h("dl", { class: "figure-cards" }, figures));
}

function daily(report, query) {
  const labels = report.daily.map((day) => day.date.slice(5));
  const series = [[t("started"), "started"], [t("answered"), "answered"], [t("missed"), "missed"]]
    .map(([name, key]) => ({ name, values: report.daily.map((day) => day[key]) }));
  return section(t("chatsPerDay"), query, "daily",
    lineChart({ labels, series, summary: t("chatsPerDaySummary") }),
    dataTable(t("chatsPerDay"), [[t("day"), (d) => d.date], ...chatColumns(report, (d) => ({ from: d.date, to: d.date }),
      (d, chats) => t("chatsOnDay", { chats, day: d.date })),
      [t("waitMedian"), (d) => seconds(d.wait_p50_s)]], report.daily));
}

/** Started, answered and missed columns whose numbers open those chats of a row (`filters(row)`; `about(row, chats)`
 * says them of the row: "3 missed chats in Sales"). */
function chatColumns(report, filters, about) {
  const link = (key, extra, what) => (row) => chatsLink(row[key], { ...scopeOf(report), ...filters(row), ...extra },
    (n) => about(row, what(n)));
  return [[t("started"), link("started", {}, started)], [t("answered"), link("answered", ANSWERED, answered)],
    [t("missed"), link("missed", MISSED, missed)]];
}

function departments(report, query) {
  return section(t("departments"), query, "departments",
    barChart({ rows: report.departments.map((d) => ({ label: d.name, value: d.started })), format: count,
      summary: t("departmentsSummary") }),
    dataTable(t("departments"), [[t("department"), (d) => d.name],
      ...chatColumns(report, (d) => ({ department: d.id }), (d, chats) => t("chatsInDepartment", { chats, department: d.name })),
      [t("waitMedian"), (d) => seconds(d.wait_p50_s)], [t("firstResponseMedian"), (d) => seconds(d.first_response_p50_s)],
      [t("satisfaction"), (d) => share(d.csat)], [t("offlineMessages"), (d) => count(d.offline_messages)]],
    report.departments));
}

function agents(report, query) {
  const answeredFirst = (a) => (n) => t(n === 1 ? "answeredFirstOne" : "answeredFirstMany", { count: count(n), name: a.name });
  return section(t("agents"), query, "agents",
    barChart({ rows: report.agents.map((a) => ({ label: a.name, value: a.utilisation ?? 0 })), format: share,
      summary: t("agentsSummary") }),
    dataTable(t("agents"), [[t("agent"), (a) => a.name],
      [t("answered"), (a) => chatsLink(a.answered, { ...scopeOf(report), answered_by: a.id }, answeredFirst(a))],
      [t("firstResponseMedian"), (a) => seconds(a.first_response_p50_s)], [t("handleTimeMedian"), (a) => seconds(a.handle_p50_s)],
      [t("satisfaction"), (a) => share(a.csat)], [t("online"), (a) => seconds(a.online_s)],
      [t("utilisation"), (a) => share(a.utilisation)]], report.agents));
}

function hours(report, query) {
  const rows = report.busiest_hours.map((counts, day) => ({ day: weekday(day), counts }));
  return section(t("busiestHours"), query, "hours",
    heatmap({ grid: report.busiest_hours, summary: t("busiestHoursSummary") }),
    h("details", { class: "report-details" }, h("summary", {}, t("showAsTable")),
      dataTable(t("busiestHoursCaption"), [[t("day"), (row) => row.day],
        ...Array.from({ length: 24 }, (_, hour) => [String(hour).padStart(2, "0"), (row) => String(row.counts[hour])])],
      rows)));
}

function comments(report, query) {
  const list = report.comments.length
    ? h("ul", { class: "comment-list" }, report.comments.map((c) => h("li", { dataset: { rating: c.rating } },
      h("span", { class: "rating" }, t(c.rating === "good" ? "good" : "bad")),
      h("p", {}, c.comment),
      h("p", { class: "muted small" }, [c.agent, c.department, new Date(c.rated_at).toLocaleString()].filter(Boolean)
        .join(" · "), " · ", h("a", { href: historyHref({ ...scopeOf(report), rating: c.rating }, c.chat_id),
        "aria-label": t(c.rating === "good" ? "openRatedGood" : "openRatedBad", { comment: c.comment }) }, t("openTheChat"))))))
    : h("p", { class: "muted" }, t("noComments"));
  return section(t("ratingComments"), query, "comments", list);
}

/** Proactive greetings: visitors each greeted in the period, and how many then started a chat. */
function triggers(report, query) {
  const table = report.triggers.length
    ? dataTable(t("greetings"), [[t("greeting"), (g) => g.name], [t("department"), (g) => g.department],
      [t("greeted"), (g) => count(g.triggered)], [t("chatsThatFollowed"), (g) => count(g.engaged)],
      [t("engagement"), (g) => share(g.engagement)]], report.triggers)
    : h("p", { class: "muted" }, t("noGreetings"));
  return section(t("greetings"), query, "triggers", table);
}

function form(values, onSubmit) {
  const departmentOptions = [h("option", { value: "" }, t("allDepartments")),
    ...[...state.departments.values()].map((d) => h("option", { value: d.id, selected: d.id === values.department_id }, d.name))];
  const field = (label, control) => h("label", { class: "field" }, h("span", {}, label), control);
  return h("form", { class: "report-form", onsubmit: (event) => { event.preventDefault(); onSubmit(new FormData(event.target)); } },
    field(t("from"), h("input", { type: "date", name: "from", value: values.from, required: true })),
    field(t("to"), h("input", { type: "date", name: "to", value: values.to, required: true })),
    field(t("department"), h("select", { name: "department_id" }, departmentOptions)),
    field(t("timeZone"), h("input", { type: "text", name: "tz", value: values.tz, required: true, spellcheck: "false" })),
    h("button", { class: "button primary", type: "submit" }, t("show")));
}

/** Mount the reports page in `root`: the last 7 days in the browser's time zone to begin with. */
export async function showReports(root) {
  const today = new Date();
  let values = { from: localDay(new Date(today - 6 * 864e5)), to: localDay(today), tz: ZONE, department_id: "" };
  const body = h("div", { class: "report-body", "aria-live": "polite" });
  const load = async () => {
    const query = new URLSearchParams(Object.entries(values).filter(([, value]) => value)).toString();
    body.replaceChildren(stateView(t("reportLoading"), ""));
    body.setAttribute("aria-busy", "true");
    try {
      const report = await request("GET", `/api/v1/reports?${query}`);
      const { period: { from, to, tz }, previous_period: previous } = report;
      const period = h("p", { class: "muted" },
        t("reportPeriod", { from, to, tz, previousFrom: previous.from, previousTo: previous.to }));
      body.replaceChildren(period, summary(report, query), daily(report, query), departments(report, query),
        agents(report, query), hours(report, query), triggers(report, query), comments(report, query));
    } catch (failure) {
      body.replaceChildren(stateView(t("reportFailed"), failure.message));
    } finally {
      body.removeAttribute("aria-busy");
    }
  };
  root.replaceChildren(h("div", { class: "reports" }, h("header", { class: "reports-head" }, h("h1", {}, t("reports")),
    form(values, (data) => { values = Object.fromEntries(data.entries()); load(); })), body));
  await load();
}
