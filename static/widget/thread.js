/** The conversation: queue card, grouped messages, pending sends, typing, "Seen". */
import { linkify } from "../shared/links.js";
import { blobUrl, download } from "./api.js";
import { ICONS, avatar, clock, fileSize, formatDate, h, icon, said, t } from "./dom.js";
import { retry } from "./outbox.js";
import { thread, unqueue } from "./store.js";

const GROUP_GAP_MS = 5 * 60 * 1000;
const nodes = new Map();  // "chat:seq" or client_msg_id -> element: renders move nodes, never rebuild them
const kept = (key, make) => nodes.get(key) || nodes.set(key, make()).get(key);

function attachmentView(file) {
  const onclick = () => download(file.url, file.name);
  if (!file.thumbnail_url) {
    return h("button", { class: "file-card", onclick },
      icon(ICONS.file), h("span", {}, h("span", { class: "file-name" }, file.name),
        h("small", {}, `${fileSize(file.size)} \u00b7 ${t("download")}`)));
  }
  const image = h("img", { class: "thumb", alt: file.name });
  blobUrl(file.thumbnail_url).then((url) => { image.src = url; }, () => { image.alt = t("notAvailable", file); });
  return h("button", { class: "image-link", "aria-label": t("downloadName", file), onclick }, image);
}

function messageNode(message) {
  const { sender, body, attachments, created_at: at } = message;
  return h("li", { class: `msg ${sender.type}` }, h("div", { class: "sender" }, sender.name),
    attachments.some((file) => file.name === body) ? null : h("div", { class: "bubble" }, linkify(said(message))),  // not a file's name
    attachments.map(attachmentView),
    h("div", { class: "meta" }, h("time", { datetime: at, title: `${formatDate(at, "full")} ${clock(at)}` }, clock(at)), h("span", { class: "mark" })));
}

function queueCard({ queue_position: position, estimated_wait_s: wait }) {
  return h("li", { class: "queue-card", role: "status" },
    h("strong", {}, position ? t("inLine", { position }) : t("connecting")),
    h("span", {}, wait ? t("wait", { minutes: Math.ceil(wait / 60) }) : t("shortly")));
}

function sameGroup(a, b) {
  return a && b && a.sender.type !== "system" && a.sender.type === b.sender.type && a.sender.id === b.sender.id
    && Date.parse(b.created_at) - Date.parse(a.created_at) < GROUP_GAP_MS;
}

export function mountThread(root) {
  const list = h("ol", { class: "thread", "aria-label": t("conversation") });
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
      const node = kept(`${message.chat_id}:${message.seq}`, () => messageNode(message));
      const last = !sameGroup(message, messages[index + 1]);
      node.classList.toggle("first", !sameGroup(messages[index - 1], message));
      node.classList.toggle("last", last);
      node.querySelector(".mark").textContent = message === lastOwn && !state.outbox.length
        ? ` \u00b7 ${t(state.agentReadSeq >= message.seq ? "seen" : "sent")}` : "";
      const face = node.querySelector(":scope > .avatar");
      if (message.sender.type === "agent" && last && !face) node.prepend(avatar(message.sender.name));
      if (face && !last) face.remove();
      items.push(node);
    });
    for (const item of state.outbox) {
      if (item.chat_id !== state.chat?.id) continue;
      const id = item.client_msg_id;
      const node = kept(id, () => h("li", { class: "msg visitor pending" },
        h("div", { class: "bubble" }, linkify(item.body)), h("div", { class: "meta" })));
      node.lastChild.replaceChildren(item.error ? h("span", { class: "failed" }, `${t("notSent", item)} `,
        h("button", { class: "link-button", onclick: () => retry(id) }, t("retry")),
        h("button", { class: "link-button", onclick: () => unqueue(id) }, t("delete")))
        : t(state.connected ? "sending" : "offline"));
      items.push(node);
    }
    if (state.agentTyping) {
      items.push(h("li", { class: "typing", "aria-label": t("typing", { name: state.agentTyping }) }, h("span"), h("span"), h("span")));
    }
    list.replaceChildren(...items);
    if (atBottom || state.outbox.length) {
      toBottom();
      atBottom = true;
    }
  };
}
