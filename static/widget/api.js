/** The widget's calls to chatdesk's API (same origin as the frame), with the visitor's token. */
import { state } from "./store.js";

export class ApiError extends Error {
  constructor(status, body) {
    const error = body?.error || {};
    super(error.message || (status ? `Request failed (${status}).` : "You seem to be offline."));
    this.status = status;
    this.code = error.code;
    this.fields = error.fields || {};
    this.retryAfter = 0;
  }

  /** Worth trying again later: the network, the server, or a rate limit. */
  get retryable() {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

function headers(json) {
  const result = json ? { "Content-Type": "application/json" } : {};
  if (state.saved.token) result.Authorization = `Bearer ${state.saved.token}`;
  return result;
}

/** JSON in, JSON out; a network failure is an ApiError with status 0. */
export async function call(method, path, body) {
  let response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method, headers: headers(body !== undefined), body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, null);
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    error.retryAfter = Number(response.headers.get("Retry-After") || 0);
    throw error;
  }
  return data;
}

/** Upload a file to the chat, reporting progress (0..1); resolves to the attachment. */
export function upload(chatId, file, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", `/api/v1/chats/${chatId}/attachments`);
    for (const [name, value] of Object.entries(headers(false))) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    request.onload = () => {
      let data = null;
      try { data = JSON.parse(request.responseText); } catch { /* not JSON: keep the status */ }
      if (request.status === 201) resolve(data.attachment);
      else reject(new ApiError(request.status, data));
    };
    request.onerror = () => reject(new ApiError(0, null));
    const form = new FormData();
    form.append("file", file, file.name || "pasted-image.png");
    request.send(form);
  });
}

/** A protected file (attachment, thumbnail, transcript) as a blob: URL, fetched with the token. */
const blobs = new Map();
export function blobUrl(url) {
  if (!blobs.has(url)) {
    blobs.set(url, fetch(url, { headers: headers(false) }).then((response) => {
      if (!response.ok) throw new ApiError(response.status, null);
      return response.blob();
    }).then((blob) => URL.createObjectURL(blob)).catch((error) => {
      blobs.delete(url);
      throw error;
    }));
  }
  return blobs.get(url);
}

/** Save a protected file under `name`. */
export async function download(url, name) {
  const link = Object.assign(document.createElement("a"), { href: await blobUrl(url), download: name });
  link.click();
}
