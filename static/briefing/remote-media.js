// What arrives from the bridge: each video track in a tile of its own, each audio track in an <audio> element.
// The bridge sends a track's frames as long as someone feeds it (a site that left leaves its track silent, and the
// bridge may give it to the next site), so a tile counts as showing only while its frames keep coming. Browsers may
// refuse to start sound without a tap: then every audio plays muted-to-silent until the user taps "Bật tiếng".
// Each tile knows its line (`mid`), by which the bridge says whose picture it carries; the screen names it.

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

// A tile without a new frame for this long shows nothing live (its sender has gone quiet).
const STALE_MS = 2500;
const CHECK_EVERY_MS = 1000;

// One received video, on the bridge's line `mid`: `onChange()` when it starts or stops showing frames.
function videoTile(stream, mid, onChange) {
  const video = h("video", { class: "remote-video", "data-testid": "briefing-remote-video", autoplay: true,
    playsinline: true });
  video.muted = true; // the sound comes by its own track (an <audio>), never twice
  video.srcObject = stream;
  const label = h("figcaption", { class: "tile-label", "data-testid": "briefing-tile-label", hidden: true });
  const node = h("figure", { class: "video-tile", "data-testid": "briefing-tile", hidden: true }, video, label);
  if (mid != null) node.dataset.mid = mid;
  let lastFrame = 0;
  let showing = false;
  const frame = () => {
    lastFrame = performance.now();
    if (!showing) check();
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(frame);
  };
  if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(frame);
  else video.addEventListener("timeupdate", frame);
  video.play().catch(() => {});
  const check = () => {
    const now = performance.now() - lastFrame < STALE_MS && lastFrame > 0;
    if (now === showing) return;
    showing = now;
    node.hidden = !showing;
    node.dataset.showing = String(showing);
    onChange();
  };
  return {
    node,
    check,
    mid,
    get showing() {
      return showing;
    },
    // `text`: who is in the picture; `detail` (smaller, optional): more of who; `peerId`: whose track it is.
    label(text, { detail = "", peerId = null } = {}) {
      if (text) {
        label.replaceChildren(h("span", { class: "tile-name", text }),
          ...(detail ? [h("span", { class: "tile-detail", text: detail })] : []));
      } else {
        label.replaceChildren();
      }
      label.hidden = !text;
      if (peerId == null) delete node.dataset.peerId;
      else node.dataset.peerId = String(peerId);
    },
    stop() {
      video.srcObject = null;
    },
  };
}

// Returns {tiles (the tiles' container), sound (the "Bật tiếng" button), add(track, stream, mid), showing() (the
// tiles with frames, in the order their tracks arrived), clear(), stop()}. `onChange()` when what shows changes.
export function remoteMedia({ onChange = () => {} } = {}) {
  const tiles = h("div", { class: "video-tiles", "data-testid": "briefing-tiles" });
  const speakers = h("div", { class: "remote-audio", hidden: true });
  const sound = h("button", { type: "button", class: "primary sound-on", "data-testid": "briefing-sound-on",
    hidden: true, text: t("briefing.soundOn"), onclick: () => unmute() });
  const videos = [];
  const audios = [];

  const play = (audio) => audio.play().catch((error) => {
    // Autoplay with sound refused until the user interacts with the page: play silently, offer the button.
    if (error && error.name === "NotAllowedError") {
      audio.muted = true;
      audio.play().catch(() => {});
      sound.hidden = false;
    }
  });
  const unmute = () => {
    for (const audio of audios) {
      audio.muted = false;
      play(audio);
    }
    sound.hidden = audios.every((audio) => !audio.muted);
  };
  const ticker = setInterval(() => {
    for (const tile of videos) tile.check();
  }, CHECK_EVERY_MS);

  return {
    tiles,
    speakers,
    sound,
    add(track, stream, mid = null) {
      if (track.kind === "audio") {
        const audio = h("audio", { autoplay: true, "data-testid": "briefing-remote-audio" });
        audio.srcObject = new MediaStream([track]);
        speakers.append(audio);
        audios.push(audio);
        play(audio);
        return;
      }
      const tile = videoTile(stream.getVideoTracks().length === 1 ? stream : new MediaStream([track]), mid, onChange);
      tiles.append(tile.node);
      videos.push(tile);
      onChange();
    },
    showing() {
      return videos.filter((tile) => tile.showing);
    },
    // The connection started again: its tracks are gone with it.
    clear() {
      for (const tile of videos.splice(0)) tile.stop();
      for (const audio of audios.splice(0)) audio.srcObject = null;
      tiles.replaceChildren();
      speakers.replaceChildren();
      sound.hidden = true;
      onChange();
    },
    stop() {
      clearInterval(ticker);
      this.clear();
    },
  };
}
