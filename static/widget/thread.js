/** The conversation: queue card, messages grouped by sender and time, pending sends, typing, "Seen". */
import { blobUrl, download } from "./api.js";
import { ICONS, avatar, clock, fileSize, h, icon } from "./dom.js";
import { discard, retry } from "./outbox.js";
import { thread } from "./store.js";

const GROUP_GAP_MS = 5 * 60 * 1000;
const nodes = new Map();  // "CHAT:SEQ" or "out:CLIENT_MSG_ID" -> element, so a re-render moves nodes instead of rebuilding them

function attachmentView(file) {
  if (file.thumbnail_url) {
    const image = h("img", { class: "thumb", alt: file.name, width: 200, height: 150 });
    blobUrl(file.thumbnail_url).then((url) => { image.src = url; }, () => { image.alt = `${file.name} (not available)`; });
    return h("button", { type: "button", class: "image-link", "aria-label": `Open ${file.name}`,
      onclick: () => blobUrl(file.url).then((url) => window.open(url, "_blank", "noopener")) }, image);
  }
  return h("button", { type: "button", class: "file-card", onclick: () => download(file.url, file.name) },
    icon(ICONS.file), h("span", {}, h("span", { class: "file-name" }, file.name),
      h("small", {}, `${fileSize(file.size)} \u00b7 Download`)));
}

function messageNode(message) {
  const files = message.attachments || [];
  const caption = files.some((file) => file.name === message.body) ? null : message.body;
  return h("li", { class: `msg ${message.sender.type}`, "data-seq": message.seq },
    h("div", { class: "sender" }, message.sender.name || ""),
    caption ? h("div", { class: "bubble" }, caption) : null,
    files.map(attachmentView),
    h("div", { class: "meta" }, h("time", { datetime: message.created_at }, clock(message.created_at)),
      h("span", { class: "mark" })));
}

function pendingNode(item) {
  return h("li", { class: "msg visitor pending" },
    h("div", { class: "bubble" }, item.body), h("div", { class: "meta" }, h("span", { class: "mark" })));
}

function queueCard(chat) {
  const wait = chat.estimated_wait_s;
  return h("li", { class: "queue-card", role: "status" },
    h("strong", {}, chat.queue_position ? `You're #${chat.queue_position} in line` : "Connecting you with an agent"),
    h("span", {}, wait ? `Estimated wait: about ${Math.max(1, Math.round(wait / 60))} min`
      : "An agent will be with you shortly."));
}

function sameGroup(a, b) {
  return a && b && a.sender.type === b.sender.type && a.sender.id === b.sender.id && a.sender.type !== "system"
    && Date.parse(b.created_at) - Date.parse(a.created_at) < GROUP_GAP_MS;
}

export function mountThread(root) {
  const list = h("ol", { class: "thread", "aria-label": "Conversation" });
  const scroller = h("div", { class: "scroller" }, list);
  root.append(scroller);
  // Stay at the newest message while the reader is there, also when the composer or footer grows.
  let atBottom = true;
  scroller.addEventListener("scroll", () => {
    atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
  });
  new ResizeObserver(() => { if (atBottom) scroller.scrollTop = scroller.scrollHeight; }).observe(scroller);
  return (state) => {
    const messages = thread();
    const items = [];
    if (state.chat?.status === "queued") items.push(queueCard(state.chat));
    const lastOwn = messages.findLast((message) => message.sender.type === "visitor");
    messages.forEach((message, index) => {
      const key = `${message.chat_id}:${message.seq}`;
      if (!nodes.has(key)) nodes.set(key, messageNode(message));
      const node = nodes.get(key);
      node.classList.toggle("first", !sameGroup(messages[index - 1], message));
      node.classList.toggle("last", !sameGroup(message, messages[index + 1]));
      node.querySelector(".mark").textContent = message === lastOwn && !state.outbox.length
        ? (state.agentReadSeq >= message.seq ? " \u00b7 Seen" : " \u00b7 Sent") : "";
      const face = node.querySelector(":scope > .avatar");
      if (message.sender.type === "agent" && node.classList.contains("last") && !face) node.prepend(avatar(message.sender.name));
      else if (face && !node.classList.contains("last")) face.remove();
      items.push(node);
    });
    for (const item of state.outbox.filter((entry) => entry.chat_id === state.chat?.id)) {
      const key = `out:${item.client_msg_id}`;
      if (!nodes.has(key)) nodes.set(key, pendingNode(item));
      const node = nodes.get(key);
      node.querySelector(".mark").replaceChildren(item.error ? h("span", { class: "failed" }, `Not sent: ${item.error} `,
        h("button", { type: "button", class: "link-button", onclick: () => retry(item.client_msg_id) }, "Retry"),
        h("button", { type: "button", class: "link-button", onclick: () => discard(item.client_msg_id) }, "Delete"))
        : state.connected ? "Sending\u2026" : "Waiting for network\u2026");
      items.push(node);
    }
    if (state.agentTyping) {
      items.push(h("li", { class: "typing", "aria-label": `${state.agentTyping} is typing` },
        h("span", {}), h("span", {}), h("span", {})));
    }
    list.replaceChildren(...items);
    if (atBottom || state.outbox.length) {
      scroller.scrollTop = scroller.scrollHeight;
      atBottom = true;
    }
  };
}
