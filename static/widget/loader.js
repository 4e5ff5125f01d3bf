/* chatdesk widget loader (served at /widget.js): the launcher, and the chat frame on first open. */
(function () {
  var script = document.currentScript || document.querySelector("script[data-widget-id]");
  var id = script && script.getAttribute("data-widget-id");
  if (!id || (window.Chatdesk && window.Chatdesk.version)) return;
  var base = new URL(".", script.src).href.replace(/\/$/, "");
  var origin = new URL(base).origin;
  var key = "chatdesk:" + id;
  var queued = window.Chatdesk && window.Chatdesk.q instanceof Array ? window.Chatdesk.q : [];
  var handlers = {}, toFrame = [], frame, ready = false, isOpen = false, title = "Chat";

  function remember(patch) {
    try {
      var saved = JSON.parse(localStorage.getItem(key) || "{}");
      if (!patch) return saved;
      for (var name in patch) saved[name] = patch[name];
      localStorage.setItem(key, JSON.stringify(saved));
    } catch (e) { return {}; }
  }

  var host = document.createElement("chatdesk-widget");
  var root = host.attachShadow({ mode: "open" });
  root.innerHTML = "<link rel=stylesheet href='" + base + "/static/widget/launcher.css'>" +
    "<div class=r hidden><div class=p hidden></div><div class=w><div class=g role=status hidden><span></span>" +
    "<button type=button aria-label='Dismiss'>\u2715</button></div><button class=b type=button aria-expanded=false>" +
    "<i class=i1></i><i class=i2></i>" +
    "<span class=n hidden></span></button></div></div>";
  var panel = root.querySelector(".p"), launcher = root.querySelector(".b"), badge = root.querySelector(".n");
  var greeting = root.querySelector(".g"), wrap = root.querySelector(".r");
  root.firstChild.onload = () => { wrap.hidden = false; };

  function emit(name, data) {
    (handlers[name] || []).forEach((fn) => { try { fn(data); } catch (e) { console.error(e); } });
  }
  function post(message) {
    if (ready) frame.contentWindow.postMessage(message, origin);
    else toFrame.push(message);
  }
  function mount() {
    if (frame) return;
    frame = document.createElement("iframe");
    frame.title = title;
    frame.src = base + "/widget/frame/" + id;
    panel.appendChild(frame);
  }
  function setOpen(open, byUser) {
    if (open === isOpen) return;
    isOpen = open;
    mount();
    panel.hidden = !open;
    greeting.hidden = true;
    wrap.classList.toggle("o", open);
    launcher.setAttribute("aria-expanded", open);
    launcher.setAttribute("aria-label", (open ? "Close " : "Open ") + title);
    remember({ open: open, greeted: true });
    post({ chatdesk: "open", open: open });
    if (open) frame.focus();
    else if (byUser) launcher.focus();
    emit(open ? "open" : "close");
  }

  addEventListener("message", (event) => {
    var data = event.data || {};
    if (!frame || event.source !== frame.contentWindow || event.origin !== origin) return;
    if (data.chatdesk === "ready") {
      ready = true;
      frame.contentWindow.postMessage({ chatdesk: "init", page_url: location.href, open: isOpen }, origin);
      toFrame.splice(0).forEach(post);
    } else if (data.chatdesk === "close") setOpen(false, true);
    else if (data.chatdesk === "unread") {
      badge.hidden = !data.count;
      badge.textContent = data.count > 9 ? "9+" : data.count;
      launcher.setAttribute("aria-label", "Open " + title + (data.count ? " (" + data.count + " unread)" : ""));
    } else if (data.chatdesk === "live") remember({ live: data.live });
    else if (data.chatdesk === "event") emit(data.name, data.data);
  });

  launcher.onclick = () => { setOpen(!isOpen, true); };
  greeting.onclick = (event) => {
    if (event.target.tagName === "BUTTON") { greeting.hidden = true; remember({ greeted: true }); }
    else setOpen(true, true);
  };

  var api = {
    version: 1,
    open() { setOpen(true); },
    close() { setOpen(false); },
    identify(who) { post({ chatdesk: "identify", name: who && who.name, email: who && who.email }); },
    on(name, fn) { (handlers[name] = handlers[name] || []).push(fn); }
  };
  window.Chatdesk = api;
  queued.forEach((call) => api[call[0]] && api[call[0]](...call.slice(1)));

  fetch(base + "/api/v1/widgets/" + id + "/settings").then((response) => {
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  }).then((settings) => {
    var hex = settings.color.slice(1), rgb = [0, 2, 4].map((i) => parseInt(hex.substr(i, 2), 16));
    var light = rgb[0] * 0.299 + rgb[1] * 0.587 + rgb[2] * 0.114 > 160;
    title = settings.title;
    host.style.setProperty("--a", settings.color);
    host.style.setProperty("--f", light ? "#09090b" : "#fff");
    wrap.classList.toggle("l", settings.position === "left");
    launcher.setAttribute("aria-label", "Open " + title);
    var saved = remember();
    greeting.firstChild.textContent = settings.greeting;
    greeting.hidden = !settings.greeting || saved.greeted;
    document.body.appendChild(host);
    if (saved.live || saved.open) mount();
    if (saved.open) setOpen(true);
  }).catch((error) => {
    console.warn("chatdesk: widget unavailable here:", error.message);
  });
})();
