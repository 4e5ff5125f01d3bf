/** The event stream (SSE): resumes after the last id, fills gaps over REST, says when it is down. */
import { call } from "./api.js";
import { addMessages, applyChat, fillGap, setAgentTyping } from "./chat.js";
import { flush } from "./outbox.js";
import { state, update } from "./store.js";

const MAX_DELAY_MS = 15000;
let source = null;
let lastEventId = null;
let retryTimer = null;
let delay = 1000;

const onChat = ({ chat }) => applyChat(chat);
const HANDLERS = {
  ready() {},
  resync: catchUp,
  "message.created": ({ message }) => addMessages([message], true),
  "message.read": ({ chat_id: chatId, reader, seq }) => {
    if (reader.type === "agent" && chatId === state.chat?.id) update({ agentReadSeq: Math.max(state.agentReadSeq, seq) });
  },
  typing: ({ chat_id: chatId, who, typing, expires_in_s: seconds }) => {
    if (who.type === "agent" && chatId === state.chat?.id) setAgentTyping(typing ? who.name : null, seconds || 6);
  },
  "chat.assigned": onChat,
  "chat.transferred": onChat,
  "chat.ended": onChat,
  // A late, stale place never reopens the queue.
  "chat.queued": (data) => [undefined, "queued"].includes(state.chat?.status) && onChat(data),
};

/** Open the visitor's stream once; `force` replaces one that is down or still trying to reconnect. */
export function connect(force = false) {
  if (!state.saved.token || (source && !force) || source?.readyState === EventSource.OPEN) return;
  source?.close();
  clearTimeout(retryTimer);
  const query = new URLSearchParams({ access_token: state.saved.token });
  if (lastEventId) query.set("last_event_id", lastEventId);
  source = new EventSource(`/api/v1/events?${query}`);
  source.onopen = () => {
    delay = 1000;
    update({ connected: true });
    catchUp();
  };
  source.onerror = () => {
    update({ connected: false });
    if (source.readyState === EventSource.CLOSED) {  // the browser gave up: we keep trying
      retryTimer = setTimeout(connect, delay, true);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  };
  for (const [type, handle] of Object.entries(HANDLERS)) {
    source.addEventListener(type, (event) => {
      if (event.lastEventId) lastEventId = event.lastEventId;
      handle(JSON.parse(event.data || "{}"));
    });
  }
}

/** After a (re)connect or resync: chat state, missed messages, then the outbox. */
async function catchUp() {
  try {
    if (!state.chat) return;
    applyChat((await call("GET", `/chats/${state.chat.id}`)).chat);
    await fillGap();
  } catch {
    /* the stream's next reconnect tries again */
  } finally {
    flush();
  }
}

addEventListener("online", () => {
  if (source?.readyState !== EventSource.OPEN) return connect(true);
  update({ connected: true });  // the stream outlived the outage: check what it may have missed
  catchUp();
});
addEventListener("offline", () => update({ connected: false }));
