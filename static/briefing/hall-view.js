// City hall in the online briefing (the chair, the secretary): the secretary starts and ends it; the sites' pictures
// in a grid; the roll call beside it, live as sites join and leave. City hall's laptop sends the room's picture and
// sound once someone there connects the camera: asked for on that tap, not on opening the page, so that two laptops
// in one room do not both send (and echo) by default.
//
// Each picture is named after its site (the ward, and who is there), as the bridge says whose track each of its lines
// carries; the pictures keep the roll call's order.

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";
import { bridgeLink } from "/static/briefing/bridge-link.js";
import { connectionBadge, stageNotice } from "/static/briefing/briefing-status.js";
import { localMedia, openDevices } from "/static/briefing/local-media.js";
import { remoteMedia } from "/static/briefing/remote-media.js";
import { rollCall } from "/static/briefing/roll-call.js";

// `ctx`: {meetingId, back, start(), end(), mark(userId, status, reason) → Promise<boolean>}.
// Returns {node, briefing(b), peers(list), meeting(state), pack(), stop()}.
export function hallView({ meetingId, back, start, end, mark }) {
  let briefing = null;
  let state = null;
  let peers = null; // the bridge's latest list; until it speaks, the briefing's own `connected`
  let tracks = {}; // whose track each of the bridge's lines carries: {mid: {peer_id, kind}}
  let devices = null;
  let linkState = "idle";
  let refusal = "";
  let busy = false;

  const self = localMedia();
  const remote = remoteMedia({ onChange: () => drawTiles() });
  const link = bridgeLink(meetingId, {
    media: () => (devices ? devices.stream : null),
    onTrack: (track, stream, mid) => remote.add(track, stream, mid),
    onTracks: (next) => {
      tracks = next;
      drawTiles();
    },
    onState: (next, message) => {
      linkState = next;
      refusal = message || "";
      draw();
    },
    onClosed: () => remote.clear(),
  });
  const roll = rollCall({ mark });

  const title = h("h1", { "data-testid": "briefing-title" });
  const badge = connectionBadge();
  const notice = stageNotice();
  const sites = h("p", { class: "muted", "data-testid": "briefing-sites-online" });
  const busyWhile = (promise) => {
    busy = true;
    draw();
    promise.finally(() => {
      busy = false;
      draw();
    });
  };
  const startButton = h("button", { type: "button", class: "primary big", "data-testid": "briefing-start",
    text: `▶ ${t("briefing.start")}`, onclick: () => busyWhile(start()) });
  const endButton = h("button", { type: "button", class: "danger", "data-testid": "briefing-end",
    text: `■ ${t("briefing.end")}`, onclick: () => {
      if (window.confirm(t("briefing.endConfirm"))) busyWhile(end());
    } });
  const connectButton = h("button", { type: "button", class: "primary", "data-testid": "briefing-connect",
    text: t("briefing.connect"), onclick: () => connect() });
  const disconnectButton = h("button", { type: "button", "data-testid": "briefing-disconnect",
    text: t("briefing.disconnect"), onclick: () => {
      link.leave();
      self.stop();
      self.show(null, "");
      devices = null;
      draw();
    } });
  const grid = h("div", { class: "hall-grid" }, remote.tiles, notice.node);
  const node = h("div", { class: "briefing hall-briefing", "data-testid": "briefing-hall" },
    h("div", { class: "page-head briefing-head" },
      h("div", { class: "page-title" }, h("p", { class: "eyebrow", text: t("briefing.title") }), title, sites),
      h("div", { class: "head-actions" }, badge.node, remote.sound, self.controls, connectButton, disconnectButton,
        startButton, endButton,
        h("a", { class: "button", href: back, "data-testid": "briefing-back", text: t("briefing.back") }))),
    h("div", { class: "briefing-grid hall" },
      h("div", { class: "briefing-main" }, grid),
      h("div", { class: "briefing-side" }, self.node, roll.node)),
    remote.speakers);

  const running = () => Boolean(briefing && briefing.started && state && state.meeting.status === "live");
  const online = () => {
    if (peers) return new Set(peers.filter((p) => p.state === "connected").map((p) => p.peer_id));
    return new Set([...(briefing ? briefing.sites : []), ...(briefing ? briefing.hall : [])]
      .filter((p) => p.connected).map((p) => p.user_id));
  };

  async function connect() {
    if (!devices) {
      connectButton.disabled = true;
      devices = await openDevices();
      self.show(devices.stream, devices.problem);
    }
    link.join();
    draw();
  }

  // Each picture named after the site whose track its line carries (its ward, and who is there), in the roll call's
  // order; a picture the bridge has not yet said anything of is numbered.
  function drawTiles() {
    const showing = remote.showing();
    const sites = briefing ? briefing.sites : [];
    showing.forEach((tile, n) => {
      const peerId = tracks[tile.mid] ? tracks[tile.mid].peer_id : null;
      const at = sites.findIndex((s) => s.user_id === peerId);
      const site = sites[at];
      tile.node.style.order = String(at < 0 ? sites.length + n : at);
      if (site) tile.label(site.unit_name || site.name, { detail: site.unit_name ? site.name : "", peerId });
      else tile.label(t("briefing.siteN", { n: n + 1 }), { peerId });
    });
    grid.dataset.count = String(showing.length);
    let say = "";
    if (!running()) say = "";
    else if (!link.joined) say = "briefing.hall.connectHint";
    else if (linkState !== "connected") say = "briefing.wait.connecting";
    else if (!showing.length) say = "briefing.hall.noSites";
    notice.show(linkState === "refused" && refusal ? refusal : say ? t(say) : "", say);
  }

  function draw() {
    const may = Boolean(briefing && briefing.may_manage);
    const live = Boolean(state && state.meeting.status === "live");
    startButton.hidden = !may || !live || running();
    endButton.hidden = !may || !running();
    startButton.disabled = endButton.disabled = busy;
    connectButton.hidden = !running() || link.joined;
    connectButton.disabled = false;
    disconnectButton.hidden = !running() || !link.joined;
    self.node.hidden = !link.joined;
    self.controls.hidden = !link.joined;
    badge.show(running() ? (link.joined ? linkState : "idle") : "waiting");
    if (briefing) {
      const connected = online();
      // Connected sites the bridge asked not to send: city hall shows its first sites, these wait their turn.
      const waiting = new Set((peers || []).filter((p) => p.role === "site" && p.state === "connected"
        && p.sending === false).map((p) => p.peer_id));
      roll.show(briefing, connected, waiting);
      const count = briefing.sites.filter((s) => connected.has(s.user_id)).length;
      sites.textContent = running() ? t("briefing.hall.online", { n: count, total: briefing.sites.length })
        : t(briefing.ended_at ? "briefing.hall.ended" : (live ? "briefing.hall.notStarted" : "briefing.wait.notLive"));
    }
    drawTiles();
  }

  return {
    node,
    briefing(next) {
      briefing = next;
      if (!running()) {
        if (link.joined) link.leave();
        peers = null;
      }
      if (linkState === "refused") linkState = "idle";
      draw();
    },
    peers(list) {
      peers = list;
      draw();
    },
    meeting(next) {
      state = next;
      title.textContent = state.meeting.title;
      if (!running() && link.joined) link.leave();
      draw();
    },
    pack() {},
    stop() {
      link.leave({ forever: true });
      remote.stop();
      self.stop();
    },
  };
}
