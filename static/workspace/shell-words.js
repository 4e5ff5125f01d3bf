// The HTML shell's words: index.html names each one's key, `data-t` for an element's text and
// `data-t-<attribute>` for that attribute (aria-label, title, placeholder); tests/test_workspace_words.py
// checks those keys against the catalogue.
import { t } from "/static/shared/i18n.js";

/** Fill the shell's words from the active catalogue. */
export function translateShell(root) {
  for (const element of root.querySelectorAll("*")) {
    for (const { name, value } of [...element.attributes]) {  // a copy: setAttribute adds to the live list
      if (name === "data-t") element.textContent = t(value);
      else if (name.startsWith("data-t-")) element.setAttribute(name.slice("data-t-".length), t(value));
    }
  }
}
