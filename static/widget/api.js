/** Calls to chatdesk's API (the frame's own origin) with the visitor's token. */
import { ApiError, request, upload as send } from "../shared/api.js";
import { h } from "./dom.js";
import { state } from "./store.js";

const auth = () => (state.saved.token ? { Authorization: `Bearer ${state.saved.token}` } : {});

export const call = (method, path, body) => request(method, `/api/v1${path}`, body, auth());

export const upload = (chatId, file, onProgress) => send(chatId, file, auth(), onProgress);

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
