// A chat's thread, virtualised: only a window of rows near the viewport is in the DOM (at most
// MAX_ROWS); scrolling up slides the window back and loads older pages, keeping the scroll
// position; new messages stick to the bottom when the agent is there, else a jump button shows.
import { linkify } from "../shared/links.js";
import { h, icon } from "/static/workspace/dom.js";
import { loadOlder } from "/static/workspace/events.js";
import { dayLabel, size, time } from "/static/workspace/format.js";
import { on, state, thread as heldThread } from "/static/workspace/store.js";
import { t } from "/static/shared/i18n.js";

const MAX_ROWS = 180;     // rows in the DOM at most, whatever the thread's length
const SHIFT = 60;         // rows added (and dropped at the other end) per slide
const EDGE_PX = 600;      // slide when this close to the top or bottom of the rendered rows
const GROUP_GAP_MS = 5 * 60 * 1000;

const senderKey = (message) => `${message.sender.type}:${message.sender.id}:${message.internal ? "note" : ""}`;
const sameDay = (a, b) => new Date(a.created_at).toDateString() === new Date(b.created_at).toDateString();

function grouped(a, b) {
  return Boolean(a && b) && a.sender.type !== "system" && senderKey(a) === senderKey(b) && sameDay(a, b)
    && Math.abs(Date.parse(b.created_at) - Date.parse(a.created_at)) < GROUP_GAP_MS;
}

function attachmentView(file) {
  if (file.thumbnail_url) {
    return h("a", { href: file.url, target: "_blank", rel: "noopener" },
      h("img", { src: file.thumbnail_url, alt: file.name, loading: "lazy" }));
  }
  return h("a", { class: "file-card", href: file.url, target: "_blank", rel: "noopener", download: file.name },
    icon("file"), h("span", {}, file.name), h("span", { class: "muted" }, size(file.size)));
}

function rowView(message, previous, next) {
  const day = !previous || !sameDay(previous, message) ? h("div", { class: "day", role: "separator" }, dayLabel(message.created_at)) : null;
  if (message.sender.type === "system") {
    return h("div", { class: "row system msg", dataset: { seq: message.seq } }, day,
      h("div", { class: "line" }, `${message.body} · ${time(message.created_at)}`));
  }
  const first = !grouped(previous, message), last = !grouped(message, next);
  const mine = message.sender.type === "agent";
  const name = message.sender.id === state.agent.id ? t("you") : message.sender.name || t("visitor");
  const classes = ["row", "msg", mine && "mine", message.internal && "note", first && "first", last && "last"].filter(Boolean);
  return h("div", { class: classes.join(" "), dataset: { seq: message.seq } }, day,
    first ? h("span", { class: "sender" }, name) : null,
    h("div", { class: "bubble" },
      message.internal ? h("span", { class: "note-label" }, icon("lock"), " ", t("internalNote")) : null,
      linkify(message.body),
      message.attachments?.length ? h("div", { class: "attachments" }, message.attachments.map(attachmentView)) : null),
    h("span", { class: "stamp" }, time(message.created_at)));
}

/** Mount the thread of `chat` into `container`; `onSeen(seq)` when the newest message is in view. */
export function createThread(container, chat, { onSeen }) {
  const held = heldThread(chat.id);
  const scroller = h("div", { class: "thread", role: "log", "aria-label": t("messages"), "aria-live": "polite", tabindex: "0" });
  const status = h("div", { class: "thread-status" });
  const rows = h("div", { class: "rows" });
  const jump = h("button", { class: "button secondary small jump", type: "button", hidden: true }, t("jumpToLatest"));
  scroller.append(status, rows);
  container.replaceChildren(scroller, jump);

  let start = 0, end = 0;  // the rendered window: held.messages[start..end)
  let loading = false;
  const messages = () => held.messages;
  const rowAt = (index) => rowView(messages()[index], messages()[index - 1], messages()[index + 1]);

  function nearBottom() {
    return end === messages().length && scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  }

  /** Run a DOM change without moving what the agent is looking at. */
  function keepingPosition(change) {
    const top = scroller.getBoundingClientRect().top;
    const anchor = [...rows.children].find((row) => row.getBoundingClientRect().bottom > top);
    if (!anchor) return change();
    const before = anchor.getBoundingClientRect().top;
    change();
    const after = rows.querySelector(`[data-seq="${anchor.dataset.seq}"]`);  // the same message, maybe re-rendered
    if (after) scroller.scrollTop += after.getBoundingClientRect().top - before;
  }

  function refreshRow(index) {
    const seq = messages()[index]?.seq;
    const existing = seq && rows.querySelector(`[data-seq="${seq}"]`);
    if (existing) existing.replaceWith(rowAt(index));
  }

  function updateStatus() {
    status.textContent = start > 0 || !held.complete ? (loading ? t("loadingEarlier") : "") : t("conversationStart");
    jump.hidden = nearBottom();
    receipt();
  }

  /** "Read" or "Sent" under the newest agent message. */
  function receipt() {
    rows.querySelector(".receipt")?.remove();
    const current = state.chats.get(chat.id) || chat;
    const lastAgent = [...messages()].reverse().find((m) => m.sender.type === "agent" && !m.internal);
    const row = lastAgent && rows.querySelector(`[data-seq="${lastAgent.seq}"]`);
    if (row) row.append(h("span", { class: "stamp receipt" },
      t((current.visitor_read_seq || 0) >= lastAgent.seq ? "read" : "sent")));
  }

  function renderLatest() {
    end = messages().length;
    start = Math.max(0, end - SHIFT);
    rows.replaceChildren(...messages().slice(start, end).map((_, i) => rowAt(start + i)));
    scroller.scrollTop = scroller.scrollHeight;
    updateStatus();
  }

  function trim() {
    while (end - start > MAX_ROWS) {
      if (scroller.scrollTop + scroller.clientHeight / 2 < scroller.scrollHeight / 2) {
        rows.lastElementChild.remove(); end -= 1;
      } else {
        rows.firstElementChild.remove(); start += 1;
      }
    }
  }

  async function slideUp() {
    if (start === 0 && !held.complete && !loading && messages().length) {
      loading = true;
      updateStatus();
      try {
        const added = await loadOlder(chat.id, messages()[0].seq);
        start += added; end += added;
      } finally {
        loading = false;
      }
    }
    if (start === 0) return updateStatus();
    const from = Math.max(0, start - SHIFT);
    keepingPosition(() => {
      const fresh = messages().slice(from, start).map((_, i) => rowAt(from + i));
      rows.firstElementChild?.replaceWith(rowAt(start));  // its grouping and day line depend on the row before
      rows.prepend(...fresh);
      start = from;
      trim();
    });
    updateStatus();
  }

  function slideDown() {
    if (end >= messages().length) return;
    const to = Math.min(messages().length, end + SHIFT);
    keepingPosition(() => {
      refreshRow(end - 1);
      rows.append(...messages().slice(end, to).map((_, i) => rowAt(end + i)));
      end = to;
      trim();
    });
    updateStatus();
  }

  function onScroll() {
    if (scroller.scrollTop < EDGE_PX) slideUp();
    else if (scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < EDGE_PX) slideDown();
    if (nearBottom()) onSeen(messages()[messages().length - 1]?.seq);
    jump.hidden = nearBottom();
  }

  function onNewMessages({ fresh, older }) {
    if (older) return;
    const total = messages().length;
    const windowAtEnd = end === total - fresh.length;
    const ownMessage = fresh.some((message) => message.sender.id === state.agent.id);
    const wasAtBottom = windowAtEnd && (ownMessage || scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80);
    if (windowAtEnd) {  // the window reaches the newest message: extend it
      refreshRow(end - 1);
      rows.append(...fresh.map((_, i) => rowAt(end + i)));
      for (const row of [...rows.children].slice(-fresh.length)) row.classList.add("fresh");
      end = total;
    }
    if (wasAtBottom) {
      trim();
      scroller.scrollTop = scroller.scrollHeight;
      onSeen(messages()[total - 1].seq);
    }
    updateStatus();
  }

  // The composer appearing, the window resizing or an image loading must not unstick the bottom.
  // Only the agent scrolling up unsticks it: a programmatic scroll or a shrinking pane never does.
  let stuck = true, lastTop = 0;
  scroller.addEventListener("scroll", () => {
    stuck = nearBottom() || (stuck && scroller.scrollTop >= lastTop);
    lastTop = scroller.scrollTop;
  }, { passive: true });
  const resizes = new ResizeObserver(() => { if (stuck) scroller.scrollTop = scroller.scrollHeight; });
  resizes.observe(scroller);
  resizes.observe(rows);

  jump.addEventListener("click", () => {
    renderLatest();
    onSeen(messages()[messages().length - 1]?.seq);
    scroller.focus();
  });
  scroller.addEventListener("scroll", onScroll, { passive: true });
  const offs = [on(`thread:${chat.id}`, onNewMessages), on(`chat:${chat.id}`, receipt)];
  renderLatest();
  if (messages().length) onSeen(messages()[messages().length - 1].seq);
  return { destroy: () => { offs.forEach((off) => off()); resizes.disconnect(); } };
}
