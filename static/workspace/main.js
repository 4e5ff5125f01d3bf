// Workspace start-up: sign-in form, then the signed-in shell with presence and sign-out.
import { request, signIn, signOut } from "/static/workspace/api.js";

const $ = (id) => document.getElementById(id);

function showSignIn() {
  $("app").hidden = true;
  $("signin").hidden = false;
  $("email").focus();
}

function showApp(agent) {
  $("signin").hidden = true;
  $("app").hidden = false;
  $("agent-name").textContent = agent.name;
  $("presence").value = agent.status;
  $("presence-dot").dataset.status = agent.status;
}

$("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = event.submitter;
  const error = $("signin-error");
  error.hidden = true;
  button.setAttribute("aria-busy", "true");
  try {
    showApp(await signIn($("email").value.trim(), $("password").value));
  } catch (failure) {
    error.textContent = failure.status === 429 ? "Too many attempts. Wait a few minutes and try again."
      : failure.status === 422 ? "Enter your email and password." : failure.message;
    error.hidden = false;
  } finally {
    button.removeAttribute("aria-busy");
  }
});

$("presence").addEventListener("change", async (event) => {
  const agent = await request("PUT", "/api/v1/agents/me/status", { status: event.target.value });
  $("presence-dot").dataset.status = agent.status;
});

$("signout").addEventListener("click", async () => {
  await signOut();
  showSignIn();
});

request("GET", "/api/v1/agents/me").then(showApp, showSignIn);
