// The single page: the header, the signed-in session, and a hash router over the screens.

import { ApiError, del, get, patch, setCsrfToken } from "/static/api.js";
import { currentLanguage, setLanguage, storedLanguage, t } from "/static/i18n.js";
import { showEditor } from "/static/screens/editor.js";
import { showImport } from "/static/screens/import.js";
import { showMeeting } from "/static/screens/meeting.js";
import { showMeetings } from "/static/screens/meetings.js";
import { showSignIn } from "/static/screens/signin.js";

export const session = { user: null };

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
      signedOut();
      return;
    }
    toast(`${t(`error.${error.code}`)}: ${error.message}`);
  } else {
    toast(t("error.network"));
  }
}

export function signedIn(body) {
  session.user = body.user;
  setCsrfToken(body.csrf_token);
  document.getElementById("who").textContent = body.user.name;
  document.getElementById("signout").hidden = false;
  document.getElementById("topnav").hidden = false;
  document.getElementById("nav-import").hidden = !["admin", "secretariat"].includes(body.user.role);
}

function signedOut() {
  session.user = null;
  setCsrfToken("");
  document.getElementById("who").textContent = "";
  document.getElementById("signout").hidden = true;
  document.getElementById("topnav").hidden = true;
  showSignIn(view);
}

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

async function route() {
  if (!session.user) {
    showSignIn(view);
    return;
  }
  const path = location.hash.replace(/^#/, "") || "/";
  let match;
  try {
    if ((match = path.match(/^\/meetings\/(\d+)\/edit$/))) await showEditor(view, Number(match[1]));
    else if ((match = path.match(/^\/meetings\/(\d+)$/))) await showMeeting(view, Number(match[1]));
    else if (path === "/new") await showEditor(view, null);
    else if (path === "/import") await showImport(view);
    else await showMeetings(view);
  } catch (error) {
    report(error);
  }
}

async function start() {
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", async () => {
      await setLanguage(button.dataset.lang);
      if (session.user) patch("/api/me", { language: button.dataset.lang }).catch(() => {});
      route();
    });
  }
  document.getElementById("signout").addEventListener("click", async () => {
    try {
      await del("/api/session");
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) report(error);
    }
    location.hash = "#/";
    signedOut();
  });
  window.addEventListener("hashchange", route);
  let me = null;
  try {
    me = await get("/api/me");
  } catch (error) {
    if (!(error instanceof ApiError)) report(error);
  }
  await setLanguage(storedLanguage() || (me && me.language) || "vi", { remember: false });
  if (me) signedIn(me);
  route();
}

export function afterSignIn(body) {
  signedIn(body);
  const preferred = storedLanguage() || body.language;
  if (preferred !== currentLanguage()) setLanguage(preferred, { remember: false }).then(route);
  else route();
}

start();
