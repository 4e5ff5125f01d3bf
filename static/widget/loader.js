/* chatdesk's loader: launcher, chat frame, window.Chatdesk. */
(() => {
  const script = document.currentScript || document.querySelector("script[data-widget-id]");
  const id = script?.dataset.widgetId;
  if (!id || window.Chatdesk?.version) return;
  const base = new URL(".", script.src).href.replace(/\/$/, "");
  const origin = new URL(base).origin;
  const key = "chatdesk:" + id;
  const queued = window.Chatdesk?.q || [];
  const handlers = {}, toFrame = [];
  let frame, ready = false, isOpen = false, title = "Chat", words = {};

  // Our state, and the frame's ("key|name") when its own storage is blocked.
  const store = (name, value) => {
    try {
      if (value === undefined) return localStorage[name];
      localStorage[name] = value;
    } catch { /* storage off: forget */ }
  };
  const saved = () => JSON.parse(store(key) || "{}");
  const remember = (patch) => store(key, JSON.stringify(Object.assign(saved(), patch)));

  const host = document.createElement("chatdesk-widget");
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = "<link rel=stylesheet href='" + base + "/static/widget/launcher.css'>" +
    "<div class=r hidden><div class=p hidden></div><div class=w><div class=g role=status hidden><span></span>" +
    "<button type=button>✕</button></div><button class=b type=button aria-expanded=false>" +
    "<i></i><span class=n hidden></span></button></div></div>";
  const $ = (s) => root.querySelector(s);
  const panel = $(".p"), launcher = $(".b"), badge = $(".n"), greeting = $(".g"), wrap = $(".r");
  root.firstChild.onload = () => { wrap.hidden = false; };

  const emit = (name, data) => (handlers[name] || []).forEach((fn) => setTimeout(fn, 0, data));
  const post = (message) => (ready ? frame.contentWindow.postMessage(message, origin) : toFrame.push(message));
  // The launcher's words come with the settings, in the widget's language ({count}: unread messages).
  const label = (key, count) => launcher.setAttribute("aria-label", (words[key] || title).replace("{count}", count));
  function mount() {
    if (frame) return;
    frame = document.createElement("iframe");
    frame.title = title;
    frame.src = base + "/widget/frame/" + id;
    panel.appendChild(frame);
  }
  function setOpen(open, byUser, quiet) {
    if (open === isOpen) return;
    isOpen = open;
    mount();
    panel.hidden = !open;
    greeting.hidden = true;
    wrap.classList.toggle("o", open);
    launcher.setAttribute("aria-expanded", open);
    label(open ? "close" : "open");
    remember({ open, greeted: true });
    post({ chatdesk: "open", open });
    if (open) quiet || frame.focus();
    else if (byUser) launcher.focus();
    emit(open ? "open" : "close");
  }

  addEventListener("message", (e) => {
    const data = e.data || {};
    if (!frame || e.source !== frame.contentWindow || e.origin !== origin) return;
    const type = data.chatdesk;
    if (type === "ready") {
      const stored = {};
      try {
        for (const name in localStorage) if (!name.indexOf(key + "|")) stored[name.slice(key.length + 1)] = store(name);
      } catch { /* none */ }
      ready = true;
      toFrame.unshift({ chatdesk: "init", page_url: location.href, open: isOpen, stored });
      toFrame.splice(0).forEach(post);
    } else if (type === "open") setOpen(data.open, !data.open, 1);
    else if (type === "unread") {
      badge.hidden = !data.count;
      badge.textContent = data.count > 9 ? "9+" : data.count;
      if (!isOpen) label(data.count ? "unread" : "open", data.count);
    } else if (type === "live") remember({ live: data.live });
    else if (type === "store") store(key + "|" + data.key, data.value);
    else if (type === "event") emit(data.name, data.data);
  });

  launcher.onclick = () => setOpen(!isOpen, true);
  greeting.onclick = (event) => {
    if (event.target.tagName !== "BUTTON") return setOpen(true, true);
    greeting.hidden = true;
    remember({ greeted: true });
  };

  const api = window.Chatdesk = {
    version: 1,
    open: () => setOpen(true),
    close: () => setOpen(false),
    identify: (who) => post({ ...who, chatdesk: "identify" }),
    on: (name, fn) => (handlers[name] ||= []).push(fn),
  };
  queued.forEach(([name, ...args]) => api[name]?.(...args));

  fetch(base + "/api/v1/widgets/" + id + "/settings").then((r) => {
    if (!r.ok) throw Error("HTTP " + r.status);
    return r.json();
  }).then((settings) => {
    title = settings.title;
    host.style.cssText = "--a:" + settings.color + ";--f:" + settings.color_text;
    words = settings.launcher;
    wrap.dir = settings.dir;
    wrap.classList.toggle("l", settings.position === "left");
    greeting.lastChild.setAttribute("aria-label", words.dismiss);
    label(isOpen ? "close" : "open");
    greeting.firstChild.textContent = settings.greeting;
    const state = saved();
    greeting.hidden = !settings.greeting || state.greeted;
    document.body.appendChild(host);
    if (state.live || settings.triggers[0]) mount();
    if (state.open) setOpen(true);
  }).catch((error) => console.warn("chatdesk:", error.message));
})();
