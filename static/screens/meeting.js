// The meeting page: details, the agenda, participants with attendance, check-in, substitutes, quorum.

import { get, post } from "/static/api.js";
import { report, session } from "/static/app.js";
import { agendaTree } from "/static/components/agenda-tree.js";
import { participantList } from "/static/components/participant-list.js";
import { quorumBox } from "/static/components/quorum-box.js";
import { statusBadge } from "/static/components/status-badge.js";
import { roomMoves, transitionButtons } from "/static/components/transition-buttons.js";
import { clear, h } from "/static/dom.js";
import { formatDateTime, t } from "/static/i18n.js";

export async function showMeeting(view, meetingId) {
  const state = await get(`/api/meetings/${meetingId}/state`);
  const { meeting } = state;
  const reload = () => showMeeting(view, meetingId).catch(report);
  const act = (promise) => promise.then(reload).catch(report);

  const head = h("div", { class: "page-head" },
    h("div", { class: "page-title" },
      h("h1", { "data-testid": "meeting-heading", text: meeting.title }),
      h("p", { class: "meeting-facts" },
        h("span", { class: "kind", text: t(`kind.${meeting.kind}`) }),
        h("span", { "data-testid": "meeting-time", text: formatDateTime(meeting.starts_at) })),
      meeting.place ? h("p", { class: "muted", "data-testid": "meeting-place", text: meeting.place }) : null),
    h("div", { class: "head-actions" },
      statusBadge(meeting.status),
      // The chair opens and closes the session from here; the secretary also has these in the editor.
      transitionButtons(roomMoves(meeting), (to) => act(post(`/api/meetings/${meetingId}/transition`, { to }))),
      meeting.can_manage ? h("a", { class: "button", href: `#/meetings/${meetingId}/edit`,
        "data-testid": "edit-meeting", text: t("meeting.edit") }) : null));

  const agenda = h("section", { class: "card" }, h("h2", { text: t("agenda.title") }), agendaTree(state.items));
  const people = h("section", { class: "card" }, h("h2", { text: t("participants.title") }),
    participantList(state.participants, { meeting, me: session.user.id, act, report }));

  const columns = h("div", { class: "columns" }, h("div", {}, agenda), h("div", {}, quorumBox(state.quorum), people));
  clear(view).append(head, columns);
}
