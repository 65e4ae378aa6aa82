// The floor on a meeting's screens (the meeting page, the reader): the floor banner, the speak button, and the
// console of whoever gives the floor. Made once per visit to a screen and kept up to date by the meeting channel's
// floor.updated events. Their floor ({meeting_id, console, speaking, queue, spoken}) carries nobody's own view, nor
// what follows from other parts of the meeting: what the viewer may do, which request is theirs, who has not spoken
// and the current item are worked out here from the state the screen holds, as the server does (ecabinet/floor.py).
// Contract: docs/protocol.md, "The floor: speakers' queue and the console".

import { get, post } from "/static/api.js";
import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";
import { live } from "/static/live.js";
import { heardServerTime, setServerTime } from "/static/floor/clock.js";
import { floorBanner } from "/static/floor/floor-banner.js";
import { floorConsole } from "/static/floor/floor-console.js";
import { speakButton } from "/static/floor/speak-button.js";

const TICK_MS = 1000;

// `me`: the signed-in user's id; `report(error)`: app.js's; `withNote`: the speak button offers a note field;
// `folded`: the console folds under a one-line summary (the reader, where the page is what matters).
// Returns {bar, console, update(state), hear(event), reload(), stop()}.
export function meetingFloor(meetingId, { me, report, withNote = false, folded = false }) {
  let floor = null; // the floor as the channel carries it
  let taken = null; // the state's floor last taken: a state loaded afresh brings a new one
  let heard = 0; // floor events heard: an answer asked for before one of them is older than what is shown
  let meeting = null;
  let participants = [];
  let items = [];
  let busy = false;
  let alive = true;

  const path = `/api/meetings/${meetingId}`;
  // An action's answer: a floor (every action but asking) is shown unless an event has brought a newer one; without
  // the socket, or after asking, the floor is read again.
  const act = (request) => {
    const mark = heard;
    busy = true;
    draw();
    request()
      .then((answer) => {
        if (!alive) return null;
        if (answer && answer.server_time && heard === mark) {
          setServerTime(answer.server_time);
          floor = answer;
        } else if (!live.connected || heard === mark) {
          return reload();
        }
        return null;
      })
      .catch(report)
      .finally(() => {
        busy = false;
        draw();
      });
  };

  const banner = floorBanner();
  const speak = speakButton({
    withNote,
    ask: (note) => act(() => post(`${path}/speakers`, note ? { note } : {})),
    withdraw: () => mine() && act(() => post(`/api/speakers/${mine().id}/withdraw`)),
    finish: () => mine() && act(() => post(`/api/speakers/${mine().id}/done`)),
  });
  const desk = floorConsole({
    grant: (speaker, limitSecs) => act(() => post(`/api/speakers/${speaker.id}/grant`,
      limitSecs ? { limit_secs: limitSecs } : {})),
    end: (speaker) => act(() => post(`/api/speakers/${speaker.id}/done`)),
    remove: (speaker) => act(() => post(`/api/speakers/${speaker.id}/withdraw`)),
    add: (userId) => act(() => post(`${path}/speakers`, { user_id: userId })),
    setHolder: (holder) => act(() => post(`${path}/console`, { holder })),
  });
  const bar = h("div", { class: "floor-bar", "data-testid": "floor-bar", hidden: true }, banner.node, speak.node);
  const summary = h("summary", { class: "floor-fold-summary", "data-testid": "floor-console-summary" });
  const fold = folded ? h("details", { class: "floor-fold", "data-testid": "floor-console-fold", hidden: true },
    summary, desk.node) : null;

  // ---- who the viewer is ------------------------------------------------------------------------------------

  const roles = () => (meeting && meeting.my_roles) || [];
  const isChair = () => roles().includes("chair");
  const canManage = () => Boolean(meeting && meeting.can_manage);
  const isLive = () => Boolean(meeting && meeting.status === "live");
  // Anyone taking part asks, except observers; a substitute asks in the member's place.
  const mayRequest = () => isLive() && (roles().some((role) => role !== "observer")
    || participants.some((p) => p.substitute_id === me));
  // Only the console holder gives the floor: the chair, or the secretary who took the console over.
  const mayGrant = () => isLive() && Boolean(floor)
    && ((floor.console || {}).holder === "secretary" ? canManage() : isChair());
  const mine = () => {
    if (!floor) return null;
    if (floor.speaking && floor.speaking.user_id === me) return floor.speaking;
    return (floor.queue || []).find((s) => s.user_id === me) || null;
  };
  // The item under discussion: the agenda's current item (item events keep it current), else the floor's own.
  const currentItem = () => items.find((i) => i.status === "current") || (floor && floor.item) || null;
  // Members present, each seat as the person in it (the substitute who checked in for the member), who have not
  // had the floor; a floor read over HTTP says so itself.
  const notSpoken = () => {
    if (!floor.spoken) return floor.not_spoken || [];
    const spoken = new Set(floor.spoken);
    return participants.filter((p) => p.role === "member" && p.attendance === "present")
      .map((p) => (p.by_substitute && p.substitute_id ? { user_id: p.substitute_id, name: p.substitute_name }
        : { user_id: p.user_id, name: p.name }))
      .filter((p) => p.user_id !== null && !spoken.has(p.user_id));
  };

  // ---- drawing ----------------------------------------------------------------------------------------------

  function draw() {
    if (!alive) return;
    const showing = isLive() && Boolean(floor);
    const own = showing ? mine() : null;
    const consoleShown = showing && (isChair() || canManage());
    banner.show(showing ? { speaking: floor.speaking, item: currentItem() } : { speaking: null, item: null });
    speak.show({ mine: own, position: own ? (floor.queue || []).indexOf(own) + 1 : 0,
      mayRequest: showing && mayRequest(), busy, plain: consoleShown });
    bar.hidden = banner.node.hidden && speak.node.hidden;
    desk.show({ shown: consoleShown, floor, notSpoken: consoleShown ? notSpoken() : [], mayGrant: mayGrant(),
      isChair: isChair(), canManage: canManage(), participants, busy });
    if (fold) {
      fold.hidden = !consoleShown;
      if (consoleShown) summary.textContent = t("floor.consoleSummary", { n: (floor.queue || []).length });
    }
  }

  const ticker = setInterval(() => {
    banner.tick();
    speak.tick();
    desk.tick();
  }, TICK_MS);

  // The floor as the server has it now, with its clock; the floor itself is kept only if no event came meanwhile.
  async function reload() {
    const mark = heard;
    const answer = await get(`${path}/floor`);
    if (!alive) return;
    setServerTime(answer.server_time);
    if (heard === mark) floor = answer;
    draw();
  }

  return {
    bar,
    console: fold || desk.node,
    // The meeting state the screen holds: the viewer's roles, the status, the participants, the agenda; and the
    // floor, when the state was loaded afresh.
    update(state) {
      if (!state) return;
      meeting = state.meeting;
      participants = state.participants || [];
      items = state.items || [];
      if (state.floor && state.floor !== taken) {
        taken = state.floor;
        floor = state.floor;
      }
      draw();
    },
    // A meeting-channel event: true when it was the floor's.
    hear(event) {
      if (event.type !== "floor.updated") return false;
      heard += 1;
      if (event.ts) heardServerTime(event.ts);
      floor = event.data.floor;
      draw();
      return true;
    },
    reload,
    stop() {
      alive = false;
      clearInterval(ticker);
    },
  };
}
