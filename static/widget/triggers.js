/** Proactive greetings (desk/triggers.py): the settings list those for this page and visit. */
import { call } from "./api.js";
import { loadSettings } from "./chat.js";
import { h } from "./dom.js";
import { announce, tellHost } from "./host.js";
import { remember, state, update, widgetId } from "./store.js";

const since = () => performance.now() / 1e3;  // since the widget loaded
let watching;

/** A new visit after 30 idle minutes. */
export function countVisit() {
  const { visits = 0, seenAt = 0 } = state.saved;
  remember({ visits: visits + (Date.now() - seenAt > 18e5), seenAt: Date.now() });
}

/** The rules for this page and visit (settings loaded before the page was known have none of them). */
export async function watchTriggers() {
  if (watching) return;
  watching = 1;
  for (const rule of (await loadSettings()).triggers) {
    if (!state.saved.fired?.includes(rule.id)) setTimeout(() => fire(rule).catch(() => {}), (rule.seconds - since()) * 1e3);
  }
}

/** Recorded once per visitor (registered first if need be); the first time, open quietly with it. */
async function fire(rule) {
  const { saved, pageUrl: page_url = "" } = state;
  if (state.greeting || state.view === "chat") return;
  if (!saved.token && !saved.pre) remember({ pre: (await call("POST", `/widgets/${widgetId}/visitors`, { page_url })).token });
  const fired = await call("POST", `/triggers/${rule.id}/firings`,
    { page_url, visits: saved.visits, seconds_on_page: Math.ceil(since()) });
  remember({ fired: [...(state.saved.fired || []), rule.id] });
  if (fired.already_fired || state.greeting) return;
  update({ greeting: rule, quiet: !state.open });
  announce(`${rule.department}: ${rule.greeting}`);
  tellHost("open", { open: true });
}

export const greeting = (rule) => h("div", { class: "msg agent first greeting" },
  h("div", { class: "sender" }, rule.department), h("div", { class: "bubble" }, rule.greeting));
