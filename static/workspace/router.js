// The shell's hash router: #/ (chats), #/chats/<id>, #/tickets[/<id>], #/admin[/<section>].
import { setRoute } from "/static/workspace/store.js";

export function parse(hash) {
  const [view, id] = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  if (view === "tickets") return { view: "tickets", id: id || null, section: null };
  if (view === "admin") return { view: "admin", id: null, section: id || null };
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
