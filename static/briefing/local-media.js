// This device's camera and microphone in an online briefing: asked for once, shown small (mirrored, as people
// expect to see themselves), each switched off and on without renegotiating (the track goes dark or silent).

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

// A picture a ward office's laptop camera and a LAN carry well to city hall's screen of sixteen.
const VIDEO = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 25, max: 30 } };

// The camera and the microphone, or what the device has of them: {stream, problem} where `problem` is an i18n key
// (no camera, access refused) or "" when both came.
export async function openDevices() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return { stream: null, problem: "briefing.media.unsupported" };
  }
  const tries = [
    [{ audio: true, video: VIDEO }, ""],
    [{ audio: true, video: false }, "briefing.media.noCamera"],
    [{ audio: false, video: VIDEO }, "briefing.media.noMicrophone"],
  ];
  let refused = false;
  for (const [constraints, problem] of tries) {
    try {
      return { stream: await navigator.mediaDevices.getUserMedia(constraints), problem };
    } catch (error) {
      // Refused once is refused for every try: asking again only repeats the browser's answer.
      if (error && error.name === "NotAllowedError") {
        refused = true;
        break;
      }
    }
  }
  return { stream: null, problem: refused ? "briefing.media.refused" : "briefing.media.none" };
}

// The small preview of this device's picture with its microphone and camera switches.
// Returns {node, controls, show(stream, problem), stop()}.
export function localMedia() {
  const video = h("video", { class: "self-video", "data-testid": "briefing-self-video", autoplay: true,
    playsinline: true });
  video.muted = true; // one's own microphone played back would echo into it
  const note = h("p", { class: "self-note", "data-testid": "briefing-media-problem", hidden: true });
  const node = h("div", { class: "self-view", "data-testid": "briefing-self" }, video,
    h("span", { class: "self-label", text: t("briefing.self") }), note);
  const mic = h("button", { type: "button", class: "media-toggle", "data-testid": "briefing-mic",
    onclick: () => toggle("audio") });
  const camera = h("button", { type: "button", class: "media-toggle", "data-testid": "briefing-camera",
    onclick: () => toggle("video") });
  const controls = h("div", { class: "media-controls" }, mic, camera);
  let stream = null;

  const trackOf = (kind) => (stream ? stream.getTracks().find((track) => track.kind === kind) : null);
  const draw = () => {
    for (const [button, kind] of [[mic, "audio"], [camera, "video"]]) {
      const track = trackOf(kind);
      const on = Boolean(track && track.enabled);
      button.hidden = !track;
      button.setAttribute("aria-pressed", String(on));
      button.classList.toggle("off", !on);
      button.textContent = t(`briefing.${kind}.${on ? "on" : "off"}`);
    }
    video.hidden = !trackOf("video");
  };
  const toggle = (kind) => {
    const track = trackOf(kind);
    if (!track) return;
    track.enabled = !track.enabled;
    draw();
  };
  draw();

  return {
    node,
    controls,
    show(found, problem) {
      stream = found;
      if (stream) {
        video.srcObject = stream;
        video.play().catch(() => {});
      }
      note.textContent = problem ? t(problem) : "";
      note.hidden = !problem;
      draw();
    },
    stop() {
      if (stream) for (const track of stream.getTracks()) track.stop();
      video.srcObject = null;
      stream = null;
    },
  };
}
