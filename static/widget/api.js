/** Calls to chatdesk's API (the frame's own origin) with the visitor's token. */
import { ApiError, request, upload as send } from "../shared/api.js";
import { h } from "./dom.js";
import { state } from "./store.js";

// `pre`: the visitor a greeting registered, completed by the pre-chat form.
const auth = (token = state.saved.token || state.saved.pre) => (token ? { Authorization: `Bearer ${token}` } : {});

export const call = (method, path, body) => request(method, `/api/v1${path}`, body, auth());

export const upload = (chatId, file, onProgress) => send(chatId, file, auth(), onProgress);

/** A protected file fetched with the token, as a blob: URL. */
const blobs = new Map();
export function blobUrl(url) {
  if (!blobs.has(url)) {
    blobs.set(url, fetch(url, { headers: auth() }).then((r) => {
      if (!r.ok) throw new ApiError(r.status);
      return r.blob();
    }).then(URL.createObjectURL).catch((error) => {
      blobs.delete(url);
      throw error;
    }));
  }
  return blobs.get(url);
}

export const download = async (url, name) => h("a", { href: await blobUrl(url), download: name }).click();
