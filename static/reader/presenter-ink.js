// The presenter's pen and pointer as the room sees them while they move: the stroke being drawn goes to every
// tablet in pieces (presenter.ink actions, about every 50 ms), then is saved as a shared ink annotation under the
// same id; the pointer goes as presenter.pointer (null once lifted). Both are volatile: the saved stroke is the
// record (docs/protocol.md, Actions).

import { live } from "/static/live.js";

const INK_EVERY_MS = 50;
const POINTER_EVERY_MS = 33;
const PIECE_MAX_POINTS = 200;
// The stroke and the pointer share the socket's allowance (ECABINET_WS_RATE_PER_SEC, 20 a second) with everything
// else the tablet sends: they stay under it, the pointer sending its latest position when its turn comes.
const PREVIEW_PER_SEC = 14;
const PREVIEW_BURST = 30;

function allowance() {
  let tokens = PREVIEW_BURST;
  let at = Date.now();
  return () => {
    const now = Date.now();
    tokens = Math.min(PREVIEW_BURST, tokens + ((now - at) / 1000) * PREVIEW_PER_SEC);
    at = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

// `where()`: {documentId, page} of the page shown while this tablet presents, or null.
export function presenterPreview(where) {
  const mayGo = allowance();
  let outgoing = null; // {stroke, documentId, page, points, sent, timer}
  const pointer = { timer: null, latest: undefined, sentAt: 0, at: null };

  const sendInk = (o, all = false) => {
    while (o.sent < o.points.length && (mayGo() || all)) {
      const piece = o.points.slice(o.sent, o.sent + PIECE_MAX_POINTS);
      o.sent += piece.length;
      live.action("presenter.ink", { document_id: o.documentId, page: o.page, stroke: o.stroke, points: piece })
        .catch(() => {});
      if (!all) break;
    }
  };

  const sendPointer = () => {
    pointer.timer = null;
    if (pointer.latest === undefined || !pointer.at) return;
    // Hiding the pointer always goes; a move waits for its turn.
    if (pointer.latest !== null && !mayGo()) {
      pointer.timer = setTimeout(sendPointer, POINTER_EVERY_MS);
      return;
    }
    pointer.sentAt = Date.now();
    live.action("presenter.pointer", { document_id: pointer.at.documentId, page: pointer.at.page,
      point: pointer.latest }).catch(() => {});
    pointer.latest = undefined;
  };

  return {
    // The stroke so far (the pen is down).
    moved(points) {
      const at = where();
      if (!at) return;
      if (!outgoing) {
        outgoing = { stroke: crypto.randomUUID(), ...at, points, sent: 0 };
        const o = outgoing;
        o.timer = setInterval(() => sendInk(o), INK_EVERY_MS);
      }
      outgoing.points = points;
    },
    // The pen is lifted: the rest of the stroke and its end go; returns the stroke's id (the annotation's uuid
    // to save it under), or null when the stroke was not previewed.
    finished() {
      const o = outgoing;
      outgoing = null;
      if (!o) return null;
      clearInterval(o.timer);
      sendInk(o, true);
      live.action("presenter.ink", { document_id: o.documentId, page: o.page, stroke: o.stroke, points: [],
        done: true }).catch(() => {});
      return o.stroke;
    },
    // Where the pointer is ([x, y] in points), or null: it is lifted.
    point(point) {
      const at = where();
      if (!at) return;
      pointer.at = at;
      pointer.latest = point;
      if (pointer.timer) return;
      pointer.timer = setTimeout(sendPointer, Math.max(0, POINTER_EVERY_MS - (Date.now() - pointer.sentAt)));
    },
    stop() {
      clearTimeout(pointer.timer);
      if (outgoing) clearInterval(outgoing.timer);
      outgoing = null;
    },
  };
}
