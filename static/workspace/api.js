// The workspace's calls to the chatdesk API: session cookie plus the CSRF header on writes.
// Sign-in sets the CSRF token in a cookie this origin's script reads, so every tab of the session has it.
import { request as send, upload as sendFile } from "../shared/api.js";

const CSRF_COOKIE = "chatdesk_csrf";

function csrfToken() {
  const cookie = document.cookie.split("; ").find((pair) => pair.startsWith(`${CSRF_COOKIE}=`));
  return cookie ? cookie.slice(CSRF_COOKIE.length + 1) : "";
}

/** A call to the API (a full path); writes carry the CSRF header. */
export const request = (method, path, body) => send(method, path, body,
  method === "GET" ? {} : { "X-CSRF-Token": csrfToken() });

export async function signIn(email, password) {
  return (await request("POST", "/api/v1/auth/login", { email, password })).agent;
}

export async function signOut() {
  await request("POST", "/api/v1/auth/logout");
}

/** Upload a file to a chat with progress (`onProgress(fraction)`); resolves to the attachment. */
export const upload = (chatId, file, onProgress) => sendFile(chatId, file, { "X-CSRF-Token": csrfToken() }, onProgress);
