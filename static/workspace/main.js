// Workspace start-up and shell: sign-in, the signed-in layout, the hash router's views, drawers.
import { request, signIn, signOut } from "/static/workspace/api.js";
import { mountChatList } from "/static/workspace/chatlist.js";
import { forgetLocalData } from "/static/workspace/composer.js";
import { closeConversation, openConversation } from "/static/workspace/conversation.js";
import { h, stateView } from "/static/workspace/dom.js";
import { connectEvents, loadChats } from "/static/workspace/events.js";
import { startNotifications } from "/static/workspace/notify.js";
import { mountPresence } from "/static/workspace/prefs.js";
import { mountQueue } from "/static/workspace/queue.js";
import { navigate, startRouter } from "/static/workspace/router.js";
import { on, setAgent, setDepartments, state } from "/static/workspace/store.js";
import { showTickets } from "/static/workspace/tickets.js";

const $ = (id) => document.getElementById(id);

function showSignIn() {
  $("app").hidden = true;
  $("signin").hidden = false;
  $("email").focus();
}

async function showApp(agent) {
  setAgent(agent);
  setDepartments((await request("GET", "/api/v1/departments")).departments);
  mountPresence($("presence"), $("presence-dot"), $("prefs-open"));
  mountQueue($("queue"));
  mountChatList($("my-chats"), $("chat-search"));
  startNotifications();
  await loadChats();
  connectEvents();
  startRouter();
  $("nav-admin").hidden = agent.role !== "admin";
  $("agent-name").textContent = agent.name;  // last: the app is ready once it shows who is signed in
  $("signin").hidden = true;
  $("app").hidden = false;
}

async function mountAdmin(root, route) {
  if (state.agent.role !== "admin") {
    root.replaceChildren(stateView("Admins only", "Your account cannot open the admin console.",
      h("a", { class: "button secondary", href: "#/" }, "Back to chats")));
    return;
  }
  root.replaceChildren(stateView("Loading the admin console…", ""));
  try {
    const admin = await import("/static/workspace/admin/index.js");
    if (state.route !== route) return;
    root.replaceChildren();
    await admin.mountAdmin(root, { agent: state.agent, navigate });
  } catch (failure) {
    console.error(failure);
    root.replaceChildren(stateView("The admin console could not load",
      "Reload the page to try again. If it keeps failing, the admin console may not be installed on this server.",
      h("button", { class: "button secondary", type: "button", onclick: () => location.reload() }, "Reload")));
  }
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
  $("visitor-panel").replaceChildren();
  if (route.view === "admin") mountAdmin(root, route);
  else if (route.view === "tickets") showTickets(root, route.id);
  else if (route.id) openConversation(root, $("visitor-panel"), route.id);
  else {
    root.replaceChildren(stateView("No chat open", "Pick a chat on the left, or accept one from the queue."));
    $("visitor-panel").replaceChildren(h("div", { class: "visitor" }, h("p", { class: "muted" },
      "Open a chat to see who you are talking to: their page, browser, pre-chat answers, past chats and tickets.")));
  }
}

function showConnection(connection) {
  const banner = $("banner");
  banner.hidden = connection !== "reconnecting";
  banner.textContent = "Connection lost. Reconnecting… messages you send will go out once it is back.";
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
    await signIn($("email").value.trim(), $("password").value);
    showApp(await request("GET", "/api/v1/agents/me"));
  } catch (failure) {
    error.textContent = failure.status === 429 ? "Too many attempts. Wait a few minutes and try again."
      : failure.status === 422 ? "Enter your email and password." : failure.message;
    error.hidden = false;
  } finally {
    button.removeAttribute("aria-busy");
  }
});

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

request("GET", "/api/v1/agents/me").then(showApp, showSignIn);
