// Small SVG charts for the reports page: lines over days, horizontal bars, a weekday x hour heatmap.
// Each is a <figure> whose picture is decorative for screen readers (role=img with a summary);
// the page puts the same numbers in a table next to it.
import { lang, t } from "/static/shared/i18n.js";

const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) if (value != null) node.setAttribute(name, value);
  node.append(...children.filter(Boolean));
  return node;
}

function text(x, y, label, attrs = {}) {
  const node = svg("text", { x, y, ...attrs });
  node.textContent = label;
  return node;
}

function titled(node, label) {
  node.append(svg("title", {}, document.createTextNode(label)));
  return node;
}

function chart(width, height, summary, ...children) {
  return svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": summary,
    preserveAspectRatio: "xMidYMid meet" }, ...children);
}

/** A rounded maximum for an axis: 1, 2, 5 x 10^n at or above `value`. */
function niceMax(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((step) => step * power).find((top) => top >= value);
}

/** Lines over `labels` (days): `series` is [{name, values}], drawn in the order of the legend's colours. */
export function lineChart({ labels, series, summary }) {
  const width = 640, height = 220, left = 36, right = 28, top = 12, bottom = 28;
  const max = niceMax(Math.max(0, ...series.flatMap((line) => line.values)));
  const x = (i) => left + (labels.length === 1 ? (width - left - right) / 2 : i * (width - left - right) / (labels.length - 1));
  const y = (value) => top + (height - top - bottom) * (1 - value / max);
  const grid = [0, max / 2, max].map((value) => svg("g", { class: "grid" },
    svg("line", { x1: left, x2: width - right, y1: y(value), y2: y(value) }),
    text(left - 6, y(value) + 4, String(value), { "text-anchor": "end" })));
  const every = Math.max(1, Math.ceil(labels.length / 8));
  const ticks = labels.map((label, i) => (i % every === 0 || i === labels.length - 1)
    && text(x(i), height - 8, label, { "text-anchor": "middle", class: "tick" }));
  const lines = series.map((line, index) => svg("g", { class: `series series-${index}` },
    svg("polyline", { points: line.values.map((value, i) => `${x(i)},${y(value)}`).join(" ") }),
    ...line.values.map((value, i) => titled(svg("circle", { cx: x(i), cy: y(value), r: 3 }),
      `${labels[i]}: ${value} ${line.name}`))));
  return figure(chart(width, height, summary, ...grid, ...ticks, ...lines), series.map((line) => line.name));
}

/** Horizontal bars: `rows` is [{label, value}], `format` shows a value. */
export function barChart({ rows, summary, format = String }) {
  const barHeight = 22, gap = 8, labelWidth = 150, width = 640, valueWidth = 70;
  const height = Math.max(1, rows.length) * (barHeight + gap);
  const max = Math.max(0, ...rows.map((row) => row.value)) || 1;
  const bars = rows.map((row, i) => {
    const y = i * (barHeight + gap);
    const length = (width - labelWidth - valueWidth) * (row.value / max);
    return svg("g", { class: "series series-0" },
      text(labelWidth - 8, y + barHeight * 0.7, row.label, { "text-anchor": "end", class: "label" }),
      titled(svg("rect", { x: labelWidth, y, width: Math.max(length, row.value ? 2 : 0), height: barHeight, rx: 3 }),
        `${row.label}: ${format(row.value)}`),
      text(labelWidth + length + 6, y + barHeight * 0.7, format(row.value), { class: "value" }));
  });
  return figure(chart(width, height, summary, ...bars));
}

/** A weekday's short name, 0 for Monday ("Mon"). */
export const weekday = (day) => new Intl.DateTimeFormat(lang(), { weekday: "short", timeZone: "UTC" })
  .format(Date.UTC(2024, 0, 1 + day));  // 1 January 2024 was a Monday

/** Chats started by weekday (rows, Monday first) and hour (columns): darker is busier. */
export function heatmap({ grid, summary }) {
  const cell = 24, left = 40, top = 18;
  const max = Math.max(0, ...grid.flat()) || 1;
  const hours = Array.from({ length: 24 }, (_, hour) => hour % 3 === 0
    && text(left + hour * cell + cell / 2, top - 6, String(hour).padStart(2, "0"), { "text-anchor": "middle", class: "tick" }));
  const rows = grid.map((counts, day) => svg("g", {},
    text(left - 6, top + day * cell + cell * 0.65, weekday(day), { "text-anchor": "end", class: "tick" }),
    ...counts.map((count, hour) => titled(svg("rect", {
      x: left + hour * cell + 1, y: top + day * cell + 1, width: cell - 2, height: cell - 2, rx: 3,
      class: count ? "heat" : "heat empty", "fill-opacity": count ? (0.15 + 0.85 * count / max).toFixed(3) : null,
    }), t("heatmapCell", { day: weekday(day), hour: String(hour).padStart(2, "0"), count })))));
  return figure(chart(left + 24 * cell + 4, top + 7 * cell + 4, summary, ...hours, ...rows));
}

function figure(picture, legend = []) {
  const node = document.createElement("figure");
  node.className = "chart-figure";
  node.append(picture);
  if (legend.length) {
    const list = document.createElement("ul");
    list.className = "legend";
    legend.forEach((name, index) => {
      const item = document.createElement("li");
      item.className = `series-${index}`;
      item.textContent = name;
      list.append(item);
    });
    node.append(list);
  }
  return node;
}
