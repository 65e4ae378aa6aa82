// A remote site (điểm cầu) in the online briefing: city hall's picture large with its sound, this site's own camera
// small in a corner, the page being presented beside it (images from the pack, turned by the meeting's events, not
// sent as video), and the agenda with the item under discussion. Before city hall starts the briefing the site waits
// here, its camera already checked; it joins by itself when the briefing starts and leaves when it ends. City hall's
// picture carries the name of who sends it (the chair's laptop, the secretary's), as the bridge says whose it is.

import { session } from "/static/app.js";
import { agendaTree } from "/static/components/agenda-tree.js";
import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";
import { bridgeLink } from "/static/briefing/bridge-link.js";
import { connectionBadge, stageNotice } from "/static/briefing/briefing-status.js";
import { localMedia, openDevices } from "/static/briefing/local-media.js";
import { presentedPage } from "/static/briefing/presented-page.js";
import { remoteMedia } from "/static/briefing/remote-media.js";

// `ctx`: {meetingId, back (the meeting page's address)}. Returns the view the screen drives:
// {node, briefing(b), peers(list), meeting(state), pack(pack), stop()}.
export function siteView({ meetingId, back }) {
  let briefing = null;
  let state = null;
  let pack = null;
  let devices = null; // {stream, problem} once asked
  let linkState = "idle";
  let refusal = "";
  let tracks = {}; // whose track each of the bridge's lines carries: {mid: {peer_id, kind}}
  let sending = null; // whether city hall is shown this site (the bridge takes its picture and sound), once told

  const self = localMedia();
  const remote = remoteMedia({ onChange: () => draw() });
  const link = bridgeLink(meetingId, {
    media: () => (devices ? devices.stream : null),
    onTrack: (track, stream, mid) => remote.add(track, stream, mid),
    onTracks: (next) => {
      tracks = next;
      draw();
    },
    onState: (next, message) => {
      linkState = next;
      refusal = message || "";
      draw();
    },
    onClosed: () => remote.clear(),
  });
  const page = presentedPage();

  const badge = connectionBadge();
  const notice = stageNotice();
  const stage = h("div", { class: "stage", "data-testid": "briefing-stage" }, remote.tiles, notice.node, self.node);
  const current = h("p", { class: "current-item", "data-testid": "briefing-current-item" });
  // City hall shows a limited number of sites; the others are asked not to send until their turn.
  const wall = h("p", { class: "wall-state", "data-testid": "briefing-on-wall" });
  const agenda = h("div", { class: "briefing-agenda" });
  const title = h("h1", { "data-testid": "briefing-title" });
  const node = h("div", { class: "briefing site-briefing", "data-testid": "briefing-site" },
    h("div", { class: "page-head briefing-head" },
      h("div", { class: "page-title" }, h("p", { class: "eyebrow", text: t("briefing.title") }), title),
      h("div", { class: "head-actions" }, badge.node, remote.sound, self.controls,
        h("a", { class: "button", href: back, "data-testid": "briefing-back", text: t("briefing.back") }))),
    h("div", { class: "briefing-grid" },
      h("div", { class: "briefing-main" }, stage, wall, current,
        h("section", { class: "card" }, h("h2", { text: t("agenda.title") }), agenda)),
      h("div", { class: "briefing-side" }, page.node)),
    remote.speakers);

  const live = () => Boolean(state && state.meeting.status === "live");
  const running = () => Boolean(briefing && briefing.started && live());

  // Join once the briefing runs and the camera question has an answer (given or refused); leave when it stops.
  const follow = () => {
    if (running() && devices && !link.joined && linkState !== "refused") link.join();
    else if (!running() && link.joined) link.leave();
    if (!running() && linkState === "refused") linkState = "idle";
  };

  function draw() {
    const showing = remote.showing();
    // City hall's first picture large; a second (the chair's and the secretary's both) small beside it.
    showing.forEach((tile, n) => {
      tile.node.classList.toggle("main", n === 0);
      const peerId = tracks[tile.mid] ? tracks[tile.mid].peer_id : null;
      const who = briefing ? briefing.hall.find((p) => p.user_id === peerId) : null;
      tile.label(who ? who.name : "", { detail: who ? t(`role.${who.role}`) : "", peerId });
    });
    stage.classList.toggle("has-video", showing.length > 0);
    let say;
    if (!state) say = "";
    else if (!live()) say = state.meeting.status === "closed" ? "briefing.wait.closed" : "briefing.wait.notLive";
    else if (!briefing || !briefing.started) say = briefing && briefing.ended_at ? "briefing.wait.ended" : "briefing.wait.start";
    else if (!devices) say = "briefing.wait.devices";
    else if (linkState === "refused") say = "";
    else if (linkState !== "connected") say = "briefing.wait.connecting";
    else if (!showing.length) say = "briefing.wait.hall";
    else say = "";
    notice.show(linkState === "refused" && running() ? refusal : say ? t(say) : "", say);
    const told = running() && linkState === "connected" && sending !== null;
    wall.hidden = !told;
    wall.dataset.sending = told ? String(sending) : "";
    wall.textContent = told ? t(sending ? "briefing.site.shown" : "briefing.site.notShown") : "";
    badge.show(running() ? linkState : "waiting");
  }

  const drawAgenda = () => {
    if (!state) return;
    title.textContent = state.meeting.title;
    const item = state.items.find((i) => i.status === "current");
    current.textContent = item ? t("briefing.currentItem", { number: item.item_number, title: item.title }) : "";
    current.hidden = !item;
    agenda.replaceChildren(agendaTree(state.items));
  };

  // The camera is asked for at once: the site sees that its picture works while it waits for city hall.
  openDevices().then((found) => {
    devices = found;
    self.show(found.stream, found.problem);
    follow();
    draw();
  });
  draw();

  return {
    node,
    briefing(next) {
      briefing = next;
      // A refusal is the server's answer to the state it had then: a new state is worth another try.
      if (linkState === "refused") linkState = "idle";
      follow();
      draw();
    },
    peers(list) {
      const me = list.find((p) => session.user && p.peer_id === session.user.id);
      sending = me ? Boolean(me.sending) : null;
      draw();
    },
    meeting(next) {
      state = next;
      drawAgenda();
      page.show(pack, state.presenter);
      follow();
      draw();
    },
    pack(next) {
      pack = next;
      page.show(pack, state ? state.presenter : null);
    },
    stop() {
      link.leave({ forever: true });
      remote.stop();
      self.stop();
    },
  };
}
