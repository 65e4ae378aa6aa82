// The status moves open to the user from where the meeting stands (the server checks each again).

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

// Mirrors ecabinet/lifecycle.py: draft → scheduled → live → closed → archived, and back to draft before it starts.
export const NEXT = {
  draft: ["scheduled"], scheduled: ["live", "draft"], live: ["closed"], closed: ["archived"], archived: [],
};
const CHAIR_MAY = { scheduled: ["live"], live: ["closed"] };
// Moves that end something: asked twice, since they cannot be undone from the UI.
const FINAL = new Set(["closed", "archived"]);

// Every move the user may make: the editor's buttons.
export function allowedMoves(meeting) {
  if (meeting.can_manage) return NEXT[meeting.status] || [];
  if (meeting.can_chair) return CHAIR_MAY[meeting.status] || [];
  return [];
}

// Opening and closing the session: the moves made in the room, by the chair or the secretary.
export function roomMoves(meeting) {
  return meeting.can_chair ? CHAIR_MAY[meeting.status] || [] : [];
}

// Buttons for the given moves; `move(to)` performs one.
export function transitionButtons(moves, move) {
  return h("div", { class: "button-row" }, moves.map((to) => h("button", {
    type: "button", class: to === "draft" ? "" : "primary", "data-testid": `transition-${to}`,
    text: t(`transition.${to}`),
    onclick: () => {
      if (!FINAL.has(to) || confirm(t(`transition.confirm.${to}`))) move(to);
    },
  })));
}
