// Times, durations, sizes and statuses as the workspace shows them.
import { t } from "/static/shared/i18n.js";

const clock = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "long", month: "long", day: "numeric" });
const dateFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

export const time = (iso) => clock.format(new Date(iso));
const shortDate = (iso) => dateFormat.format(new Date(iso));

export function dayLabel(iso) {
  const day = new Date(iso).toDateString();
  const today = new Date();
  if (day === today.toDateString()) return t("today");
  if (day === new Date(today - 864e5).toDateString()) return t("yesterday");
  return dayFormat.format(new Date(iso));
}

/** "0:42", "12:05", "1:02:00". */
export function duration(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600), minutes = Math.floor(total / 60) % 60, seconds = total % 60;
  const pad = (n) => String(n).padStart(2, "0");
  return hours ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`;
}

/** Today: "3:04 PM"; before: "Nov 24". */
export function when(iso) {
  return new Date(iso).toDateString() === new Date().toDateString() ? time(iso) : shortDate(iso);
}

export function size(bytes) {
  if (bytes < 1024) return t("sizeBytes", { size: bytes });
  if (bytes < 1024 * 1024) return t("sizeKilobytes", { size: (bytes / 1024).toFixed(0) });
  return t("sizeMegabytes", { size: (bytes / 1024 / 1024).toFixed(1) });
}

/** A chat's or a ticket's status as a word ("ended"). */
export const statusWord = (status) => ({ queued: t("statusQueued"), active: t("statusActive"), ended: t("statusEnded"),
  open: t("statusOpen"), pending: t("statusPending"), solved: t("statusSolved") })[status] ?? status;
