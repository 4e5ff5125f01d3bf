/** The conversation: queue card, messages grouped by sender and time, pending sends, typing, "Seen". */
import { blobUrl, download } from "./api.js";
import { ICONS, avatar, clock, fileSize, h, icon } from "./dom.js";
import { retry } from "./outbox.js";
import { thread, unqueue } from "./store.js";

const GROUP_GAP_MS = 5 * 60 * 1000;
const nodes = new Map();  // "chat:seq" or client_msg_id -> element: renders move nodes, never rebuild them

function attachmentView(file) {
  const onclick = () => download(file.url, file.name);
  if (!file.thumbnail_url) {
    return h("button", { class: "file-card", onclick },
      icon(ICONS.file), h("span", {}, h("span", { class: "file-name" }, file.name),
        h("small", {}, `${fileSize(file.size)} \u00b7 Download`)));
  }
  const image = h("img", { class: "thumb", alt: file.name });
  blobUrl(file.thumbnail_url).then((url) => { image.src = url; }, () => { image.alt += " (not available)"; });
  return h("button", { class: "image-link", "aria-label": `Download ${file.name}`, onclick }, image);
}

function messageNode({ sender, body, attachments, created_at: at }) {
  return h("li", { class: `msg ${sender.type}` }, h("div", { class: "sender" }, sender.name),
    attachments.some((file) => file.name === body) ? null : h("div", { class: "bubble" }, body),  // not a file's name
    attachments.map(attachmentView),
    h("div", { class: "meta" }, h("time", { datetime: at }, clock(at)), h("span", { class: "mark" })));
}

function queueCard({ queue_position: position, estimated_wait_s: wait }) {
  return h("li", { class: "queue-card", role: "status" },
    h("strong", {}, position ? `You're #${position} in line` : "Connecting you with an agent"),
    h("span", {}, wait ? `Estimated wait: about ${Math.ceil(wait / 60)} min` : "An agent will be with you shortly."));
}

function sameGroup(a, b) {
  return a && b && a.sender.type !== "system" && a.sender.type === b.sender.type && a.sender.id === b.sender.id
    && Date.parse(b.created_at) - Date.parse(a.created_at) < GROUP_GAP_MS;
}

export function mountThread(root) {
  const list = h("ol", { class: "thread", "aria-label": "Conversation" });
  const scroller = root.appendChild(h("div", { class: "scroller" }, list));
  // Pinned to the newest message (images load late) until the reader scrolls away.
  let atBottom = true, own;
  const toBottom = () => { scroller.scrollTop = scroller.scrollHeight; own = scroller.scrollTop; };
  scroller.onscroll = () => {
    if (scroller.scrollTop !== own) atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
    own = null;
  };
  const pinned = new ResizeObserver(() => atBottom && toBottom());
  pinned.observe(scroller);
  pinned.observe(list);

  return (state) => {
    const messages = thread();
    const lastOwn = messages.findLast((message) => message.sender.type === "visitor");
    const items = state.chat?.status === "queued" ? [queueCard(state.chat)] : [];
    messages.forEach((message, index) => {
      const key = `${message.chat_id}:${message.seq}`;
      const node = nodes.get(key) || nodes.set(key, messageNode(message)).get(key);
      const last = !sameGroup(message, messages[index + 1]);
      node.classList.toggle("first", !sameGroup(messages[index - 1], message));
      node.classList.toggle("last", last);
      node.querySelector(".mark").textContent = message === lastOwn && !state.outbox.length
        ? (state.agentReadSeq >= message.seq ? " \u00b7 Seen" : " \u00b7 Sent") : "";
      const face = node.querySelector(":scope > .avatar");
      if (message.sender.type === "agent" && last && !face) node.prepend(avatar(message.sender.name));
      if (face && !last) face.remove();
      items.push(node);
    });
    for (const item of state.outbox) {
      if (item.chat_id !== state.chat?.id) continue;
      const id = item.client_msg_id;
      const node = nodes.get(id) || nodes.set(id, h("li", { class: "msg visitor pending" },
        h("div", { class: "bubble" }, item.body), h("div", { class: "meta" }))).get(id);
      node.lastChild.replaceChildren(item.error ? h("span", { class: "failed" }, `Not sent: ${item.error} `,
        h("button", { class: "link-button", onclick: () => retry(id) }, "Retry"),
        h("button", { class: "link-button", onclick: () => unqueue(id) }, "Delete"))
        : state.connected ? "Sending\u2026" : "Waiting for network\u2026");
      items.push(node);
    }
    if (state.agentTyping) {
      items.push(h("li", { class: "typing", "aria-label": `${state.agentTyping} is typing` }, h("span"), h("span"), h("span")));
    }
    list.replaceChildren(...items);
    if (atBottom || state.outbox.length) {
      toBottom();
      atBottom = true;
    }
  };
}
