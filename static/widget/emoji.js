/** The built-in emoji picker: a grid of buttons; arrow keys move, Enter picks, Esc closes. */
import { ICONS, h, icon } from "./dom.js";

const EMOJI = "😀 😂 😊 😍 🤔 😅 😢 😮 😎 🙏 👍 👎 👋 👏 🙌 💪 ❤️ 🎉 🔥 ✅ ❌ ⭐ 💡 📦 🚚 💳 📧 📎 ⏰ 🙂 😉 🤝".split(" ");
const COLUMNS = 8;

/** A toggle button and its popover; `onPick(emoji)` inserts the choice. */
export function emojiPicker(onPick) {
  const grid = h("div", { class: "emoji-grid", role: "group", "aria-label": "Emoji", hidden: true });
  const toggle = h("button", { class: "icon-button", type: "button", "aria-label": "Insert emoji",
    "aria-expanded": "false", "aria-haspopup": "true" }, icon(ICONS.smile));
  const buttons = EMOJI.map((emoji, index) => h("button", {
    type: "button", class: "emoji", tabindex: index ? -1 : 0, "aria-label": emoji,
    onclick: () => { onPick(emoji); close(); },
  }, emoji));
  grid.append(...buttons);

  function close(refocus = true) {
    if (grid.hidden) return;
    grid.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    if (refocus) toggle.focus();
  }
  toggle.addEventListener("click", () => {
    if (!grid.hidden) return close();
    grid.hidden = false;
    toggle.setAttribute("aria-expanded", "true");
    buttons.find((button) => button.tabIndex === 0).focus();
  });
  grid.addEventListener("keydown", (event) => {
    const index = buttons.indexOf(document.activeElement);
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS }[event.key];
    if (event.key === "Escape") {
      event.stopPropagation();
      close();
    } else if (step && index >= 0) {
      event.preventDefault();
      const next = buttons[(index + step + buttons.length) % buttons.length];
      buttons.forEach((button) => { button.tabIndex = button === next ? 0 : -1; });
      next.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (!grid.contains(event.target) && !toggle.contains(event.target)) close(false);
  });
  return { toggle, grid };
}
