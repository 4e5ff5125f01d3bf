// Presence (the header switch, and auto-away after the idle time) and the preferences dialog.
import { request } from "/static/workspace/api.js";
import { h, toast } from "/static/workspace/dom.js";
import { myQuickResponses } from "/static/workspace/my-quick-responses.js";
import { askDesktopPermission } from "/static/workspace/notify.js";
import { on, setAgent, state } from "/static/workspace/store.js";
import { t } from "/static/shared/i18n.js";

const IDLE_CHECK_MS = 15000;
let lastActivity = Date.now();
let autoAway = false;

export async function setStatus(status) {
  const agent = await request("PUT", "/api/v1/agents/me/status", { status });
  setAgent({ ...state.agent, ...agent });
}

function watchIdle() {
  const active = () => {
    lastActivity = Date.now();
    if (autoAway && state.agent.status === "away") {
      autoAway = false;
      setStatus("online").catch(() => {});
    }
  };
  for (const type of ["pointerdown", "pointermove", "keydown", "focus"]) addEventListener(type, active, { passive: true });
  setInterval(() => {
    const minutes = state.agent.preferences?.idle_minutes ?? 10;  // 0: never go away by itself
    if (minutes > 0 && state.agent.status === "online" && Date.now() - lastActivity > minutes * 60000) {
      autoAway = true;
      setStatus("away").then(() => toast(t("nowAway")), () => {});
    }
  }, IDLE_CHECK_MS);
}

function openPreferences() {
  const prefs = state.agent.preferences || {};
  const maxChats = h("input", { id: "pref-max-chats", type: "number", min: "0", max: "100", value: String(state.agent.max_chats ?? prefs.max_chats ?? 3) });
  const idle = h("input", { id: "pref-idle", type: "number", min: "0", max: "240", value: String(prefs.idle_minutes ?? 10),
    "aria-describedby": "pref-idle-hint" });
  const sound = h("input", { id: "pref-sound", type: "checkbox", checked: prefs.sound !== false });
  const desktop = h("input", { id: "pref-desktop", type: "checkbox", checked: Boolean(prefs.desktop_notifications) });
  const mail = h("input", { id: "pref-mail", type: "checkbox", checked: Boolean(prefs.email_notifications) });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  desktop.addEventListener("change", async () => {  // a click: the one moment browsers let us ask
    if (desktop.checked && (await askDesktopPermission()) !== "granted") {
      desktop.checked = false;
      error.textContent = t("notificationsRefused");
      error.hidden = false;
    }
  });
  const form = h("form", {}, h("h2", {}, t("preferences")),
    h("div", { class: "field" }, h("label", { for: "pref-max-chats" }, t("chatsAtOnce")), maxChats),
    h("div", { class: "field" }, h("label", { for: "pref-idle" }, t("idleMinutes")), idle,
      h("span", { class: "muted small", id: "pref-idle-hint" }, t("idleHint"))),
    h("label", { class: "check", for: "pref-sound" }, sound, t("soundPreference")),
    h("label", { class: "check", for: "pref-desktop" }, desktop, t("desktopPreference")),
    h("label", { class: "check", for: "pref-mail" }, mail, t("mailPreference")),
    myQuickResponses(),
    error,
    h("div", { class: "actions" }, h("button", { class: "button secondary", type: "button", onclick: () => dialog.close() }, t("cancel")),
      h("button", { class: "button primary", type: "submit" }, t("save"))));
  const dialog = h("dialog", { "aria-label": t("preferences") }, form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const agent = await request("PATCH", "/api/v1/agents/me/preferences", {
        max_chats: Number(maxChats.value), idle_minutes: Number(idle.value), sound: sound.checked,
        desktop_notifications: desktop.checked, email_notifications: mail.checked });
      setAgent({ ...state.agent, ...agent });
      dialog.close();
      toast(t("preferencesSaved"));
    } catch (failure) {
      error.textContent = failure.fields ? Object.values(failure.fields).join(" ") : failure.message;
      error.hidden = false;
    }
  });
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

export function mountPresence(select, dot, prefsButton) {
  const show = () => {
    select.value = state.agent.status;
    dot.dataset.status = state.agent.status;
  };
  on("agent", show);
  show();
  select.addEventListener("change", () => {
    autoAway = false;
    setStatus(select.value).catch((failure) => { toast(failure.message, "error"); show(); });
  });
  prefsButton.addEventListener("click", openPreferences);
  watchIdle();
}
