// The service worker (scope "/"): the briefing pack stays readable when the meeting room's Wi-Fi is gone.
// - The app shell (/ and /static/…) and the answers the reader needs first (/api/me, a meeting's pack) are
//   fetched from the network when it is there and kept; without a network the kept copy is served, marked with
//   the X-Ecabinet-Cached-At header so that the page can say it is showing what it loaded earlier.
// - Page images and texts are immutable (a new version of a paper is a new document): the copy the tablet
//   downloaded (static/reader/offline-copy.js writes it) is served first. The page only ever stores pages of
//   public and internal papers; a no-store answer (restricted, secret) is never kept here either.
// The cache names are shared with static/reader/offline-copy.js.

const SHELL = "ecabinet-shell";
const DATA = "ecabinet-data";
const PAGES = "ecabinet-pages";
const CACHED_AT = "X-Ecabinet-Cached-At";

const PAGE_PATH = /^\/api\/documents\/\d+\/pages\/\d+(\.jpg|\/text)$/;
const DATA_PATH = /^\/api\/(me|meetings\/\d+\/pack)$/;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (PAGE_PATH.test(url.pathname)) event.respondWith(cacheFirst(request));
  else if (DATA_PATH.test(url.pathname)) event.respondWith(networkFirst(request, DATA));
  else if (request.mode === "navigate" || url.pathname === "/") event.respondWith(networkFirst(request, SHELL, "/"));
  else if (url.pathname.startsWith("/static/")) event.respondWith(networkFirst(request, SHELL));
});

function storable(response) {
  return response.ok && response.type === "basic" && !/no-store/i.test(response.headers.get("Cache-Control") || "");
}

async function cacheFirst(request) {
  const cache = await caches.open(PAGES);
  const kept = await cache.match(request, { ignoreVary: true });
  return kept || fetch(request);
}

// `key`: the address the copy is kept under (every navigation is the one page, "/").
async function networkFirst(request, name, key = request) {
  const cache = await caches.open(name);
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    const kept = await cache.match(key, { ignoreVary: true, ignoreSearch: name === SHELL });
    if (kept) return kept;
    throw error;
  }
  if (storable(response)) await cache.put(key, await stamped(response.clone()));
  // Signed out, or no longer allowed to see the meeting: its kept copy must not outlive the right to it.
  else if ([401, 403, 404].includes(response.status)) await cache.delete(key);
  return response;
}

async function stamped(response) {
  const headers = new Headers(response.headers);
  headers.set(CACHED_AT, new Date().toISOString());
  return new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers });
}
