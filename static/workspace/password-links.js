// Before sign-in: "Forgot your password?" (a link by mail), and the screen a mailed link opens
// (#/reset/<token>, #/invite/<token>) to choose a password; then back to sign-in with the email filled in.
import { request } from "/static/workspace/api.js";
import { h } from "/static/workspace/dom.js";
import { passwordForm } from "/static/workspace/password-form.js";
import { t } from "/static/shared/i18n.js";

const LINK = /^#\/(reset|invite)\/([^/]+)$/;
const SCREENS = {
  reset: () => ({ title: t("chooseNewPassword"), intro: t("resetIntro"), submit: t("saveNewPassword"),
    path: "/api/v1/auth/password-reset/confirm", stale: t("resetStale") }),
  invite: () => ({ title: t("welcome"), intro: t("inviteIntro"), submit: t("saveAndContinue"),
    path: "/api/v1/auth/invitation/accept", stale: t("inviteStale") }),
};

/** The link in the address (`{purpose, token}`), or null. */
export function passwordLink(hash = location.hash) {
  const match = LINK.exec(hash);
  return match ? { purpose: match[1], token: decodeURIComponent(match[2]) } : null;
}

function screenCard(id, title, ...children) {
  document.getElementById("signin").hidden = true;
  document.getElementById(id)?.remove();
  const screen = h("main", { class: "signin", id }, h("div", { class: "card" },
    h("h1", { class: "brand" }, t("brand")), h("h2", { class: "signin-title" }, title), ...children));
  document.body.append(screen);
  return screen;
}

/** Back to the sign-in form, the email filled in and a word on what just happened. */
function backToSignIn(screen, { email = "", notice = "" } = {}) {
  screen.remove();
  history.replaceState(null, "", location.pathname);
  const status = document.getElementById("signin-notice");
  status.textContent = notice;
  status.hidden = !notice;
  document.getElementById("signin").hidden = false;
  if (email) document.getElementById("email").value = email;
  document.getElementById(email ? "password" : "email").focus();
}

const backButton = () => h("button", { class: "button ghost", type: "button",
  onclick: (event) => backToSignIn(event.target.closest("main")) }, t("backToSignIn"));

/** The screen of a mailed link: choose a password (the link works once), then sign in with it. */
export function showPasswordLink({ purpose, token }) {
  const words = SCREENS[purpose]();
  const stale = h("p", { class: "muted small", hidden: true }, words.stale);
  let screen;
  const form = passwordForm({ submitLabel: words.submit,
    save: async (newPassword) => {
      try {
        return await request("POST", words.path, { token, new_password: newPassword });
      } catch (failure) {
        stale.hidden = failure.status !== 400;
        throw failure;
      }
    },
    onChanged: ({ email }) => backToSignIn(screen, { email, notice: t("passwordSaved") }) });
  screen = screenCard("password-link", words.title, h("p", { class: "muted" }, words.intro), form, stale,
    backButton());
  screen.querySelector("input:not([tabindex])").focus();
}

/** "Forgot your password?": an email field; the answer is the same whether or not the account exists. */
export function showForgotPassword() {
  const input = h("input", { id: "forgot-email", name: "email", type: "email", autocomplete: "username",
    required: true, maxlength: 320, value: document.getElementById("email").value.trim() });
  const alert = h("p", { class: "error", role: "alert", hidden: true });
  const submit = h("button", { class: "button primary", type: "submit" }, t("emailMeLink"));
  const form = h("form", { class: "forgot-form", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    alert.hidden = true;
    if (!input.value.includes("@")) {
      alert.textContent = t("enterAccountEmail");
      alert.hidden = false;
      return input.focus();
    }
    submit.setAttribute("aria-busy", "true");
    submit.disabled = true;
    try {
      const { message } = await request("POST", "/api/v1/auth/password-reset", { email: input.value.trim() });
      const done = h("p", { class: "notice", role: "status", tabindex: "-1" }, message);
      form.replaceWith(done);
      done.focus();
    } catch (failure) {
      alert.textContent = failure.status === 429 ? t("tooManyRequests") : failure.message;
      alert.hidden = false;
    } finally {
      submit.removeAttribute("aria-busy");
      submit.disabled = false;
    }
  } },
  h("label", { for: "forgot-email" }, t("email")), input, alert, submit);
  screenCard("forgot-password", t("forgotPassword"),
    h("p", { class: "muted" }, t("forgotIntro")),
    form, backButton());
  input.focus();
}
