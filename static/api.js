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

// `headers`: more request headers (an Idempotency-Key, say).
export async function api(method, path, body, { form, headers: extra = {} } = {}) {
  // The server answers errors in the language asked for.
  const headers = { ...extra, Accept: "application/json", "Accept-Language": currentLanguage() };
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
  // The service worker answers from its copy when the network is gone (static/sw.js), and says when it was kept.
  const keptAt = response.headers.get("X-Ecabinet-Cached-At");
  connection(keptAt ? { offline: true, at: new Date(keptAt) } : { offline: false });
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

// Uploading files (multipart, each file in a part named `file`) with XMLHttpRequest, whose upload.onprogress
// fetch() lacks: `onProgress(fraction)` follows the transfer. Resolves with the JSON answer, rejects with ApiError
// (413 too large, 415 not a PDF, …) or, when the connection fails, with a TypeError as fetch() would.
export function upload(path, files, fields = {}, onProgress = () => {}) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && value !== null && value !== "") form.append(name, value);
  }
  for (const file of files) form.append("file", file, file.name);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("Accept-Language", currentLanguage());
    xhr.setRequestHeader("X-CSRF-Token", csrfToken);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      connection({ offline: false });
      let data = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError(data, xhr.status));
    };
    xhr.onerror = () => reject(new TypeError("upload failed"));
    xhr.onabort = () => reject(new TypeError("upload aborted"));
    xhr.send(form);
  });
}

export const get = (path) => api("GET", path);
export const post = (path, body) => api("POST", path, body);
export const patch = (path, body) => api("PATCH", path, body);
export const put = (path, body) => api("PUT", path, body);
export const del = (path) => api("DELETE", path);
