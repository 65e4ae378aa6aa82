// Annotations in the reader: what the page shows (the server's annotations as last heard, with the edits still
// in the outbox on top), the tools that make them, undo and redo of this session's edits, the live events of the
// meeting and of the member's own channel, and the presenter's stroke and pointer travelling to the room.
// Protocol: docs/protocol.md, Annotations; the outbox: static/reader/outbox.js.

import { ApiError, del, get } from "/static/api.js";
import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";
import { DRAWING_TOOLS, annotationLayer } from "/static/reader/annotation-layer.js";
import { annotationPanel, exportAnnotated } from "/static/reader/annotation-panel.js";
import { annotationPopover } from "/static/reader/annotation-popover.js";
import { PALETTE, annotationTools } from "/static/reader/annotation-tools.js";
import { boundsOf, decodeBoxes, noteAt, pageWords, strokeToSave, touches } from "/static/reader/ink.js";
import { localTime, outboxFor } from "/static/reader/outbox.js";
import { textUrl } from "/static/reader/pack.js";
import { presenterPreview } from "/static/reader/presenter-ink.js";

const CONTENT = ["page", "kind", "visibility", "geometry", "body", "color", "anchor"];
const TOOL_KEY = "ecabinet.annotateColors";

const contentOf = (annotation) => Object.fromEntries(CONTENT.filter((k) => annotation[k] !== undefined)
  .map((k) => [k, annotation[k]]));

// ctx: {meeting, me (the session's user), presenter (static/reader/presenting.js), open(documentId, page),
// toast(message), changed() (the list changed: redraw the panel)}.
export function readerAnnotations(ctx) {
  const { meeting, me, presenter, toast } = ctx;
  const outbox = outboxFor(me.id);
  const docs = new Map(); // document id → {server: Map(uuid → annotation), loaded: Promise | null}
  let pending = []; // edits not yet answered, oldest first (ops of the outbox, and those being stored)
  let shown = null; // {doc, page, size}
  let tool = "read";
  const colors = { pen: PALETTE[2], highlight: PALETTE[0], note: PALETTE[0],
    ...JSON.parse(localStorage.getItem(TOOL_KEY) || "{}") };
  let share = false;
  let selected = null;
  const undoable = [];
  const redoable = [];
  let conflicts = [];
  const texts = new Map(); // "document:page" → {text, words} | null while loading
  let stopped = false;

  const mine = (annotation) => annotation.author_id === me.id;
  const docState = (id) => {
    if (!docs.has(id)) docs.set(id, { server: new Map(), loaded: null });
    return docs.get(id);
  };

  // The annotations of a document as the tablet shows them: the server's, then the edits waiting on top.
  const listOf = (documentId) => {
    const state = docs.get(documentId);
    const out = new Map();
    if (!state) return [];
    for (const annotation of state.server.values()) if (!annotation.deleted) out.set(annotation.uuid, annotation);
    for (const op of pending) {
      if (op.document_id !== documentId) continue;
      if (op.method === "DELETE") {
        out.delete(op.uuid);
        continue;
      }
      const before = out.get(op.uuid) || state.server.get(op.uuid) || {};
      out.set(op.uuid, { ...before, ...contentOf(op.body), uuid: op.uuid, document_id: documentId,
        author_id: me.id, author_name: me.name, orphaned: false, pending: true,
        created_at: before.created_at || new Date(op.made_at).toISOString() });
    }
    return [...out.values()];
  };
  const onPage = () => (shown ? listOf(shown.doc.id).filter((a) => a.page === shown.page && !a.orphaned) : []);
  const find = (uuid) => (shown ? listOf(shown.doc.id).find((a) => a.uuid === uuid) : null);

  // ---- drawing --------------------------------------------------------------------------------------------
  const layer = annotationLayer({
    on: {
      stroke: (points) => finishStroke(points),
      strokeMoved: (points) => strokeMoved(points),
      highlight: (found) => create("highlight", found.geometry, { anchor: found.anchor }),
      note: (x, y) => placeNote(x, y),
      erase: (x, y, slack) => erase(x, y, slack),
      point: (point) => pointAt(point),
      select: (uuid) => select(uuid),
    },
    words: () => (shown ? texts.get(`${shown.doc.id}:${shown.page}`) || null : null),
    color: () => colors[tool] || PALETTE[2],
  });
  const popover = annotationPopover({ place: (rect) => layer.pageToPercent(rect) });
  const tools = annotationTools({
    tool: (next) => setTool(next),
    color: (color) => {
      if (!(tool in colors)) return;
      colors[tool] = color;
      localStorage.setItem(TOOL_KEY, JSON.stringify(colors));
      refreshTools();
    },
    undo: () => undo(),
    redo: () => redo(),
    share: (on) => {
      share = on;
      refreshTools();
    },
    conflicts: () => ctx.showPanel(),
  });

  const refreshTools = () => tools.update({ tool, color: colors[tool] || null, share, canUndo: undoable.length > 0,
    canRedo: redoable.length > 0, waiting: pending.length, conflicts: conflicts.length,
    presenting: presenter.presenting });

  const redraw = () => {
    if (stopped) return;
    refreshTools();
    if (!shown) return;
    layer.draw(shown.size, onPage(), { mine, selected });
    if (selected && !find(selected)) {
      selected = null;
      if (popover.openFor && popover.openFor !== "new") popover.hide();
    }
    ctx.changed();
  };

  // ---- the page's words (a highlight snaps to them; a note is anchored to the nearest) ------------------------
  const fetchWords = () => {
    if (!shown || !["highlight", "note"].includes(tool)) return;
    const { doc, page } = shown;
    const key = `${doc.id}:${page}`;
    if (texts.has(key)) {
      if (texts.get(key)) layer.wordsReady(texts.get(key).words.length);
      return;
    }
    texts.set(key, null);
    get(textUrl(doc, page)).then((body) => {
      const words = pageWords(body.text || "", decodeBoxes(body.boxes));
      texts.set(key, { text: body.text || "", words });
      if (shown && shown.doc.id === doc.id && shown.page === page) layer.wordsReady(words.length);
    }).catch(() => texts.delete(key));
  };

  const setTool = (next) => {
    tool = tool === next && next !== "read" ? "read" : next;
    if (tool === "pointer" && !presenter.presenting) tool = "read";
    layer.setTool(tool);
    popover.hide();
    selected = null;
    fetchWords();
    redraw();
  };

  // ---- edits ----------------------------------------------------------------------------------------------
  // Every edit goes through the outbox; the page shows it at once.
  const send = (uuid, documentId, content) => {
    const op = content
      ? { key: crypto.randomUUID(), uuid, document_id: documentId, method: "PUT",
        body: { document_id: documentId, ...content, base_version: null, edited_at: localTime() } }
      : { key: crypto.randomUUID(), uuid, document_id: documentId, method: "DELETE",
        body: { document_id: documentId, base_version: null, edited_at: localTime() } };
    pending.push({ ...op, made_at: Date.now() });
    redraw();
    outbox.add(op).catch((error) => {
      // No IndexedDB (a private window that refuses it): the edit cannot be kept, say so rather than lose it quietly.
      console.error(error);
      pending = pending.filter((p) => p.key !== op.key);
      toast(t("annotate.notStored"));
      redraw();
    });
  };
  const edit = (uuid, documentId, before, after) => {
    undoable.push({ uuid, documentId, before, after });
    redoable.length = 0;
    send(uuid, documentId, after);
  };
  const create = (kind, geometry, { anchor, body = "", uuid = crypto.randomUUID(), visibility } = {}) => {
    if (!shown) return;
    const content = { page: shown.page, kind, visibility: visibility || (share ? "shared" : "private"), geometry,
      body, color: colors[kind === "ink" ? "pen" : kind] || "" };
    if (anchor) content.anchor = anchor;
    edit(uuid, shown.doc.id, null, content);
  };
  const change = (annotation, changes) => {
    const before = contentOf(annotation);
    edit(annotation.uuid, annotation.document_id, before, { ...before, ...changes });
  };
  const remove = (annotation) => edit(annotation.uuid, annotation.document_id, contentOf(annotation), null);
  const toggleShare = (annotation) => change(annotation, {
    visibility: annotation.visibility === "shared" ? "private" : "shared" });
  const undo = () => {
    const last = undoable.pop();
    if (!last) return;
    redoable.push(last);
    send(last.uuid, last.documentId, last.before);
  };
  const redo = () => {
    const last = redoable.pop();
    if (!last) return;
    undoable.push(last);
    send(last.uuid, last.documentId, last.after);
  };

  const placeNote = (x, y) => {
    if (!shown) return;
    const hit = onPage().find((a) => a.kind === "note" && touches(a, x, y, 0));
    if (hit) {
      select(hit.uuid);
      return;
    }
    const page = texts.get(`${shown.doc.id}:${shown.page}`);
    const placed = noteAt(page ? page.text : "", page ? page.words : [], x, y, shown.size[0], shown.size[1]);
    const at = shown;
    popover.writeNote(placed.geometry.rect, (body) => {
      if (shown !== at) return;
      create("note", placed.geometry, { anchor: placed.anchor, body });
    });
  };

  const erase = (x, y, slack) => {
    const hit = onPage().reverse().find((a) => mine(a) && touches(a, x, y, slack));
    if (hit) remove(hit);
  };

  const select = (uuid) => {
    const annotation = find(uuid);
    if (!annotation) return;
    selected = uuid;
    popover.show(annotation, boundsOf(annotation), mine(annotation), {
      saveBody: (body) => change(annotation, { body }),
      toggleShare: () => toggleShare(annotation),
      remove: () => remove(annotation),
    });
    redraw();
  };

  // ---- presenting: the stroke being drawn and the pointer, to every tablet of the room ---------------------------
  const preview = presenterPreview(() => (presenter.presenting && shown
    ? { documentId: shown.doc.id, page: shown.page } : null));
  const strokeMoved = (points) => preview.moved(points);
  const finishStroke = (points) => {
    const stroke = preview.finished();
    const saved = strokeToSave(points);
    if (saved.length < 2) return;
    // The presenter's stroke is the room's: shared, under the id its preview travelled with.
    if (stroke) create("ink", { points: saved }, { uuid: stroke, visibility: "shared" });
    else create("ink", { points: saved });
  };
  const pointAt = (point) => {
    if (!presenter.presenting || !shown) return;
    layer.pointer(point);
    preview.point(point);
  };

  // ---- what the server says -----------------------------------------------------------------------------------
  const refreshPending = async () => {
    let stored;
    try {
      stored = await outbox.ops();
    } catch {
      return;
    }
    // Edits still being stored (not yet in the outbox) stay; those another tab of the tablet sent go.
    const keys = new Set(stored.map((op) => op.key));
    const storing = pending.filter((op) => !op.seq && !keys.has(op.key));
    pending = [...stored, ...storing];
    redraw();
  };
  let pendingCheck = null;
  const refreshPendingSoon = () => {
    clearTimeout(pendingCheck);
    pendingCheck = setTimeout(refreshPending, 300);
  };

  // An annotation as the server has it now (an answer, a listing, an event): the newest version wins.
  const heard = (annotation, { keep = true } = {}) => {
    layer.dropPreview(annotation.uuid);
    if (keep) outbox.keep([annotation]).catch(() => {});
    const state = docs.get(annotation.document_id);
    if (!state) return;
    const before = state.server.get(annotation.uuid);
    if (before && before.version > annotation.version) return;
    state.server.set(annotation.uuid, annotation);
    if (mine(annotation) && pending.some((op) => op.uuid === annotation.uuid)) refreshPendingSoon();
    redraw();
  };
  // Another member's shared annotation left the meeting (deleted, or made private).
  const gone = ({ uuid, document_id: documentId }) => {
    layer.dropPreview(uuid);
    const state = docs.get(documentId);
    const before = state && state.server.get(uuid);
    if (!before || mine(before)) return; // the member's own channel says what became of their own
    state.server.delete(uuid);
    outbox.forget(uuid).catch(() => {});
    redraw();
  };

  const load = (documentId, { fresh = false } = {}) => {
    const state = docState(documentId);
    if (state.loaded && !fresh) return state.loaded;
    state.loaded = (async () => {
      const [kept, ops] = await Promise.all([outbox.kept(documentId).catch(() => []),
        outbox.ops(documentId).catch(() => [])]);
      for (const annotation of kept) {
        const before = state.server.get(annotation.uuid);
        if (!before || before.version < annotation.version) state.server.set(annotation.uuid, annotation);
      }
      const known = new Set(pending.map((op) => op.key));
      pending = [...pending, ...ops.filter((op) => !known.has(op.key))].sort((a, b) => a.made_at - b.made_at);
      redraw();
      let list;
      try {
        list = await get(`/api/documents/${documentId}/annotations`);
      } catch {
        return; // offline: what the tablet holds
      }
      const listed = new Map(list.map((a) => [a.uuid, a]));
      // An event heard while the list was on its way may be newer than the list.
      for (const [uuid, annotation] of state.server) {
        const fromList = listed.get(uuid);
        if (fromList ? fromList.version < annotation.version : annotation.updated_at > maxUpdated(list)) {
          listed.set(uuid, annotation);
        }
      }
      state.server = listed;
      outbox.keep(list, { replace: documentId }).catch(() => {});
      redraw();
    })();
    return state.loaded;
  };
  const maxUpdated = (list) => list.reduce((at, a) => (a.updated_at > at ? a.updated_at : at), "");

  // Back from a dropped connection: what changed meanwhile, from the newest change seen.
  const catchUp = async () => {
    for (const [documentId, state] of docs) {
      if (!state.loaded) continue;
      const since = await outbox.since(documentId).catch(() => null);
      if (!since) {
        load(documentId, { fresh: true });
        continue;
      }
      let list;
      try {
        list = await get(`/api/documents/${documentId}/annotations?since=${encodeURIComponent(since)}`);
      } catch {
        return;
      }
      for (const annotation of list) heard(annotation);
    }
  };

  const loadConflicts = async () => {
    try {
      conflicts = await get("/api/annotations/conflicts");
    } catch {
      return;
    }
    redraw();
  };
  const dismiss = async (conflict) => {
    try {
      await del(`/api/annotations/conflicts/${conflict.id}`);
    } catch (error) {
      toast(error instanceof ApiError ? error.message : t("error.network"));
      return;
    }
    conflicts = conflicts.filter((c) => c.id !== conflict.id);
    redraw();
  };

  const stopListening = outbox.listen((news) => {
    if (news.queued) {
      const at = pending.findIndex((op) => op.key === news.queued.key);
      if (at >= 0) pending[at] = news.queued;
      else pending.push(news.queued);
    } else if (news.applied) {
      pending = pending.filter((op) => op.key !== news.applied.key);
      heard(news.answer, { keep: false });
      if (news.conflict) loadConflicts();
    } else if (news.dropped) {
      pending = pending.filter((op) => op.key !== news.dropped.key);
      toast(t("annotate.refused", { message: news.message }));
    }
    redraw();
  });
  const onLive = ({ detail }) => {
    if (!detail.connected) return;
    catchUp();
    loadConflicts();
  };
  window.addEventListener("ecabinet:live", onLive);

  const roles = new Set(meeting.my_roles || []);
  const canExportShared = Boolean(meeting.can_chair || roles.has("chair") || roles.has("secretary"));

  const overlay = h("div", { class: "annotation-overlay" }, layer.node, popover.node);
  layer.setTool(tool);
  loadConflicts();

  return {
    overlay,
    tools: tools.node,
    // The reader shows this page (or large print: `doc` null hides the tools' effect).
    show(doc, page) {
      const size = (doc.page_sizes && doc.page_sizes[page - 1]) || [595, 842];
      const turned = !shown || shown.doc.id !== doc.id || shown.page !== page;
      shown = { doc, page, size };
      if (turned) {
        popover.hide();
        selected = null;
        layer.clearPreviews();
        layer.wordsReady(null);
        fetchWords();
      }
      load(doc.id);
      redraw();
    },
    panel() {
      if (!shown) return h("p", { class: "muted", text: t("reader.empty") });
      const doc = shown.doc;
      return annotationPanel({ doc, annotations: listOf(doc.id), me: me.id, conflicts, canExportShared,
        open: (page) => ctx.open(doc.id, page), select: (a) => select(a.uuid), toggleShare, remove, dismiss,
        exportPdf: (scope) => exportAnnotated(doc, scope, toast) });
    },
    // An event of the meeting's channel or the member's own.
    heard(event) {
      const data = event.data || {};
      if (event.type === "annotation.updated" && data.annotation) heard(data.annotation);
      else if (event.type === "annotation.deleted" && data.annotation) {
        if (data.annotation.version !== undefined) heard(data.annotation);
        else gone(data.annotation);
      } else if (event.type === "annotations.moved") {
        for (const id of data.from_document_ids || []) docs.delete(id);
        if (docs.has(data.document_id)) load(data.document_id, { fresh: true });
        redraw();
      }
    },
    // The presenter's stroke and pointer (volatile messages of the meeting).
    heardVolatile(message) {
      const data = message.data || {};
      if (data.by === me.id) return;
      const here = shown && data.document_id === shown.doc.id && data.page === shown.page;
      if (message.type === "presenter.pointer") layer.pointer(here ? data.point : null);
      else if (message.type === "presenter.ink" && here) {
        const saved = docs.get(data.document_id)?.server.get(data.stroke);
        if (!saved) layer.previewInk(data.stroke, data.points || [], data.done);
      }
    },
    // Presenting started or stopped: the pointer tool comes and goes with it.
    presentingChanged() {
      if (tool === "pointer" && !presenter.presenting) setTool("read");
      else redraw();
    },
    get tool() {
      return tool;
    },
    get drawing() {
      return DRAWING_TOOLS.has(tool);
    },
    stop() {
      stopped = true;
      stopListening();
      window.removeEventListener("ecabinet:live", onLive);
      clearTimeout(pendingCheck);
      preview.stop();
      layer.clearPreviews();
    },
  };
}
