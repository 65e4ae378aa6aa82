// The meeting page: details, the agenda, participants with attendance, check-in, substitutes, quorum, and who
// is online, and the votes (static/votes/meeting-votes.js). It follows the meeting live: every change anyone makes
// shows here without reloading.

import { get, post } from "/static/api.js";
import { onLeave, report, session, toast } from "/static/app.js";
import { agendaTree } from "/static/components/agenda-tree.js";
import { documentList } from "/static/components/document-list.js";
import { packStatus } from "/static/components/pack-status.js";
import { participantList } from "/static/components/participant-list.js";
import { presenceBox } from "/static/components/presence-box.js";
import { quorumBox } from "/static/components/quorum-box.js";
import { statusBadge } from "/static/components/status-badge.js";
import { roomMoves, transitionButtons } from "/static/components/transition-buttons.js";
import { clear, h } from "/static/dom.js";
import { meetingFloor } from "/static/floor/meeting-floor.js";
import { formatDateTime, t } from "/static/i18n.js";
import { ActionRefused, live } from "/static/live.js";
import { applyEvent, applyProgress } from "/static/meeting-state.js";
import { meetingRecord } from "/static/record/meeting-record.js";
import { meetingVotes } from "/static/votes/meeting-votes.js";

export async function showMeeting(view, meetingId) {
  const path = `/api/meetings/${meetingId}/state`;
  let state = await get(path);
  let online = new Set();
  // The secretariat's list of tablets with the pack offline: made once, it updates itself between redraws.
  const tablets = state.meeting.can_manage ? packStatus(meetingId) : null;
  if (tablets) onLeave(tablets.stop);
  // Pre-positions, polls and the vote sheet: made once, they update themselves between redraws.
  const votes = meetingVotes(meetingId, { me: session.user.id, report, toast });
  onLeave(votes.stop);
  // The floor: its banner, the speak button, and the console of whoever gives the floor (static/floor/).
  const floor = meetingFloor(meetingId, { me: session.user.id, report, withNote: true });
  onLeave(floor.stop);
  // The record: conclusions with their tasks under each item, the minutes and the invitation (static/record/).
  const record = meetingRecord(meetingId, { report, toast });
  onLeave(record.stop);

  const draw = () => render(view, state, online, act, tablets, votes, floor, record);
  // An action's own event redraws the page; reading the state again covers a socket that is down.
  const act = (promise) => promise.then(async () => {
    if (!live.connected) {
      state = await get(path);
      draw();
    }
  }).catch(report);

  const stop = live.follow(`meeting:${meetingId}`, {
    since: state.seq,
    epoch: state.epoch,
    onEvent: (event) => {
      if (votes.hear(event)) return;
      if (floor.hear(event)) return;
      if (record.hear(event)) return;
      if (applyEvent(state, event)) draw();
    },
    onVolatile: (message) => {
      if (message.type === "document.progress") {
        if (applyProgress(state, message.data)) draw();
        return;
      }
      if (message.type !== "presence") return;
      online = new Set(message.data.online);
      draw();
    },
    onReset: async () => {
      state = await get(path);
      draw();
      votes.reload().catch(() => {});
      floor.reload().catch(() => {});
      record.reload().catch(() => {});
      return { since: state.seq, epoch: state.epoch };
    },
    // Removed from the meeting, or it went back to draft: reading it again shows why.
    onRevoked: () => get(path).then((fresh) => {
      state = fresh;
      draw();
    }).catch(report),
  });
  onLeave(stop);
  draw();
  votes.reload().catch(report);
  floor.reload().catch(() => {}); // the state carries the floor; this sets the clock its timers count by
  record.reload().catch(report);
}

function render(view, state, online, act, tablets, votes, floor, record) {
  const { meeting } = state;
  const meetingId = meeting.id;
  // A redraw keeps the reader where they were on a long page, and what they had unfolded or begun to type.
  const scroll = window.scrollY;
  const unfolded = openForms(view);
  const head = h("div", { class: "page-head" },
    h("div", { class: "page-title" },
      h("h1", { "data-testid": "meeting-heading", text: meeting.title }),
      h("p", { class: "meeting-facts" },
        h("span", { class: "kind", text: t(`kind.${meeting.kind}`) }),
        h("span", { "data-testid": "meeting-time", text: formatDateTime(meeting.starts_at) })),
      meeting.place ? h("p", { class: "muted", "data-testid": "meeting-place", text: meeting.place }) : null),
    h("div", { class: "head-actions" },
      statusBadge(meeting.status),
      // The briefing pack on the tablet: every paper of the agenda in one reader, offline too.
      h("a", { class: "button primary", href: `#/meetings/${meetingId}/pack`, "data-testid": "open-pack",
        text: `📖 ${t("reader.open")}` }),
      // City hall and the remote sites join the online briefing of a live meeting (static/screens/briefing.js).
      mayJoinBriefing(meeting) ? h("a", { class: "button primary", href: `#/meetings/${meetingId}/briefing`,
        "data-testid": "open-briefing", text: t("briefing.open") }) : null,
      // The chair opens and closes the session from here; the secretary also has these in the editor.
      transitionButtons(roomMoves(meeting), (to) => act(post(`/api/meetings/${meetingId}/transition`, { to }))),
      meeting.can_manage ? h("a", { class: "button", href: `#/meetings/${meetingId}/edit`,
        "data-testid": "edit-meeting", text: t("meeting.edit") }) : null));

  // The chair (or secretary) takes up an item: a live action, answered at once, shown on every tablet.
  const takeUp = meeting.status === "live" && (meeting.can_chair || meeting.can_manage)
    ? (item) => live.action("agenda.current", { item_id: item.id }).catch((error) => toast(error instanceof ActionRefused ? error.message : t("error.network"))) : null;
  const documents = (item) => [documentList((state.documents || []).filter((d) => d.item_id === item.id)),
    votes.itemNode(item), record.itemNode(item)];
  votes.update(state);
  floor.update(state);
  record.update(state);
  const agenda = h("section", { class: "card" }, h("h2", { text: t("agenda.title") }),
    agendaTree(state.items, { takeUp, documents }));
  const people = h("section", { class: "card" }, h("h2", { text: t("participants.title") }),
    participantList(state.participants, { meeting, me: session.user.id, act, report, online }));
  // The chair's and the secretary's console: who has the meeting open right now.
  const presence = meeting.can_chair || meeting.can_manage ? presenceBox(state.participants, online) : null;

  const side = h("div", {}, floor.console, presence, tablets ? tablets.node : null, quorumBox(state.quorum), people);
  clear(view).append(head, floor.bar, h("div", { class: "columns" }, h("div", {}, agenda, votes.node, record.node), side));
  reopen(view, unfolded);
  if (view.isConnected) window.scrollTo(0, scroll);
}

// City hall (the chair, the secretary) and the remote sites; members follow the meeting here, not on video.
function mayJoinBriefing(meeting) {
  return meeting.status === "live" && ((meeting.my_roles || []).includes("site") || meeting.can_chair);
}

// Every change anyone makes (and every arrival in the room) draws the page again. A form the reader had unfolded
// (naming a substitute, an absence, a classification's rules) must stay open with its text and focus, or a tap
// lands on a control that has just gone.
const ROWS = { participantId: "data-participant-id", documentId: "data-document-id", itemId: "data-item-id" };

function rowOf(el, view) {
  const row = el.closest("[data-participant-id], [data-document-id], [data-item-id]");
  const name = row && Object.keys(ROWS).find((key) => key in row.dataset);
  return name ? { name, value: row.dataset[name] } : null;
}

function rowIn(view, row) {
  return row ? view.querySelector(`[${ROWS[row.name]}="${row.value}"]`) : view;
}

function openForms(view) {
  const forms = [...view.querySelectorAll("details[open]")].map((box) => ({
    row: rowOf(box, view),
    summary: box.querySelector(":scope > summary")?.dataset.testid,
    testid: box.dataset.testid,
    fields: [...box.querySelectorAll("input[data-testid]")].map((field) => [field.dataset.testid, field.value]),
  }));
  const active = document.activeElement;
  const focus = active && view.contains(active) && active.dataset.testid
    ? { row: rowOf(active, view), testid: active.dataset.testid } : null;
  return { forms, focus };
}

function reopen(view, { forms, focus }) {
  for (const form of forms) {
    const scope = rowIn(view, form.row);
    const box = form.summary ? scope?.querySelector(`[data-testid="${form.summary}"]`)?.closest("details")
      : scope?.querySelector(`details[data-testid="${form.testid}"]`);
    if (!box) continue;
    for (const [testid, value] of form.fields) {
      const field = box.querySelector(`input[data-testid="${testid}"]`);
      if (field) field.value = value;
    }
    box.open = true;
  }
  if (focus) rowIn(view, focus.row)?.querySelector(`[data-testid="${focus.testid}"]`)?.focus();
}
