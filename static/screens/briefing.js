// The online briefing (giao ban trực tuyến) of a live meeting, #/meetings/{id}/briefing: a remote site sees and hears
// city hall with the presented page and the agenda (static/briefing/site-view.js); city hall (the chair, the
// secretary) starts it, sees the sites and takes the roll call (static/briefing/hall-view.js). Both follow the
// briefing's channel (bridge:{id}: the briefing's state, who is connected) and the meeting's (the agenda, the
// presented page). Contract: docs/protocol.md.

import { get, post, put, del } from "/static/api.js";
import { onLeave, report } from "/static/app.js";
import { hallView } from "/static/briefing/hall-view.js";
import { siteView } from "/static/briefing/site-view.js";
import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";
import { live } from "/static/live.js";
import { applyEvent } from "/static/meeting-state.js";

export async function showBriefing(view, meetingId) {
  const path = `/api/meetings/${meetingId}/briefing`;
  const statePath = `/api/meetings/${meetingId}/state`;
  const packPath = `/api/meetings/${meetingId}/pack`;
  let [briefing, state] = await Promise.all([get(path), get(statePath)]);
  const back = `#/meetings/${meetingId}`;

  if (briefing.my_role === "none") {
    view.append(h("section", { class: "card", "data-testid": "briefing-not-yours" },
      h("h1", { text: t("briefing.title") }), h("p", { text: t("briefing.notYours") }),
      h("a", { class: "button", href: back, text: t("briefing.back") })));
    return;
  }

  // The briefing as the server has it: the answer to the caller's own change, an event, or a read. An answer asked
  // for before an event that came meanwhile is older than what is shown.
  let heard = 0;
  const shown = (next, mark = heard) => {
    if (mark !== heard) return;
    briefing = { ...next, my_role: briefing.my_role, may_manage: briefing.may_manage };
    screen.briefing(briefing);
  };
  const change = async (request) => {
    const mark = heard;
    try {
      shown(await request(), mark);
      return true;
    } catch (error) {
      report(error);
      return false;
    }
  };
  const reload = async () => {
    const mark = heard;
    shown(await get(path), mark);
  };

  const screen = briefing.my_role === "site" ? siteView({ meetingId, back }) : hallView({
    meetingId,
    back,
    start: () => change(() => post(path, {})),
    end: () => change(() => del(path)),
    mark: (userId, status, reason) => change(() => put(`${path}/sites/${userId}`, { status, reason })),
  });

  // The pack is the site's to show the presented page from; read again when a paper is added or replaced.
  let packVersion = null;
  const readPack = () => get(packPath).then((pack) => {
    if (pack.version === packVersion) return;
    packVersion = pack.version;
    screen.pack(pack);
  }).catch(() => {});

  const stopBridge = live.follow(`bridge:${meetingId}`, {
    onEvent: (event) => {
      if (event.type !== "briefing.updated") return;
      heard += 1;
      shown(event.data.briefing, heard);
    },
    onVolatile: (message) => {
      if (message.type === "briefing.peers") screen.peers(message.data.peers || []);
    },
    onReset: async () => {
      await reload();
      return null;
    },
  });
  const stopMeeting = live.follow(`meeting:${meetingId}`, {
    since: state.seq,
    epoch: state.epoch,
    onEvent: (event) => {
      if (event.type.startsWith("document.")) readPack();
      if (applyEvent(state, event)) screen.meeting(state);
    },
    onReset: async () => {
      state = await get(statePath);
      screen.meeting(state);
      return { since: state.seq, epoch: state.epoch };
    },
  });
  // Back from a dropped socket: events missed on the briefing's channel are replayed, but who is connected is not.
  const onSocket = ({ detail }) => {
    if (detail.connected) reload().catch(() => {});
  };
  window.addEventListener("ecabinet:live", onSocket);
  onLeave(() => {
    stopBridge();
    stopMeeting();
    window.removeEventListener("ecabinet:live", onSocket);
    screen.stop();
  });

  view.append(screen.node);
  screen.meeting(state);
  screen.briefing(briefing);
  if (briefing.my_role === "site") readPack();
}
