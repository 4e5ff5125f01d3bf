// "Choose a new password": after a sign-in with a one-time password (an admin's reset, the first admin's
// printed one) this screen comes before the workspace; the API answers nothing else until it is done.
import { request, signOut } from "/static/workspace/api.js";
import { h } from "/static/workspace/dom.js";
import { passwordForm } from "/static/workspace/password-form.js";
import { t } from "/static/shared/i18n.js";

/** Show the screen; resolves with the agent once they chose a password. `oneTime`: the password they
    signed in with, if this page has it (else they type it again). */
export function choosePassword(agent, oneTime = null) {
  return new Promise((resolve) => {
    const screen = h("main", { class: "signin", id: "choose-password" });
    const form = passwordForm({ email: agent.email, current: oneTime, currentLabel: t("oneTimePassword"),
      submitLabel: t("saveAndContinue"), onChanged: async () => {
        screen.remove();
        resolve(await request("GET", "/api/v1/agents/me"));
      } });
    screen.append(h("div", { class: "card" },
      h("h1", { class: "brand" }, t("brand")),
      h("h2", { class: "signin-title" }, t("chooseNewPassword")),
      h("p", { class: "muted" }, t("oneTimeIntro", { email: agent.email })),
      form,
      h("button", { class: "button ghost", type: "button", onclick: async () => {
        await signOut().catch(() => {});
        location.reload();
      } }, t("signOut"))));
    document.getElementById("signin").hidden = true;
    document.getElementById("app").hidden = true;
    document.body.append(screen);
    screen.querySelector("input:not([tabindex])").focus();
  });
}
