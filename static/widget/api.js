/** Calls to chatdesk's API (the frame's own origin) with the visitor's token. */
import { h } from "./dom.js";
import { state } from "./store.js";

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || (status ? `Request failed (${status}).` : "You seem to be offline."));
    Object.assign(this, { status, code: body?.error?.code, fields: body?.error?.fields || {}, retryAfter: 0 });
  }

  /** Worth trying again later: the network, the server, or a rate limit. */
  get retryable() {
    return !this.status || this.status === 429 || this.status >= 500;
  }
}

const auth = () => (state.saved.token ? { Authorization: `Bearer ${state.saved.token}` } : {});

/** JSON in, JSON out; a network failure is an ApiError with status 0. */
export async function call(method, path, body) {
  const response = await fetch(`/api/v1${path}`, {
    method, body: body && JSON.stringify(body), headers: { ...auth(), ...(body && { "Content-Type": "application/json" }) },
  }).catch(() => { throw new ApiError(0); });
  const data = await response.json().catch(() => null);
  if (response.ok) return data;
  const error = new ApiError(response.status, data);
  error.retryAfter = Number(response.headers.get("Retry-After")) || 0;
  throw error;
}

/** Upload a file to the chat, reporting progress (0..1); resolves to the attachment. */
export function upload(chatId, file, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", `/api/v1/chats/${chatId}/attachments`);
    for (const [name, value] of Object.entries(auth())) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => onProgress(event.loaded / event.total);
    request.responseType = "json";  // null when the body is not JSON
    request.onload = () => (request.status === 201 ? resolve(request.response.attachment)
      : reject(new ApiError(request.status, request.response)));
    request.onerror = () => reject(new ApiError(0));
    const form = new FormData();
    form.append("file", file, file.name || "pasted-image.png");
    request.send(form);
  });
}

/** A protected file (attachment, thumbnail, transcript) fetched with the token, as a blob: URL. */
const blobs = new Map();
export function blobUrl(url) {
  if (!blobs.has(url)) {
    blobs.set(url, fetch(url, { headers: auth() }).then((response) => {
      if (!response.ok) throw new ApiError(response.status);
      return response.blob();
    }).then((blob) => URL.createObjectURL(blob)).catch((error) => {
      blobs.delete(url);
      throw error;
    }));
  }
  return blobs.get(url);
}

export const download = async (url, name) => h("a", { href: await blobUrl(url), download: name }).click();
