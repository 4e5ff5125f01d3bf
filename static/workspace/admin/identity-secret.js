// Admin: a widget's identity secret. The customer's server signs its signed-in user's id with it
// (user_hash = HMAC-SHA256(secret, user_id)), so that the widget treats them as that verified visitor.
import { request } from "/static/workspace/api.js";
import { h, toast } from "/static/workspace/dom.js";
import { confirmDialog, copy } from "/static/workspace/admin/forms.js";
import { t } from "/static/shared/i18n.js";

const HIDDEN = "•".repeat(32);

/** The card: the secret hidden until shown, copy, and rotation (asked first: signed-in visitors lose it). */
export function identityCard(widget) {
  const code = h("code", { "data-testid": "identity-secret" }, HIDDEN);
  const show = h("button", { class: "button secondary small", type: "button", "aria-pressed": "false" },
    t("admin.identity.show"));
  show.addEventListener("click", () => {
    const shown = show.getAttribute("aria-pressed") !== "true";
    show.setAttribute("aria-pressed", String(shown));
    show.textContent = t(shown ? "admin.identity.hide" : "admin.identity.show");
    code.textContent = shown ? widget.identity_secret : HIDDEN;
  });
  const copyButton = h("button", { class: "button secondary small", type: "button",
    onclick: () => copy(widget.identity_secret, copyButton) }, t("admin.common.copy"));
  const rotate = h("button", { class: "button secondary small", type: "button" }, t("admin.identity.rotate"));
  rotate.addEventListener("click", async () => {
    const sure = await confirmDialog(t("admin.identity.rotateTitle"), t("admin.identity.rotateText"),
      t("admin.identity.rotate"));
    if (!sure) return;
    try {
      Object.assign(widget, await request("POST", `/api/v1/widgets/${widget.id}/identity-secret`));
      if (show.getAttribute("aria-pressed") === "true") code.textContent = widget.identity_secret;
      toast(t("admin.identity.rotated"));
    } catch (failure) {
      toast(failure.message, "error");
    }
  });
  return h("section", { class: "card snippet", "aria-labelledby": "identity-title" },
    h("div", { class: "snippet-head" }, h("h2", { id: "identity-title" }, t("admin.identity.title")),
      h("div", { class: "snippet-actions" }, show, copyButton, rotate)),
    h("p", { class: "muted small" }, t("admin.identity.text")),
    h("pre", {}, code));
}
