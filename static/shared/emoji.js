/** The emoji picker: arrows move, Enter picks, Esc or a click elsewhere closes. */
import { h } from "./dom.js";

const EMOJI = [..."😀😂😊😍🤔😅😢😮😎🙏👍👎👋👏🙌💪🎉🔥✅❌⭐💡📦🚚💳📧📎⏰🙂😉🤝👀"];
const STEPS = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 8, ArrowUp: -8 };  // 8 a row

export function emojiPicker(onPick, label, face, gridLabel = "Emoji") {
  const toggle = h("button", { class: "icon-button", "aria-label": label, "aria-haspopup": "dialog", "aria-expanded": "false",
    onclick: () => show(grid.hidden) }, face);
  const buttons = EMOJI.map((emoji, index) => h("button", { class: "emoji", tabindex: index ? -1 : 0, "aria-label": emoji,
    onclick: () => { show(false, false); onPick(emoji); } }, emoji));
  const grid = h("div", { class: "emoji-grid", role: "dialog", "aria-label": gridLabel, hidden: true, onkeydown }, buttons);
  const outside = ({ target }) => grid.contains(target) || toggle.contains(target) || show(false, false);

  function show(open, refocus = true) {
    grid.hidden = !open;
    toggle.setAttribute("aria-expanded", open);
    document[`${open ? "add" : "remove"}EventListener`]("click", outside);
    if (refocus) (open ? buttons.find((button) => !button.tabIndex) : toggle).focus();
  }
  function onkeydown(event) {
    const step = STEPS[event.key];
    if (event.key === "Escape") {
      event.stopPropagation();
      show(false);
    } else if (step) {
      event.preventDefault();
      const next = buttons.at((buttons.indexOf(document.activeElement) + step) % buttons.length);
      buttons.forEach((button) => { button.tabIndex = button === next ? 0 : -1; });
      next.focus();
    }
  }
  return { toggle, grid };
}
