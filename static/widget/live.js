/** The visitor's events: what each does, catching up over REST, the stream's state. */
import { eventStream } from "../shared/stream.js";
import { call } from "./api.js";
import { addMessages, applyChat, fillGap, setAgentTyping } from "./chat.js";
import { flush } from "./outbox.js";
import { state, update } from "./store.js";

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

export const connect = eventStream(HANDLERS, {
  query: () => ({ access_token: state.saved.token }),
  onOpen: () => { update({ connected: true }); catchUp(); },
  onDown: () => update({ connected: false }),
});

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
