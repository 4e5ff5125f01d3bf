/** chatdesk's API: JSON calls, uploads with progress, and ApiError (status 0: offline). */
import { t } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, body, retryAfter = 0) {
    const { message, code, fields } = body?.error || {};
    super(message || (status ? t("requestFailed", { status }) : t("youreOffline")));
    Object.assign(this, { status, code, fields, retryAfter });
  }

  /** Worth a retry: the network, the server, or a rate limit. */
  get retryable() {
    return !this.status || this.status === 429 || this.status >= 500;
  }
}

export async function request(method, url, body, headers) {
  const response = await fetch(url, {
    method, body: body && JSON.stringify(body), headers: { ...headers, ...(body && { "Content-Type": "application/json" }) },
  }).catch(() => { throw new ApiError(0); });
  const data = await response.json().catch(() => null);
  if (response.ok) return data;
  throw new ApiError(response.status, data, +response.headers.get("Retry-After"));
}

export const upload = (chatId, file, headers, onProgress) => new Promise((resolve, reject) => {
  const xhr = new XMLHttpRequest();
  xhr.open("POST", `/api/v1/chats/${chatId}/attachments`);
  for (const name in headers) xhr.setRequestHeader(name, headers[name]);
  xhr.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
  xhr.responseType = "json";
  xhr.onload = () => (xhr.status === 201 ? resolve(xhr.response.attachment) : reject(new ApiError(xhr.status, xhr.response)));
  xhr.onerror = () => reject(new ApiError(0));
  const form = new FormData();
  form.append("file", file, file.name || "pasted-image.png");
  xhr.send(form);
});
