// The emoji picker: a small grid of common emoji, keyboard reachable, Esc closes it.
import { h } from "/static/workspace/dom.js";

const EMOJI = ["😀", "😄", "😊", "🙂", "😉", "😍", "🤔", "😅", "😂", "🙏", "👍", "👎", "👋", "👏", "🙌", "💪",
  "🎉", "✅", "❌", "⚠️", "❤️", "💡", "📦", "🚚", "💳", "🔒", "📧", "📞", "⏳", "🕒", "🔥", "⭐"];

/** Open the picker above the composer; `onPick(emoji)` inserts it. Returns a close function. */
export function openEmojiPicker(anchor, onPick, onClose) {
  const close = () => { grid.remove(); onClose(); };
  const grid = h("div", { class: "popover emoji-grid", role: "dialog", "aria-label": "Emoji" },
    EMOJI.map((emoji) => h("button", { type: "button", "aria-label": emoji, onclick: () => { onPick(emoji); close(); } }, emoji)));
  grid.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.stopPropagation(); close(); }
  });
  anchor.append(grid);
  grid.querySelector("button").focus();
  return close;
}
