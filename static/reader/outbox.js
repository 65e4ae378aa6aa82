// The tablet's record of annotations in IndexedDB ("ecabinet-annotations"): every edit goes into the outbox
// first and is sent from there, so that a note written with the meeting room's Wi-Fi gone, or just before the
// tablet is closed, reaches the server later, exactly once. Each edit carries its own Idempotency-Key, made
// once and sent again on every retry; the server applies a key once (docs/protocol.md, Annotations).
// The store also keeps the annotations last heard from the server per document, so that the reader shows them
// offline, and the time of the newest change seen, to catch up with ?since= after a reconnect.

import { ApiError, api } from "/static/api.js";

const DATABASE = "ecabinet-annotations";
const OPS = "ops"; // {seq, user_id, key, uuid, document_id, method, body, made_at}
const KEPT = "annotations"; // the server's annotations as last heard, with the viewer's user_id
const SEEN = "seen"; // {id: "user:document", since}
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 60000;
// Only one tab of the tablet sends at a time (the others would send the same ops; the keys make that harmless).
const LOCK = "ecabinet-annotation-outbox";

let opening = null;

function database() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DATABASE, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        const ops = db.createObjectStore(OPS, { keyPath: "seq", autoIncrement: true });
        ops.createIndex("user_id", "user_id");
        const kept = db.createObjectStore(KEPT, { keyPath: ["user_id", "uuid"] });
        kept.createIndex("document", ["user_id", "document_id"]);
        db.createObjectStore(SEEN, { keyPath: "id" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error("the annotation store is held by an older tab"));
    });
    opening.catch(() => {
      opening = null;
    });
  }
  return opening;
}

const done = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

const finished = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = () => resolve();
  tx.onerror = () => reject(tx.error);
  tx.onabort = () => reject(tx.error || new Error("aborted"));
});

async function run(stores, mode, work) {
  const db = await database();
  const tx = db.transaction(stores, mode);
  const result = work(tx);
  await finished(tx);
  return result;
}

// The tablet's clock, with its offset (the server weighs edits by when they were made: docs/protocol.md).
export function localTime(date = new Date()) {
  const pad = (n, width = 2) => String(Math.abs(n)).padStart(width, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:`
    + `${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
    + `${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

// Whether a refused edit may succeed later: the network, the server's own trouble, a timeout, a paper still being
// checked (409), too many requests, or a session to sign in again to. Any other refusal is final.
function worthRetrying(error) {
  if (!(error instanceof ApiError)) return true;
  return error.status >= 500 || [401, 408, 409, 429].includes(error.status);
}

class Outbox {
  constructor(userId) {
    this.userId = userId;
    this.listeners = new Set();
    this.running = null;
    this.again = false;
    this.attempt = 0;
    this.timer = null;
    this.stopped = false;
    this.wake = () => this.flush({ now: true });
    window.addEventListener("online", this.wake);
    window.addEventListener("ecabinet:live", this.liveHeard = ({ detail }) => {
      if (detail.connected) this.wake();
    });
  }

  // `listener({applied, dropped, conflict, queued})`: what happened to an op (answer, or the server's message).
  listen(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  tell(news) {
    for (const listener of [...this.listeners]) listener(news);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    window.removeEventListener("online", this.wake);
    window.removeEventListener("ecabinet:live", this.liveHeard);
    this.listeners.clear();
  }

  // Put an edit in the outbox: {uuid, document_id, method: "PUT"|"DELETE", body}. The body gets its edited_at
  // now (unless it has one); base_version stays as given, or (null) is the version the edits before it made.
  // `key` may be given (the reader shows the edit before the outbox has stored it, and knows it by its key).
  async add({ key, uuid, document_id, method, body }) {
    const op = { user_id: this.userId, key: key || crypto.randomUUID(), uuid, document_id, method,
      body: { ...body, edited_at: body.edited_at || localTime() }, made_at: Date.now() };
    op.seq = await run([OPS], "readwrite", (tx) => done(tx.objectStore(OPS).add(op)));
    this.tell({ queued: op });
    this.flush({ now: true });
    return op;
  }

  async ops(documentId = null) {
    const all = await run([OPS], "readonly", (tx) => done(tx.objectStore(OPS).index("user_id").getAll(this.userId)));
    return all.sort((a, b) => a.seq - b.seq).filter((op) => documentId === null || op.document_id === documentId);
  }

  // The annotations of a document as last heard from the server (tombstones left out).
  async kept(documentId) {
    const rows = await run([KEPT], "readonly",
      (tx) => done(tx.objectStore(KEPT).index("document").getAll([this.userId, documentId])));
    return rows.filter((row) => !row.deleted).map(({ user_id: _, ...annotation }) => annotation);
  }

  // Remember what the server said of these annotations; `replace`: the whole list of the document (a full listing),
  // which drops what the tablet held and the server no longer lists.
  async keep(annotations, { replace = null } = {}) {
    await run([KEPT, SEEN], "readwrite", async (tx) => {
      const store = tx.objectStore(KEPT);
      if (replace !== null) {
        // Tombstones stay: their version is what an edit undoing a deletion is made from.
        const old = await done(store.index("document").getAll([this.userId, replace]));
        for (const row of old) if (!row.deleted) store.delete([this.userId, row.uuid]);
      }
      const newest = new Map();
      for (const annotation of annotations) {
        const { conflict: _, ...stored } = annotation;
        const before = await done(store.get([this.userId, annotation.uuid]));
        if (before && before.version > annotation.version) continue; // an older word arriving late
        store.put({ ...stored, user_id: this.userId });
        const at = annotation.updated_at;
        if (at && (!newest.has(annotation.document_id) || at > newest.get(annotation.document_id))) {
          newest.set(annotation.document_id, at);
        }
      }
      const seen = tx.objectStore(SEEN);
      for (const [documentId, at] of newest) {
        const id = `${this.userId}:${documentId}`;
        const row = await done(seen.get(id));
        if (!row || row.since < at) seen.put({ id, since: at });
      }
    });
  }

  async forget(uuid) {
    await run([KEPT], "readwrite", (tx) => tx.objectStore(KEPT).delete([this.userId, uuid]));
  }

  // The time of the newest change of the document heard from the server (for ?since=), or null.
  async since(documentId) {
    const row = await run([SEEN], "readonly", (tx) => done(tx.objectStore(SEEN).get(`${this.userId}:${documentId}`)));
    return row ? row.since : null;
  }

  // Send what waits, oldest first. `now`: a reason to believe the network is back (online, the live socket
  // reconnected, a new edit): retry at once rather than after the backoff.
  flush({ now = false } = {}) {
    if (this.stopped) return Promise.resolve();
    if (now) {
      this.attempt = 0;
      clearTimeout(this.timer);
      this.timer = null;
    } else if (this.timer) {
      return Promise.resolve();
    }
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const pass = async () => {
      let waiting;
      do {
        this.again = false;
        waiting = navigator.locks
          ? await navigator.locks.request(LOCK, () => this.sendAll())
          : await this.sendAll();
      } while (this.again && !this.stopped);
      return waiting;
    };
    this.running = pass().then((waiting) => {
      this.running = null;
      if (waiting) this.retryLater();
      else this.attempt = 0;
    }, (error) => {
      this.running = null;
      console.error(error);
      this.retryLater();
    });
    return this.running;
  }

  retryLater() {
    if (this.stopped) return;
    const ceiling = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** this.attempt);
    this.attempt += 1;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  // One pass over the outbox; true when some ops are left to retry. The ops of one annotation go in order: one
  // that must wait holds back the later ones of its annotation, not the others'.
  async sendAll() {
    const held = new Set();
    let waiting = false;
    for (const op of await this.ops()) {
      if (this.stopped) return false;
      if (held.has(op.uuid)) continue;
      let answer;
      try {
        answer = await this.send(op);
      } catch (error) {
        if (!(error instanceof ApiError)) return true; // the network: nothing else will go either
        if (worthRetrying(error)) {
          held.add(op.uuid);
          waiting = true;
          continue;
        }
        await run([OPS], "readwrite", (tx) => tx.objectStore(OPS).delete(op.seq));
        this.tell({ dropped: op, message: error.message, status: error.status });
        continue;
      }
      // Kept before the op leaves the outbox: a tablet closed in between sends the op again, and the server
      // answers the same key with the same answer.
      await this.keep([answer]);
      await run([OPS], "readwrite", (tx) => tx.objectStore(OPS).delete(op.seq));
      this.tell({ applied: op, answer, conflict: answer.conflict || null });
    }
    return waiting;
  }

  async send(op) {
    const body = { ...op.body };
    if (body.base_version === null || body.base_version === undefined) {
      const rows = await run([KEPT], "readonly", (tx) => done(tx.objectStore(KEPT).get([this.userId, op.uuid])));
      body.base_version = rows ? rows.version : 0;
    }
    const path = `/api/annotations/${op.uuid}`;
    return api(op.method, path, body, { headers: { "Idempotency-Key": op.key } });
  }
}

let current = null;

// The outbox of the signed-in user (one per page; made on first use, and then sends what an earlier visit left).
export function outboxFor(userId) {
  if (!current || current.userId !== userId) {
    if (current) current.stop();
    current = new Outbox(userId);
    if (window.indexedDB) current.flush({ now: true });
  }
  return current;
}

// Signing out: stop sending, and forget the annotations heard (they were this user's to see). Edits not yet sent
// stay, marked with their author, and go once that user signs in again on this tablet.
export async function forgetAnnotations() {
  if (current) current.stop();
  current = null;
  if (!window.indexedDB) return;
  await run([KEPT, SEEN], "readwrite", (tx) => {
    tx.objectStore(KEPT).clear();
    tx.objectStore(SEEN).clear();
  });
}
