// The single page: the header, the signed-in session, and a hash router over the screens.

import { ApiError, del, forgetReads, get, patch, setCsrfToken } from "/static/api.js";
import { h } from "/static/dom.js";
import { currentLanguage, formatTime, has, preloadLanguages, setLanguage, storedLanguage, t } from "/static/i18n.js";
import { live } from "/static/live.js";
import { forgetOfflineCopies } from "/static/reader/offline-copy.js";
import { forgetAnnotations, outboxFor } from "/static/reader/outbox.js";
import { hearTaskReminders } from "/static/record/task-reminders.js";
import { showBriefing } from "/static/screens/briefing.js";
import { showEditor } from "/static/screens/editor.js";
import { showImport } from "/static/screens/import.js";
import { showMeeting } from "/static/screens/meeting.js";
import { showMeetings } from "/static/screens/meetings.js";
import { showReader } from "/static/screens/reader.js";
import { showSignIn } from "/static/screens/signin.js";
import { showSubmissions } from "/static/screens/submissions.js";
import { showTasks } from "/static/screens/tasks.js";
import { showViewer } from "/static/screens/viewer.js";
import { userMessage } from "/static/user-channel.js";
import { hearPollReminders } from "/static/votes/reminders.js";

export const session = { user: null };

const MAY_IMPORT = new Set(["admin", "secretariat"]);
const view = document.getElementById("view");

export function toast(message, kind = "error") {
  const box = document.getElementById("toast");
  box.textContent = message;
  box.className = `toast ${kind}`;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

// Show what went wrong: the server's message for refusals, a generic text otherwise.
export function report(error) {
  if (error instanceof ApiError) {
    if (error.status === 401) {
      // A late answer to a request made before signing out: the sign-in form is already there.
      if (!session.user) return;
      // The session ended (signed out elsewhere, expired): sign in again, then come back to this page.
      signedOut();
      show(showSignIn);
      return;
    }
    const kind = has(`error.${error.code}`) ? t(`error.${error.code}`) : t("error.error");
    toast(`${kind}: ${error.message}`);
  } else {
    // fetch() rejects with a TypeError when the network is down; anything else is a bug worth seeing.
    console.error(error);
    toast(t("error.network"));
  }
}

// What the screen on show must undo when the user leaves it (stop following a channel, say).
let leaving = [];

export function onLeave(undo) {
  leaving.push(undo);
}

function leave() {
  for (const undo of leaving.splice(0)) undo();
}

let onMeetingsList = false;

function signedIn(body) {
  session.user = body.user;
  live.start();
  // The user's own channel: told when their list of meetings changes (invited, a meeting published).
  // Screens and components hear the rest of it through user-channel.js (an upload's progress, a paper returned).
  live.follow(`user:${body.user.id}`, {
    onEvent: (event) => {
      if (event.type === "meetings.changed" && onMeetingsList) route();
      userMessage(event);
    },
    onVolatile: userMessage,
  });
  setCsrfToken(body.csrf_token);
  // Annotations written on this tablet without a network, on an earlier visit, go now (static/reader/outbox.js).
  outboxFor(body.user.id);
  const who = document.getElementById("who");
  who.textContent = body.user.name;
  who.title = body.user.title || "";
  document.getElementById("signout").hidden = false;
  document.getElementById("topnav").hidden = false;
  document.getElementById("nav-import").hidden = !MAY_IMPORT.has(body.user.role);
  tasksLink();
  // Departments' staff see their papers' page when their unit presents an item in a meeting being prepared.
  const papers = document.getElementById("nav-submissions");
  papers.hidden = true;
  get("/api/submissions").then((rows) => {
    if (session.user && session.user.id === body.user.id) papers.hidden = rows.length === 0;
  }).catch(() => {});
}

// Every signed-in user has the tasks page (their unit's tasks; the secretariat's overview), after the papers' link.
function tasksLink() {
  if (document.getElementById("nav-tasks")) return;
  const link = h("a", { href: "#/tasks", id: "nav-tasks", "data-testid": "nav-tasks", "data-i18n": "tasks.nav",
    text: t("tasks.nav") });
  document.getElementById("nav-submissions").after(link);
}

function signedOut() {
  session.user = null;
  leave();
  live.stop();
  setCsrfToken("");
  forgetReads();
  // The briefing packs kept on this tablet were this user's to read, not the next one's.
  forgetOfflineCopies().catch(() => {});
  // So are the annotations heard; edits not yet sent stay, to go once their author signs in here again.
  forgetAnnotations().catch(() => {});
  document.getElementById("who").textContent = "";
  document.getElementById("signout").hidden = true;
  document.getElementById("topnav").hidden = true;
  document.getElementById("nav-submissions").hidden = true;
}

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

// Moves within the app since the page loaded: "back" returns within the app when there is somewhere to return to.
let moves = 0;

export function goBack(fallback) {
  if (moves > 0) history.back();
  else go(fallback);
}

// Each screen draws into a fresh container that replaces the page only if no later navigation began
// meanwhile: a slow answer for a page the user has left must not paint over the page they went to.
let shown = 0;

async function show(render, ...args) {
  const ticket = ++shown;
  leave();
  onMeetingsList = render === showMeetings;
  const slot = h("div", { class: "screen" });
  // The page being left stays until the next is ready, dimmed (after a moment) to show that it is coming.
  view.setAttribute("aria-busy", "true");
  try {
    await render(slot, ...args);
  } catch (error) {
    if (ticket === shown) {
      view.removeAttribute("aria-busy");
      report(error);
    }
    return;
  }
  if (ticket !== shown) return;
  view.removeAttribute("aria-busy");
  view.replaceChildren(slot);
  slot.querySelector("[data-autofocus]")?.focus();
}

function route() {
  if (!session.user) return show(showSignIn);
  const path = location.hash.replace(/^#/, "") || "/";
  let match;
  if ((match = path.match(/^\/meetings\/(\d+)\/edit$/))) return show(showEditor, Number(match[1]));
  if ((match = path.match(/^\/meetings\/(\d+)$/))) return show(showMeeting, Number(match[1]));
  if ((match = path.match(/^\/meetings\/(\d+)\/briefing$/))) return show(showBriefing, Number(match[1]));
  if ((match = path.match(/^\/meetings\/(\d+)\/pack(?:\/(\d+)\/(\d+))?$/))) {
    return show(showReader, Number(match[1]), match[2] ? Number(match[2]) : null, match[3] ? Number(match[3]) : null);
  }
  if (path === "/new") return show(showEditor, null);
  if (path === "/import") return show(showImport);
  if ((match = path.match(/^\/documents\/(\d+)$/))) return show(showViewer, Number(match[1]));
  if (path === "/submissions") return show(showSubmissions);
  if (path === "/tasks") return show(showTasks);
  return show(showMeetings);
}

async function start() {
  hearPollReminders(toast);
  hearTaskReminders(toast);
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", async () => {
      const language = button.dataset.lang;
      try {
        await setLanguage(language);
      } catch (error) {
        report(error);
        return;
      }
      // The account remembers the choice for the user's other devices; this browser already has it.
      if (session.user) patch("/api/me", { language }).catch(report);
      route();
    });
  }
  document.getElementById("signout").addEventListener("click", async () => {
    try {
      await del("/api/session");
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) report(error);
    }
    signedOut();
    go("#/");
  });
  window.addEventListener("hashchange", () => {
    moves += 1;
    route();
  });
  // A PDF dropped beside a drop zone would make the browser leave the app to show it.
  for (const type of ["dragover", "drop"]) {
    window.addEventListener(type, (event) => {
      if (event.dataTransfer && [...event.dataTransfer.types].includes("Files")) event.preventDefault();
    });
  }
  window.addEventListener("ecabinet:signed-out", () => {
    if (!session.user) return;
    signedOut();
    show(showSignIn);
  });
  // The live connection's state: shown only when it has been down for a moment (a blip is not news).
  let liveTimer = null;
  window.addEventListener("ecabinet:live", ({ detail }) => {
    const banner = document.getElementById("live-status");
    clearTimeout(liveTimer);
    if (detail.connected) {
      banner.hidden = true;
      return;
    }
    liveTimer = setTimeout(() => {
      if (!session.user) return;
      banner.textContent = t("live.reconnecting");
      banner.hidden = false;
    }, 1500);
  });
  window.addEventListener("ecabinet:connection", ({ detail }) => {
    const banner = document.getElementById("offline");
    banner.hidden = !detail.offline;
    if (detail.offline) banner.textContent = t("offline.banner", { time: formatTime(detail.at.toISOString()) });
  });
  let me = null;
  try {
    me = await get("/api/me");
  } catch (error) {
    if (!(error instanceof ApiError)) report(error);
  }
  await setLanguage(storedLanguage() || (me && me.language) || "vi", { remember: false });
  if (me) signedIn(me);
  route();
  preloadLanguages();
}

export async function afterSignIn(body) {
  signedIn(body);
  const preferred = storedLanguage() || body.language;
  if (preferred !== currentLanguage()) await setLanguage(preferred, { remember: false });
  route();
}

start();
