/** The emoji picker: a grid of buttons beside the app's toggle; arrows move, Enter picks, Esc closes. */
import { h } from "./dom.js";

const EMOJI = [..."😀😂😊😍🤔😅😢😮😎🙏👍👎👋👏🙌💪🎉🔥✅❌⭐💡📦🚚💳📧📎⏰🙂😉🤝👀"];
const COLUMNS = 8;

/** The grid that `toggle` opens and closes; `onPick(emoji)` inserts the choice. */
export function emojiPicker(toggle, onPick) {
  const buttons = EMOJI.map((emoji, index) => h("button", { class: "emoji", tabindex: index ? -1 : 0, "aria-label": emoji,
    onclick: () => { show(false, false); onPick(emoji); } }, emoji));
  const grid = h("div", { class: "emoji-grid", role: "dialog", "aria-label": "Emoji", hidden: true }, buttons);

  function show(open, refocus = true) {
    grid.hidden = !open;
    toggle.setAttribute("aria-expanded", open);
    if (refocus) (open ? buttons.find((button) => !button.tabIndex) : toggle).focus();
  }
  toggle.setAttribute("aria-expanded", false);
  toggle.onclick = () => show(grid.hidden);
  grid.onkeydown = (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS }[event.key];
    if (event.key === "Escape") {
      event.stopPropagation();
      show(false);
    } else if (step) {
      event.preventDefault();
      const next = buttons[(buttons.indexOf(document.activeElement) + step + buttons.length) % buttons.length];
      buttons.forEach((button) => { button.tabIndex = button === next ? 0 : -1; });
      next.focus();
    }
  };
  document.addEventListener("click", (event) => {
    if (!grid.hidden && !grid.contains(event.target) && !toggle.contains(event.target)) show(false, false);
  });
  return grid;
}
