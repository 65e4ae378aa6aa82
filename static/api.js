// The HTTP API: JSON in and out, the session cookie, and the X-CSRF-Token header on every change.

import { currentLanguage } from "/static/i18n.js";

let csrfToken = "";

export class ApiError extends Error {
  constructor(body, status) {
    super(body && body.message ? body.message : `HTTP ${status}`);
    this.status = status;
    this.code = body && body.error ? body.error : "error";
    this.body = body || {};
  }
}

export function setCsrfToken(token) {
  csrfToken = token || "";
}

// The last answer to each read, so that a tablet whose Wi-Fi drops during the meeting can still show the
// agenda and the participants it has loaded. Kept in memory only, and forgotten at sign-out.
const lastRead = new Map();

export function forgetReads() {
  lastRead.clear();
}

// Tells the page when it is showing remembered data ({offline: true, at}) and when it is live again.
function connection(detail) {
  window.dispatchEvent(new CustomEvent("ecabinet:connection", { detail }));
}

export async function api(method, path, body, { form } = {}) {
  // The server answers errors in the language asked for.
  const headers = { Accept: "application/json", "Accept-Language": currentLanguage() };
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
  let payload;
  if (form) payload = form;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
  } catch (error) {
    const remembered = method === "GET" ? lastRead.get(path) : undefined;
    if (remembered === undefined) throw error;
    connection({ offline: true, at: remembered.at });
    return remembered.data;
  }
  connection({ offline: false });
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(data, response.status);
  if (method === "GET") lastRead.set(path, { data, at: new Date() });
  return data;
}

export const get = (path) => api("GET", path);
export const post = (path, body) => api("POST", path, body);
export const patch = (path, body) => api("PATCH", path, body);
export const del = (path) => api("DELETE", path);
