// The quick-response palette: "/" at the start of the composer opens it; fuzzy search by shortcut
// and title; Up/Down choose, Enter or Tab insert with placeholders filled, Esc closes.
import { request } from "/static/workspace/api.js";
import { h } from "/static/workspace/dom.js";
import { setQuickResponses, state } from "/static/workspace/store.js";
import { t } from "/static/shared/i18n.js";

/** How well `query` matches `text`: prefix > substring > letters in order; 0 for no match. */
function score(query, text) {
  const haystack = text.toLowerCase();
  if (!query) return 1;
  if (haystack.startsWith(query)) return 100 - haystack.length / 100;
  const at = haystack.indexOf(query);
  if (at >= 0) return 50 - at / 100;
  let position = 0;
  for (const char of query) {
    position = haystack.indexOf(char, position) + 1;
    if (!position) return 0;
  }
  return 10 - position / 100;
}

function fillPlaceholders(body, chat) {
  const values = { "visitor.name": chat.visitor?.name || t("visitorNameFallback"), "visitor.email": chat.visitor?.email || "",
    "agent.name": state.agent.public_name || state.agent.name };  // what customers see
  return body.replace(/\{\{\s*(visitor\.name|visitor\.email|agent\.name)\s*\}\}/g, (_, key) => values[key]);
}

function ranked(query) {
  const q = query.toLowerCase();
  return state.quickResponses
    .map((item) => ({ item, rank: Math.max(score(q, item.shortcut) * 2, score(q, item.title)) }))
    .filter(({ rank }) => rank > 0).sort((a, b) => b.rank - a.rank).slice(0, 8).map(({ item }) => item);
}

/** Watch `textarea` for "/query"; `insert(text)` replaces it with the chosen response. */
export function attachPalette(textarea, anchor, chat) {
  let list = null, items = [], selected = 0, loaded = false;

  function close() {
    list?.remove();
    list = null;
    textarea.removeAttribute("aria-activedescendant");
    textarea.setAttribute("aria-expanded", "false");
  }

  function choose(item) {
    textarea.value = fillPlaceholders(item.body, chat);
    textarea.dispatchEvent(new Event("input"));
    close();
    textarea.focus();
  }

  function render() {
    const query = textarea.value.slice(1);
    items = ranked(query);
    selected = Math.min(selected, Math.max(0, items.length - 1));
    list ||= h("div", { class: "popover palette", role: "listbox", id: "quick-responses", "aria-label": t("quickResponses") });
    list.replaceChildren(...(items.length ? items.map((item, index) => h("div", {
      role: "option", id: `qr-${item.id}`, "aria-selected": String(index === selected),
      onmousedown: (event) => { event.preventDefault(); choose(item); },
    }, h("span", {}, h("span", { class: "shortcut" }, `/${item.shortcut}`), ` ${item.title}`),
      h("span", { class: "body" }, fillPlaceholders(item.body, chat))))
      : [h("p", { class: "muted small palette-empty" },
        t(loaded ? "paletteNoMatch" : "paletteLoading"))]));
    if (!list.isConnected) anchor.append(list);
    textarea.setAttribute("aria-expanded", "true");
    if (items[selected]) textarea.setAttribute("aria-activedescendant", `qr-${items[selected].id}`);
  }

  async function refresh() {
    try {
      setQuickResponses((await request("GET", "/api/v1/quick-responses")).quick_responses);
    } catch { /* the palette says it has none; typing goes on */ }
    loaded = true;
    if (list) render();
  }

  textarea.setAttribute("aria-controls", "quick-responses");
  textarea.setAttribute("aria-autocomplete", "list");
  textarea.addEventListener("input", () => {
    const open = /^\/[^\s]*$/.test(textarea.value);
    if (open && !list) { selected = 0; refresh(); }
    if (open) render();
    else close();
  });
  textarea.addEventListener("keydown", (event) => {
    if (!list) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      selected = (selected + (event.key === "ArrowDown" ? 1 : -1) + items.length) % Math.max(items.length, 1);
      render();
    } else if ((event.key === "Enter" || event.key === "Tab") && items[selected]) {
      event.preventDefault();
      choose(items[selected]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  textarea.addEventListener("blur", close);
}
