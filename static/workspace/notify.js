// Getting the agent's attention: a sound, "(2) chatdesk" in the tab title while hidden, desktop notifications.
import { on, state } from "/static/workspace/store.js";
import { t } from "/static/shared/i18n.js";

let unseen = 0;
let audio = null;

/** A short two-tone chime (Web Audio, no file). `<html data-last-sound>` records what played, for tests. */
function playSound(kind) {
  if (!state.agent?.preferences?.sound) return;
  document.documentElement.dataset.lastSound = kind;
  document.documentElement.dataset.sounds = String(Number(document.documentElement.dataset.sounds || 0) + 1);
  try {
    audio ||= new AudioContext();
    const start = audio.currentTime;
    for (const [offset, pitch] of [[0, 660], [0.12, kind === "offer" ? 880 : 784]]) {
      const tone = audio.createOscillator(), gain = audio.createGain();
      tone.frequency.value = pitch;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.15, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.25);
      tone.connect(gain).connect(audio.destination);
      tone.start(start + offset);
      tone.stop(start + offset + 0.3);
    }
  } catch { /* no audio device: the badge and notification still tell */ }
}

function showDesktop(title, body) {
  if (!state.agent?.preferences?.desktop_notifications || !("Notification" in window)) return;
  if (Notification.permission === "granted") new Notification(title, { body, tag: "chatdesk" });
}

/** Ask for desktop notifications; call from a click (browsers refuse otherwise). */
export async function askDesktopPermission() {
  if (!("Notification" in window)) return "unsupported";
  return Notification.permission === "default" ? Notification.requestPermission() : Notification.permission;
}

function attention(title, body, kind) {
  playSound(kind);
  if (!document.hidden) return;
  unseen += 1;
  document.title = `(${unseen}) ${t("brand")}`;
  showDesktop(title, body);
}

export function startNotifications() {
  on("offer", (chat) => attention(t("newChatOffered"), t("isWaiting", { name: chat.visitor.name || t("aVisitor") }), "offer"));
  on("message", (message) => {
    const chat = state.chats.get(message.chat_id);
    if (message.sender.type !== "visitor" || chat?.agent?.id !== state.agent.id) return;
    if (document.hidden || state.route.id !== chat.id) attention(message.sender.name || t("visitor"), message.body, "message");
  });
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) return;
    unseen = 0;
    document.title = t("brand");
  });
}
