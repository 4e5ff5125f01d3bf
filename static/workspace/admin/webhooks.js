// Admin: webhook endpoints: add one (address, events), its secret shown once, enable or disable, send a test,
// rotate the secret, delete; each with its latest deliveries (status, response codes, errors, timings).
import { request } from "/static/workspace/api.js";
import { h, stateView, toast } from "/static/workspace/dom.js";
import { confirmDialog, field, formDialog, pageHeader, saveOnChange, shownOnce } from "/static/workspace/admin/forms.js";
import { t } from "/static/shared/i18n.js";

const EVENTS = {
  "chat.started": "admin.webhooks.chatStarted",
  "chat.assigned": "admin.webhooks.chatAssigned",
  "chat.transferred": "admin.webhooks.chatTransferred",
  "chat.ended": "admin.webhooks.chatEnded",
  "chat.rated": "admin.webhooks.chatRated",
  "message.created": "admin.webhooks.messageCreated",
  "ticket.created": "admin.webhooks.ticketCreated",
  "ticket.updated": "admin.webhooks.ticketUpdated",
  "offline_message.created": "admin.webhooks.offlineMessageCreated",
};
const STATUS = { delivered: "admin.webhooks.delivered", pending: "admin.webhooks.pending",
  failed: "admin.webhooks.failed" };
const LOG_SIZE = 10;
const LOG_COLUMNS = ["admin.webhooks.event", "admin.common.status", "admin.webhooks.responses", "admin.webhooks.lastError",
  "admin.webhooks.created"];

const when = (iso) => new Date(iso).toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });

function showSecret(endpoint, rotated) {
  shownOnce(t(rotated ? "admin.webhooks.newSecret" : "admin.webhooks.addedSecret"), t("admin.webhooks.secretText"),
    endpoint.secret, t("admin.webhooks.secretFor", { url: endpoint.url }));
}

function eventBoxes(selected) {
  const boxes = Object.entries(EVENTS).map(([value, label]) => h("label", { class: "check event-check" },
    h("input", { type: "checkbox", value, checked: selected.includes(value) }),
    h("span", {}, h("code", {}, value), h("span", { class: "muted small" }, t(label)))));
  const fieldset = h("fieldset", { class: "field" }, h("legend", {}, t("admin.webhooks.events")),
    h("div", { class: "event-checks" }, boxes),
    h("p", { class: "field-error", "data-error-for": "events", hidden: true }));
  return { fieldset, selected: () => boxes.map((box) => box.querySelector("input")).filter((box) => box.checked).map((box) => box.value) };
}

function addEndpoint(reload) {
  const url = h("input", { name: "url", type: "url", autocomplete: "off", required: true, spellcheck: "false",
    placeholder: t("admin.webhooks.urlPlaceholder") });
  const description = h("input", { name: "description", autocomplete: "off", maxlength: 200 });
  const events = eventBoxes(Object.keys(EVENTS));
  formDialog(t("admin.webhooks.addTitle"), [
    field(t("admin.webhooks.url"), url, { hint: t("admin.webhooks.urlHint") }),
    field(t("admin.webhooks.description"), description, { hint: t("admin.webhooks.descriptionHint") }),
    events.fieldset,
  ], t("admin.webhooks.add"), async () => {
    const created = await request("POST", "/api/v1/webhooks",
      { url: url.value.trim(), description: description.value.trim(), events: events.selected() });
    reload();
    showSecret(created, false);
  });
}

function editEvents(endpoint, reload) {
  const events = eventBoxes(endpoint.events);
  formDialog(t("admin.webhooks.eventsFor", { url: endpoint.url }), [events.fieldset], t("admin.common.save"), async () => {
    await request("PATCH", `/api/v1/webhooks/${endpoint.id}`, { events: events.selected() });
    toast(t("admin.webhooks.eventsSaved"));
    reload();
  });
}

function codes(delivery) {
  if (!delivery.responses.length) return h("span", { class: "muted" }, "\u2014");
  return h("span", { class: "codes" }, delivery.responses.slice(-6).map((attempt) => h("span", {
    class: "code", dataset: { ok: String(attempt.status >= 200 && attempt.status < 300) },
    title: attempt.error || t("admin.webhooks.responseTime", { status: attempt.status, ms: attempt.ms }),
  }, attempt.status ?? t("admin.webhooks.noAnswer"))));
}

function deliveryRow(delivery) {
  const last = delivery.responses.at(-1);
  return h("tr", {},
    h("td", {}, h("code", { class: "event-name" }, delivery.event_type),
      h("div", { class: "muted small delivery-id", title: delivery.id }, delivery.id.slice(0, 8))),
    h("td", {}, h("span", { class: "pill", dataset: { delivery: delivery.status } }, t(STATUS[delivery.status]))),
    h("td", {}, codes(delivery), h("div", { class: "muted small" },
      t(delivery.attempts === 1 ? "admin.webhooks.attemptsOne" : "admin.webhooks.attemptsMany",
        { count: delivery.attempts })
      + (last ? ` \u00b7 ${t("admin.webhooks.ms", { ms: last.ms })}` : ""))),
    h("td", { class: "delivery-error" }, delivery.last_error || h("span", { class: "muted" }, "\u2014")),
    h("td", { class: "muted small nowrap" }, when(delivery.created_at)));
}

function deliveryLog(endpoint, deliveries) {
  if (!deliveries.length) {
    return h("p", { class: "muted small log-empty" }, t("admin.webhooks.noDeliveries"));
  }
  return h("div", { class: "table-card log" }, h("table", { class: "admin-table delivery-table" },
    h("caption", { class: "visually-hidden" }, t("admin.webhooks.deliveriesTo", { url: endpoint.url })),
    h("thead", {}, h("tr", {}, LOG_COLUMNS.map((title) => h("th", { scope: "col" }, t(title))))),
    h("tbody", {}, deliveries.map(deliveryRow))));
}

function endpointCard(endpoint, deliveries, reload) {
  const titleId = `webhook-${endpoint.id}`;
  const patch = (changes) => request("PATCH", `/api/v1/webhooks/${endpoint.id}`, changes);
  const enabled = saveOnChange(h("input", { type: "checkbox", role: "switch", checked: endpoint.enabled,
    "aria-label": t("admin.webhooks.sendTo", { url: endpoint.url }) }),
  async (value) => { await patch({ enabled: value }); reload(); },
  (value) => t(value ? "admin.webhooks.enabledToast" : "admin.webhooks.disabledToast"));
  const test = h("button", { class: "button secondary small", type: "button", onclick: async () => {
    test.setAttribute("aria-busy", "true");
    test.disabled = true;
    try {
      const sent = await request("POST", `/api/v1/webhooks/${endpoint.id}/test`);
      const attempt = sent.responses.at(-1);
      if (sent.status === "delivered") toast(t("admin.webhooks.testDelivered", { status: attempt.status, ms: attempt.ms }));
      else toast(t("admin.webhooks.testFailed", { error: sent.last_error }), "error");
      reload();
    } catch (failure) {
      toast(failure.message, "error");
    } finally {
      test.removeAttribute("aria-busy");
      test.disabled = false;
    }
  } }, t("admin.webhooks.sendTest"));
  const rotate = h("button", { class: "button ghost small", type: "button", onclick: async () => {
    const sure = await confirmDialog(t("admin.webhooks.rotateTitle"), t("admin.webhooks.rotateText"),
      t("admin.webhooks.rotate"));
    if (sure) showSecret(await patch({ rotate_secret: true }), true);
  } }, t("admin.webhooks.rotate"));
  const remove = h("button", { class: "button ghost danger small", type: "button", onclick: async () => {
    const sure = await confirmDialog(t("admin.common.deleteQuestion", { name: endpoint.url }),
      t("admin.webhooks.deleteText"), t("admin.webhooks.deleteEndpoint"));
    if (!sure) return;
    await request("DELETE", `/api/v1/webhooks/${endpoint.id}`);
    toast(t("admin.webhooks.deleted"));
    reload();
  } }, t("admin.common.delete"));
  const edit = h("button", { class: "button ghost small", type: "button", onclick: () => editEvents(endpoint, reload) },
    t("admin.webhooks.editEvents"));
  return h("section", { class: "card webhook", "aria-labelledby": titleId, dataset: { enabled: String(endpoint.enabled) } },
    h("div", { class: "webhook-head" },
      h("div", { class: "webhook-title" },
        h("h2", { id: titleId }, endpoint.url),
        endpoint.description ? h("p", { class: "muted small" }, endpoint.description) : null),
      h("label", { class: "check switch" }, enabled,
        t(endpoint.enabled ? "admin.common.enabled" : "admin.webhooks.disabled"))),
    endpoint.disabled_reason ? h("p", { class: "webhook-warning", role: "note" },
      t("admin.webhooks.disabledReason", { reason: endpoint.disabled_reason })) : null,
    h("ul", { class: "chips event-chips", "aria-label": t("admin.webhooks.events") },
      endpoint.events.map((name) => h("li", { class: "chip" }, name))),
    h("div", { class: "row-actions webhook-actions" }, test, edit, rotate, remove),
    h("h3", { class: "log-title" }, t("admin.webhooks.latest")),
    deliveryLog(endpoint, deliveries));
}

export async function render(root, context) {
  const { webhooks } = await request("GET", "/api/v1/webhooks");
  const logs = await Promise.all(webhooks.map((endpoint) =>
    request("GET", `/api/v1/webhooks/${endpoint.id}/deliveries?limit=${LOG_SIZE}`)));
  const reload = () => render(root, context).catch((failure) => toast(failure.message, "error"));
  const add = h("button", { class: "button primary", type: "button", onclick: () => addEndpoint(reload) },
    t("admin.webhooks.add"));
  root.replaceChildren(
    pageHeader(t("admin.webhooks.title"), t("admin.webhooks.intro"), add),
    webhooks.length
      ? h("div", { class: "webhooks" }, webhooks.map((endpoint, index) => endpointCard(endpoint, logs[index].deliveries, reload)))
      : h("div", { class: "card" }, stateView(t("admin.webhooks.none"), t("admin.webhooks.noneText"),
        h("button", { class: "button secondary", type: "button", onclick: () => addEndpoint(reload) },
          t("admin.webhooks.addFirst")))));
}
