// The secretariat's editor: the meeting's details and status, its agenda, the briefing documents of each item,
// the departments' submissions, and its participants.

import { get, patch, post } from "/static/api.js";
import { go, onLeave, report, toast } from "/static/app.js";
import { agendaEditor } from "/static/components/agenda-editor.js";
import { agendaTree } from "/static/components/agenda-tree.js";
import { briefingPack } from "/static/components/briefing-pack.js";
import { showProgress } from "/static/components/document-list.js";
import { meetingForm } from "/static/components/meeting-form.js";
import { participantEditor } from "/static/components/participant-editor.js";
import { statusBadge } from "/static/components/status-badge.js";
import { submissionsBoard } from "/static/components/submissions-board.js";
import { allowedMoves, transitionButtons } from "/static/components/transition-buttons.js";
import { clear, h } from "/static/dom.js";
import { hanoiDate, t } from "/static/i18n.js";
import { live } from "/static/live.js";

// Statuses in which the agenda and the participants may still change (ecabinet/lifecycle.py).
const EDITABLE = new Set(["draft", "scheduled", "live"]);

export async function showEditor(view, meetingId) {
  if (meetingId === null) {
    showNew(view);
    return;
  }
  const state = await drawEditor(view, meetingId);
  if (!state) return;
  // Another secretary's change (or the chair's) redraws the editor too, keeping what is being typed here.
  // The editor's own changes redraw at once (see `act`); their events then find nothing new and are skipped,
  // so a drag or a click that follows is not interrupted by a second redraw.
  let timer = null;
  let newest = state.seq;
  const refresh = () => new Promise((resolve) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (newest <= shown.get(view)) {
        resolve(null);
        return;
      }
      redraw(view, meetingId).then(resolve, (error) => {
        report(error);
        resolve(null);
      });
    }, 150);
  });
  onLeave(live.follow(`meeting:${meetingId}`, {
    since: state.seq,
    epoch: state.epoch,
    onEvent: (event) => {
      newest = Math.max(newest, event.seq);
      if (event.seq > shown.get(view)) refresh();
    },
    // A document's processing, run by run of pages: its bar moves in place, without drawing the editor again.
    onVolatile: (message) => {
      if (message.type === "document.progress") showProgress(view, message.data);
    },
    onReset: async () => {
      newest = Infinity;
      const fresh = await refresh();
      newest = fresh ? fresh.seq : shown.get(view);
      return fresh ? { since: fresh.seq, epoch: fresh.epoch } : null;
    },
    onRevoked: () => refresh(),
  }));
  onLeave(() => clearTimeout(timer));
}

// Draw again from a fresh state; the control that had the focus gets it back, typed text is kept.
async function redraw(view, meetingId) {
  // Taken when the answer arrives: by then a Tab after an edit has moved the focus on.
  const focus = focusKey(document.activeElement);
  const typed = unsavedFields(view);
  const state = await drawEditor(view, meetingId);
  restoreFields(view, typed);
  restoreFocus(view, focus);
  return state;
}

// The seq of the state each editor view shows.
const shown = new WeakMap();
// What each editor view keeps across its redraws: the uploads under way (item id → upload box, with its bars),
// and the comments being written to return papers (submission id → text).
const kept = new WeakMap();

function keptFor(view) {
  if (!kept.has(view)) kept.set(view, { uploads: new Map(), returning: new Map() });
  return kept.get(view);
}

async function drawEditor(view, meetingId) {
  const state = await get(`/api/meetings/${meetingId}/state`);
  shown.set(view, state.seq);
  const { meeting } = state;
  if (!meeting.can_manage) {
    go(`#/meetings/${meetingId}`);
    return null;
  }
  // A remote site must exist on the meeting's day (the 2025 reform ended the districts).
  const [users, units, board] = await Promise.all([get("/api/users"),
    get(`/api/units?on=${hanoiDate(meeting.starts_at)}`), get(`/api/meetings/${meetingId}/submissions`)]);
  const reload = () => drawEditor(view, meetingId);
  // Every change re-reads the state and redraws (its event arrives too, and finds nothing new).
  const act = (promise) => promise.then(() => redraw(view, meetingId)).catch(report);
  const editable = EDITABLE.has(meeting.status);

  const head = h("div", { class: "page-head" },
    h("div", { class: "page-title" }, h("p", { class: "eyebrow", text: t("editor.title") }),
      h("h1", { "data-testid": "meeting-heading", text: meeting.title })),
    h("div", { class: "head-actions" }, statusBadge(meeting.status),
      // The documents and the submissions come after a long agenda: one tap away from the top.
      jump("briefing-pack", t("documents.title")),
      jump("submissions-board", t("submissions.board")),
      h("a", { class: "button", href: `#/meetings/${meetingId}`, "data-testid": "view-meeting",
        text: t("editor.view") })));

  const status = h("section", { class: "card" }, h("h2", { text: t("editor.status") }),
    h("p", { class: "muted", text: t(`editor.statusHelp.${meeting.status}`) }),
    transitionButtons(allowedMoves(meeting), (to) => act(post(`/api/meetings/${meetingId}/transition`, { to }))));

  const details = h("section", { class: "card" }, h("h2", { text: t("editor.details") }),
    meetingForm(meeting, async (body) => {
      try {
        await patch(`/api/meetings/${meetingId}`, body);
        await reload();
        toast(t("editor.saved"), "info");
      } catch (error) {
        report(error);
      }
    }, { disabled: !editable }));

  const { uploads, returning } = keptFor(view);
  const papers = [
    briefingPack(state.items, state.documents || [], { editable, act, report, toast, uploads }),
    submissionsBoard(board, { editable, act, returning }),
  ];
  const sections = editable ? [
    agendaEditor(meetingId, state.items, {
      users, units: units.filter((u) => u.kind === "department" || u.kind === "city"), act }),
    ...papers,
    participantEditor(meetingId, state.participants, { users, sites: units, act }),
  ] : [
    h("section", { class: "card" }, h("h2", { text: t("agenda.title") }), agendaTree(state.items)),
    ...papers,
  ];
  clear(view).append(head, h("div", { class: "editor-top" }, status, details), ...sections);
  return state;
}

// A button that scrolls to a section (a link would change the hash, which is the router's).
function jump(id, label) {
  return h("button", { type: "button", "data-testid": `jump-${id}`, text: `↓ ${label}`,
    onclick: () => document.getElementById(id)?.closest("section")?.scrollIntoView({ behavior: "smooth" }) });
}

function showNew(view) {
  clear(view).append(
    h("div", { class: "page-head" }, h("h1", { text: t("editor.newTitle") })),
    h("section", { class: "card" }, meetingForm(null, async (body) => {
      try {
        const meeting = await post("/api/meetings", body);
        go(`#/meetings/${meeting.id}/edit`);
      } catch (error) {
        report(error);
      }
    })));
}

// Fields marked data-keep that the user has changed but not yet sent: a redraw for another change keeps them.
function unsavedFields(view) {
  const changed = (el) => (el.tagName === "SELECT"
    ? [...el.options].some((o) => o.selected !== o.defaultSelected) : el.value !== el.defaultValue);
  return [...view.querySelectorAll("[data-keep]")].filter(changed).map((el) => [el.dataset.testid, el.value]);
}

function restoreFields(view, fields) {
  for (const [testid, value] of fields) {
    const el = view.querySelector(`[data-testid="${testid}"]`);
    // A choice that is gone (the person just added) is not brought back.
    if (el && (el.tagName !== "SELECT" || [...el.options].some((o) => o.value === value))) el.value = value;
  }
}

// After adding an item the secretary usually types the next one.
const FOCUS_NEXT = { "add-item-submit": "add-item-title" };

// Rows of the documents and submissions sections say which they are with data-scope (pack-3, board-3, sub-7).
function focusKey(el) {
  if (!el || !el.dataset || !el.dataset.testid) return null;
  const row = el.closest("[data-item-id], [data-participant-id], [data-scope]");
  return { testid: FOCUS_NEXT[el.dataset.testid] || el.dataset.testid, item: row?.dataset.itemId,
    participant: row?.dataset.participantId, scope: row?.dataset.scope };
}

function restoreFocus(view, key) {
  if (!key) return;
  let scope = view;
  if (key.item) scope = view.querySelector(`[data-item-id="${key.item}"]`);
  else if (key.participant) scope = view.querySelector(`[data-participant-id="${key.participant}"]`);
  else if (key.scope) scope = view.querySelector(`[data-scope="${key.scope}"]`);
  const el = scope && scope.querySelector(`[data-testid="${key.testid}"]`);
  // A move button that became disabled (the item reached the top) cannot take the focus; its row's title can.
  if (el && !el.disabled) el.focus();
  else if (scope && scope !== view) scope.querySelector("[data-testid='item-title']")?.focus();
}
