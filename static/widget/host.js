/** The bridge to the loader on the host page (postMessage), and the live region. */

let hostOrigin = null;
const early = [];

/** Tell the loader; held until we know its origin. */
export function tellHost(type, data = {}) {
  if (window.parent === window) return;
  if (!hostOrigin) early.push([type, data]);
  else window.parent.postMessage({ chatdesk: type, ...data }, hostOrigin);
}

/** Listen to the loader: init, open/close, identify. */
export function listenToHost({ onInit, onOpen, onIdentify }) {
  addEventListener("message", (event) => {
    if (event.source !== window.parent || !event.data?.chatdesk) return;
    const data = event.data;
    if (data.chatdesk === "init") {
      hostOrigin = event.origin;
      early.splice(0).forEach(([type, payload]) => tellHost(type, payload));
      onInit(data);
      onOpen(data.open);
    } else if (event.origin !== hostOrigin) {
      return;
    } else if (data.chatdesk === "open") {
      onOpen(data.open);
    } else if (data.chatdesk === "identify") {
      onIdentify(data);
    }
  });
  window.parent.postMessage({ chatdesk: "ready" }, "*");
}

/** Say `text` in the polite live region. */
export const announce = (text) => { document.getElementById("announcer").textContent = text; };
