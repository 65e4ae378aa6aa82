// A tablet's copy of a meeting's briefing pack for reading without a network: the app shell, the pack, and each
// page of the public and internal papers (image at the reader's width, thumbnail, text), kept in the caches that
// the service worker (static/sw.js) serves from. Once a tablet has asked for it, the copy follows the pack: when its
// version changes the new pages are fetched and the replaced documents' pages dropped. How far it got is told to
// the secretariat (POST /api/meetings/{id}/pack/status).

import { post } from "/static/api.js";
import { offlinePages } from "/static/reader/pack.js";

// Shared with static/sw.js.
const SHELL = "ecabinet-shell";
const DATA = "ecabinet-data";
const PAGES = "ecabinet-pages";
const CACHED_AT = "X-Ecabinet-Cached-At";

const DEVICE_KEY = "ecabinet.device";
const RECORD_PREFIX = "ecabinet.offline.";
const PARALLEL_FETCHES = 4;
const REPORT_EVERY_MS = 2000;
const DOCUMENT_PATH = /\/api\/documents\/(\d+)\/pages\/\d+(\.jpg\?width=(\d+)|\/text)$/;

// One id per browser, kept: the secretariat's list shows each tablet once however often it reports.
export function deviceId() {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = crypto.randomUUID();
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

function deviceLabel() {
  const ua = navigator.userAgent;
  const system = [["iPad", /iPad/], ["iPhone", /iPhone/], ["Android", /Android/], ["Windows", /Windows/],
    ["macOS", /Mac OS X/], ["Linux", /Linux/]].find(([, pattern]) => pattern.test(ua));
  return [system ? system[0] : "", `${screen.width}×${screen.height}`].filter(Boolean).join(" · ").slice(0, 100);
}

// The service worker may serve all of the app (scope "/": the server allows it with Service-Worker-Allowed).
export async function registerWorker() {
  if (!("serviceWorker" in navigator)) return null;
  try {
    return await navigator.serviceWorker.register("/static/sw.js", { scope: "/" });
  } catch (error) {
    console.warn("service worker not registered:", error);
    return null;
  }
}

function storable(response) {
  return response.ok && !/no-store/i.test(response.headers.get("Cache-Control") || "");
}

// A kept answer says when it was kept, as the service worker's own copies do.
function kept(body, type) {
  return new Response(body, { headers: { "Content-Type": type, [CACHED_AT]: new Date().toISOString() } });
}

const copies = new Map();

// The copy of one meeting's pack; the same object for the whole session, so a download goes on across screens.
export function offlineCopy(meetingId) {
  if (!copies.has(meetingId)) copies.set(meetingId, new OfflineCopy(meetingId));
  return copies.get(meetingId);
}

// Signing out forgets every copy: the next person to use the tablet must not read what this one could.
export async function forgetOfflineCopies() {
  for (const copy of copies.values()) copy.cancelled = true;
  copies.clear();
  for (const key of Object.keys(localStorage)) if (key.startsWith(RECORD_PREFIX)) localStorage.removeItem(key);
  if ("caches" in window) await Promise.all([caches.delete(DATA), caches.delete(PAGES)]);
}

class OfflineCopy extends EventTarget {
  constructor(meetingId) {
    super();
    this.meetingId = meetingId;
    this.key = `${RECORD_PREFIX}${meetingId}`;
    this.record = JSON.parse(localStorage.getItem(this.key) || "null");
    this.phase = this.record ? (this.record.complete ? "ready" : "partial") : "none";
    this.done = this.record ? this.record.pages_cached : 0;
    this.total = this.record ? this.record.pages_total : 0;
    this.running = null;
    this.cancelled = false;
  }

  // Asked for on this tablet before: the reader keeps it up to date each time it opens the pack.
  get wanted() {
    return this.record !== null;
  }

  // The width the copy's images were fetched at (the reader falls back to it when the network is gone).
  get width() {
    return this.record ? this.record.width : null;
  }

  // Fetch what the copy lacks for this version of the pack; resolves when done (or failed: see `phase`).
  keep(pack, width) {
    if (this.running && this.running.version === pack.version) return this.running.promise;
    const run = { version: pack.version };
    run.promise = this.run(pack, this.record ? this.record.width : width).finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run.promise;
  }

  async run(pack, width) {
    if (!("caches" in window)) return;
    registerWorker();
    // Without it the browser may clear the copy when storage runs low, the day before the meeting.
    navigator.storage?.persist?.().catch(() => {});
    const pages = offlinePages(pack, width);
    this.total = pages.length;
    this.done = 0;
    this.setPhase("downloading");
    try {
      await this.keepShell(pack);
      const cache = await caches.open(PAGES);
      const have = new Set((await cache.keys()).map((request) => new URL(request.url).pathname
        + new URL(request.url).search));
      await this.dropStale(cache, pack, width);
      let reported = 0;
      const report = (force) => {
        if (!force && Date.now() - reported < REPORT_EVERY_MS) return;
        reported = Date.now();
        this.report(pack).catch(() => {});
      };
      report(true);
      const queue = [...pages];
      const worker = async () => {
        while (queue.length && !this.cancelled) {
          const page = queue.shift();
          for (const url of page.urls) {
            if (have.has(url)) continue;
            const response = await fetch(url, { credentials: "same-origin" });
            if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
            if (storable(response)) await cache.put(url, response);
          }
          this.done += 1;
          this.changed();
          report(false);
        }
      };
      await Promise.all(Array.from({ length: PARALLEL_FETCHES }, worker));
      if (this.cancelled) return;
      this.save(pack, width, true);
      this.setPhase("ready");
      report(true);
    } catch (error) {
      console.warn("offline copy stopped:", error);
      if (this.cancelled) return;
      this.save(pack, width, false);
      this.setPhase("failed");
      this.report(pack).catch(() => {});
    }
  }

  // The page itself (/), every script, style and text the app has loaded, and the answers read before the pack.
  async keepShell(pack) {
    const shell = await caches.open(SHELL);
    const loaded = performance.getEntriesByType("resource").map((entry) => new URL(entry.name))
      .filter((url) => url.origin === location.origin && url.pathname.startsWith("/static/"))
      .map((url) => url.pathname);
    const urls = new Set(["/", "/static/i18n/vi.json", "/static/i18n/en.json", ...loaded]);
    await Promise.all([...urls].map(async (url) => {
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.ok) await shell.put(url, response);
    }));
    const data = await caches.open(DATA);
    const me = await fetch("/api/me", { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (me.ok) await data.put("/api/me", kept(await me.blob(), "application/json"));
    await data.put(`/api/meetings/${this.meetingId}/pack`, kept(JSON.stringify(pack), "application/json"));
  }

  // Pages of documents that left the pack (a replaced version) and images at another width.
  async dropStale(cache, pack, width) {
    const current = new Map(pack.documents.map((doc) => [doc.id, doc]));
    const before = new Set(this.record ? this.record.documents : []);
    for (const request of await cache.keys()) {
      const match = new URL(request.url).pathname.concat(new URL(request.url).search).match(DOCUMENT_PATH);
      if (!match) continue;
      const doc = current.get(Number(match[1]));
      const gone = !doc ? before.has(Number(match[1])) : !doc.offline;
      const otherWidth = doc && match[3] && ![width, doc.thumbnail_width || 200].includes(Number(match[3]));
      if (gone || otherWidth) await cache.delete(request);
    }
  }

  save(pack, width, complete) {
    this.record = { version: pack.version, width, complete, pages_cached: this.done, pages_total: this.total,
      documents: pack.documents.filter((doc) => doc.offline).map((doc) => doc.id) };
    localStorage.setItem(this.key, JSON.stringify(this.record));
  }

  report(pack) {
    return post(`/api/meetings/${this.meetingId}/pack/status`, {
      device_id: deviceId(), device_label: deviceLabel(), version: pack.version,
      pages_cached: this.done, pages_total: this.total, complete: this.done === this.total,
    });
  }

  setPhase(phase) {
    this.phase = phase;
    this.changed();
  }

  changed() {
    this.dispatchEvent(new Event("change"));
  }
}
