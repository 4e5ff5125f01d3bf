// A chat's rating by its visitor (good or bad, with their comment), as the header and the visitor panel show it.
import { h, icon } from "/static/workspace/dom.js";
import { t } from "/static/shared/i18n.js";

/** The rating as a small chip ("Rated good"), or null before the visitor rates. */
export function ratingChip(chat) {
  if (!chat?.rating) return null;
  return h("span", { class: "rating", dataset: { score: chat.rating } },
    icon(chat.rating === "good" ? "thumbUp" : "thumbDown"), t(chat.rating === "good" ? "ratedGood" : "ratedBad"));
}

/** The visitor panel's section: the chip and the whole comment; null before the visitor rates. */
export function ratingSection(chat) {
  if (!chat?.rating) return null;
  return h("section", { class: "rating-section", "aria-label": t("rating") }, h("h3", {}, t("rating")), ratingChip(chat),
    chat.rating_comment ? h("blockquote", {}, chat.rating_comment) : h("p", { class: "muted small" }, t("noComment")));
}
