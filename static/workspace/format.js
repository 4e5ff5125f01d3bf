// Times, durations and sizes as the workspace shows them.

const clock = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "long", month: "long", day: "numeric" });
const dateFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

export const time = (iso) => clock.format(new Date(iso));
const shortDate = (iso) => dateFormat.format(new Date(iso));

export function dayLabel(iso) {
  const day = new Date(iso).toDateString();
  const today = new Date();
  if (day === today.toDateString()) return "Today";
  if (day === new Date(today - 864e5).toDateString()) return "Yesterday";
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
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
