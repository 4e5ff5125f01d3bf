// The count of new tickets nobody has taken (open, unassigned) beside "Tickets" in the nav: read
// when the event stream opens (after subscribing: nothing is missed), again after ticket events.
import { request } from "/static/workspace/api.js";
import { h } from "/static/workspace/dom.js";
import { on } from "/static/workspace/store.js";
import { t } from "/static/shared/i18n.js";

const SETTLE_MS = 150;  // a burst of ticket events makes one request

export function mountTicketCount(badge) {
  let timer = null;
  async function refresh() {
    try {
      const { unassigned_open: count } = await request("GET", "/api/v1/tickets/counts");
      badge.hidden = count === 0;
      badge.replaceChildren(count > 99 ? "99+" : String(count), h("span", { class: "visually-hidden" }, " ", t("new")));
      badge.title = t(count === 1 ? "newTicketsOne" : "newTicketsMany", { count });
    } catch {
      // The last count stays; the next ticket event or reconnect asks again.
    }
  }
  const soon = () => { clearTimeout(timer); timer = setTimeout(refresh, SETTLE_MS); };
  on("ticket", soon);
  on("resync", soon);
  on("connection", (connection) => { if (connection === "open") soon(); });
}
