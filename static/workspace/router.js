// The shell's hash router: #/ (chats), #/chats/<id>, #/tickets[/<id>], #/history[/<chat id>], #/live[/<chat id>],
// #/reports, #/admin[/<section>]. History keeps its filters in a query after the path: #/history[/<id>]?status=ended.
import { setRoute } from "/static/workspace/store.js";

export function parse(hash) {
  const [path, query = ""] = hash.replace(/^#\/?/, "").split("?", 2);
  const [view, id] = path.split("/").map(decodeURIComponent);
  if (view === "tickets") return { view: "tickets", id: id || null, section: null };
  if (view === "live") return { view: "live", id: id || null, section: null };
  if (view === "history") return { view: "history", id: id || null, section: null, query: new URLSearchParams(query) };
  if (view === "admin") return { view: "admin", id: null, section: id || null };
  if (view === "reports") return { view: "reports", id: null, section: null };
  if (view === "chats" && id) return { view: "chats", id, section: null };
  return { view: "chats", id: null, section: null };
}

export function navigate(hash) {
  if (location.hash === hash) setRoute(parse(hash));
  else location.hash = hash;
}

export function startRouter() {
  addEventListener("hashchange", () => setRoute(parse(location.hash)));
  setRoute(parse(location.hash));
}
