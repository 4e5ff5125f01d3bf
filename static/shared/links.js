/** Text with its web addresses (http, https, www.) as links: strings for text, `a` elements, no HTML. */
import { h } from "./dom.js";

// Ends on a letter, digit or / or on a closed bracket: "(see www.x.org/a_(b))." links www.x.org/a_(b).
const ADDRESS = /\b((?:https?:\/\/|www\.)(?:[^\s<>"()]*(?:\([^\s<>"()]*\)|[^\s<>"'.,;:!?()[\]{}]))+)/i;

export const linkify = (text) => text.split(ADDRESS).map((part, index) => (index % 2
  ? h("a", { href: /^www/i.test(part) ? `https://${part}` : part, target: "_blank", rel: "noopener noreferrer" }, part)
  : part));
