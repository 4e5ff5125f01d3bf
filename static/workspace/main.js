// Workspace start-up and shell: sign-in, the signed-in layout, the hash router's views, drawers.
import { mountAccount } from "/static/workspace/account.js";
import { request, signIn, signOut } from "/static/workspace/api.js";
import { mountChatList } from "/static/workspace/chatlist.js";
import { forgetLocalData } from "/static/workspace/composer.js";
import { closeConversation, openConversation } from "/static/workspace/conversation.js";
import { h, stateView } from "/static/workspace/dom.js";
import { connectEvents, loadChats } from "/static/workspace/events.js";
import { choosePassword } from "/static/workspace/first-password.js";
import { closeLive, showLive, supervises } from "/static/workspace/live.js";
import { passwordLink, showForgotPassword, showPasswordLink } from "/static/workspace/password-links.js";
import { showHistory } from "/static/workspace/history.js";
import { startNotifications } from "/static/workspace/notify.js";
import { exchangeToken, redirectedToken, signInWithSupabase, supabaseProvider } from "/static/workspace/supabase-signin.js";
import { mountPresence } from "/static/workspace/prefs.js";
import { mountQueue } from "/static/workspace/queue.js";
import { showReports } from "/static/workspace/reports.js";
import { navigate, startRouter } from "/static/workspace/router.js";
import { on, setAgent, setDepartments, state } from "/static/workspace/store.js";
import { mountTicketCount } from "/static/workspace/ticket-count.js";
import { showTickets } from "/static/workspace/tickets.js";
import english from "/static/workspace/english.js";
import { translateShell } from "/static/workspace/shell-words.js";
import { t, useCatalogue } from "/static/shared/i18n.js";

useCatalogue(english, "/static/workspace/i18n");
translateShell(document);

const $ = (id) => document.getElementById(id);

let supabase = null;

async function showSignIn() {
  $("app").hidden = true;
  $("signin").hidden = false;
  $("email").focus();
  supabase = await supabaseProvider();
  if (!supabase) return;
  $("supabase-submit").textContent = t("signInWith", { provider: supabase.name });
  $("supabase-hint").textContent = t("signInHint", { provider: supabase.name });
  $("signin-supabase").hidden = false;
}

async function showApp(agent) {
  setAgent(agent);
  setDepartments((await request("GET", "/api/v1/departments")).departments);
  mountPresence($("presence"), $("presence-dot"), $("prefs-open"));
  mountAccount($("account-open"), $("agent-name"));
  mountQueue($("queue"));
  mountChatList($("my-chats"), $("chat-search"));
  startNotifications();
  await loadChats();
  mountTicketCount($("nav-tickets-count"));
  connectEvents();
  startRouter();
  $("nav-admin").hidden = agent.role !== "admin";
  $("nav-live").hidden = !supervises(agent);
  $("nav-reports").hidden = !supervises(agent);
  $("agent-name").textContent = agent.name;  // last: the app is ready once it shows who is signed in
  $("signin").hidden = true;
  $("app").hidden = false;
}

/** Signed in: a one-time password is replaced first ("Choose a new password"), then the workspace opens. */
async function enter(agent, oneTimePassword = null) {
  await showApp(agent.must_change_password ? await choosePassword(agent, oneTimePassword) : agent);
}

async function mountAdmin(root, route) {
  if (state.agent.role !== "admin") {
    root.replaceChildren(stateView(t("adminsOnly"), t("adminsOnlyText"),
      h("a", { class: "button secondary", href: "#/" }, t("backToChats"))));
    return;
  }
  root.replaceChildren(stateView(t("adminLoading"), ""));
  try {
    const admin = await import("/static/workspace/admin/index.js");
    if (state.route !== route) return;
    root.replaceChildren();
    await admin.mountAdmin(root, { agent: state.agent, navigate });
  } catch (failure) {
    console.error(failure);
    root.replaceChildren(stateView(t("adminFailed"), t("adminFailedText"),
      h("button", { class: "button secondary", type: "button", onclick: () => location.reload() }, t("reload"))));
  }
}

function mountReports(root) {
  if (!["supervisor", "admin"].includes(state.agent.role)) {
    root.replaceChildren(stateView(t("supervisorsOnly"), t("supervisorsOnlyText"),
      h("a", { class: "button secondary", href: "#/" }, t("backToChats"))));
    return;
  }
  showReports(root);
}

function showRoute(route) {
  const root = $("main");
  $("workspace").dataset.view = route.view;
  delete $("workspace").dataset.drawer;
  for (const link of document.querySelectorAll(".nav a")) {
    if (link.dataset.view === route.view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  root.classList.remove("fixed");
  $("panel-toggle").hidden = route.view !== "chats";
  closeConversation();
  closeLive();
  $("visitor-panel").replaceChildren();
  if (route.view === "admin") mountAdmin(root, route);
  else if (route.view === "reports") mountReports(root);
  else if (route.view === "tickets") showTickets(root, route.id);
  else if (route.view === "live") showLive(root, route.id);
  else if (route.view === "history") showHistory(root, route.id, route.query);
  else if (route.id) openConversation(root, $("visitor-panel"), route.id);
  else {
    root.replaceChildren(stateView(t("noChat"), t("noChatText")));
    $("visitor-panel").replaceChildren(h("div", { class: "visitor" }, h("p", { class: "muted" }, t("panelHint"))));
  }
}

function showConnection(connection) {
  const banner = $("banner");
  banner.hidden = connection !== "reconnecting";
  banner.textContent = t("connectionLost");
}

function toggleDrawer(name) {
  const workspace = $("workspace");
  if (workspace.dataset.drawer === name) delete workspace.dataset.drawer;
  else workspace.dataset.drawer = name;
  $("rail-toggle").setAttribute("aria-expanded", String(workspace.dataset.drawer === "rail"));
  $("panel-toggle").setAttribute("aria-expanded", String(workspace.dataset.drawer === "panel"));
}

/** Phones: the search icon lays the field over the bar and opens the chats drawer, where the matches show. */
function openSearch() {
  $("topbar").dataset.searching = "";
  $("search-open").setAttribute("aria-expanded", "true");
  if ($("workspace").dataset.drawer !== "rail") toggleDrawer("rail");
  $("chat-search").focus();
}

function closeSearch() {
  delete $("topbar").dataset.searching;
  $("search-open").setAttribute("aria-expanded", "false");
}

/** Phones: the account menu (preferences, who is signed in, sign-out); closes on Esc, outside clicks and a choice. */
function setAccountMenu(open) {
  if (open) $("profile-menu").dataset.open = "";
  else delete $("profile-menu").dataset.open;
  $("profile-open").setAttribute("aria-expanded", String(open));
}

on("route", showRoute);

$("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = event.submitter;
  const error = $("signin-error");
  error.hidden = true;
  button.setAttribute("aria-busy", "true");
  try {
    const password = $("password").value;
    if (button.id === "supabase-submit") {
      await signInWithSupabase(supabase, $("email").value.trim(), password);
      enter(await request("GET", "/api/v1/agents/me"));
      return;
    }
    await signIn($("email").value.trim(), password);
    enter(await request("GET", "/api/v1/agents/me"), password);
  } catch (failure) {
    error.textContent = failure.status === 429 ? t("tooManyAttempts")
      : failure.status === 422 ? t("enterCredentials") : failure.message;
    error.hidden = false;
  } finally {
    button.removeAttribute("aria-busy");
  }
});

$("forgot-open").addEventListener("click", showForgotPassword);

$("signout").addEventListener("click", async () => {
  await signOut();
  forgetLocalData();
  location.hash = "";
  location.reload();
});

$("rail-toggle").addEventListener("click", () => toggleDrawer("rail"));
$("panel-toggle").addEventListener("click", () => toggleDrawer("panel"));
$("scrim").addEventListener("click", () => toggleDrawer($("workspace").dataset.drawer));
$("search-open").addEventListener("click", openSearch);
$("chat-search").addEventListener("blur", closeSearch);
$("chat-search").addEventListener("keydown", (event) => { if (event.key === "Escape") $("chat-search").blur(); });
$("profile-open").addEventListener("click", () => setAccountMenu(!("open" in $("profile-menu").dataset)));
$("profile-menu").addEventListener("click", () => setAccountMenu(false));
document.addEventListener("click", (event) => {
  if (!event.target.closest("#profile-menu, #profile-open")) setAccountMenu(false);
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && "open" in $("profile-menu").dataset) {
    setAccountMenu(false);
    $("profile-open").focus();
  }
});

on("connection", showConnection);

// A mailed link opened in a tab of the workspace starts it afresh, on the link's screen.
addEventListener("hashchange", () => { if (passwordLink()) location.reload(); });

/** A mailed link's screen; or, Supabase redirected back with a token: exchange it first (a refused one
 * is said on the sign-in page). */
async function start() {
  if (passwordLink()) return showPasswordLink(passwordLink());
  const token = redirectedToken();
  if (token) {
    try {
      await exchangeToken(token);
    } catch (failure) {
      await showSignIn();
      $("signin-error").textContent = failure.message;
      $("signin-error").hidden = false;
      return;
    }
  }
  request("GET", "/api/v1/agents/me").then(enter, showSignIn);
}

start();
