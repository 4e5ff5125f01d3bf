/** Messages waiting to be sent (localStorage), in order, with their client_msg_id: stored once. */
import { call } from "./api.js";
import { addMessages } from "./chat.js";
import { uuid } from "./dom.js";
import { saveOutbox as save, state } from "./store.js";

const MAX_DELAY_MS = 30000;
let running = null;
let timer = null;
let delay = 1000;

const setError = (clientMsgId, error) => save(state.outbox.map((item) =>
  item.client_msg_id === clientMsgId ? { ...item, error } : item));

/** Queue a message for the current chat and try to send it now. */
export function enqueue(body, attachments = []) {
  save([...state.outbox, {
    client_msg_id: uuid(), chat_id: state.chat.id, body, attachments, created_at: new Date().toISOString(),
  }]);
  flush();
}

export function retry(clientMsgId) {
  setError(clientMsgId, null);
  flush();
}

/** Send what waits, in order; on a network failure, later. */
export function flush() {
  running ??= drain().finally(() => { running = null; });
  return running;
}

async function drain() {
  clearTimeout(timer);
  for (;;) {
    const item = state.outbox.find((candidate) => !candidate.error);
    if (!item) return;
    try {
      const { message } = await call("POST", `/chats/${item.chat_id}/messages`, {
        client_msg_id: item.client_msg_id, body: item.body, attachment_ids: item.attachments.map((file) => file.id),
      });
      delay = 1000;
      addMessages([message]);
    } catch (error) {
      if (error.retryable) {
        timer = setTimeout(flush, Math.max(delay, error.retryAfter * 1000));
        delay = Math.min(delay * 2, MAX_DELAY_MS);
        return;
      }
      setError(item.client_msg_id, error.message);
    }
  }
}
