// The workspace's calls to the chatdesk API: session cookie plus the CSRF header on writes.
// Sign-in sets the CSRF token in a cookie this origin's script reads, so every tab of the session has it.
const CSRF_COOKIE = "chatdesk_csrf";

function csrfToken() {
  const cookie = document.cookie.split("; ").find((pair) => pair.startsWith(`${CSRF_COOKIE}=`));
  return cookie ? cookie.slice(CSRF_COOKIE.length + 1) : "";
}

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message || `Request failed (${status})`);
    this.status = status;
    this.code = error?.code;
    this.fields = error?.fields;
  }
}

export async function request(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  const response = await fetch(path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data.error);
  return data;
}

export async function signIn(email, password) {
  return (await request("POST", "/api/v1/auth/login", { email, password })).agent;
}

export async function signOut() {
  await request("POST", "/api/v1/auth/logout");
}

/** Upload a file to a chat with progress (`onProgress(fraction)`); resolves to the attachment. */
export function upload(chatId, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/chats/${chatId}/attachments`);
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    xhr.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    xhr.onload = () => {
      let data = {};
      try { data = JSON.parse(xhr.responseText); } catch { /* not JSON: reported by status below */ }
      if (xhr.status === 201) resolve(data.attachment);
      else reject(new ApiError(xhr.status, data.error));
    };
    xhr.onerror = () => reject(new ApiError(0, { message: "The upload was cut off; check your connection." }));
    const form = new FormData();
    form.append("file", file);
    xhr.send(form);
  });
}
