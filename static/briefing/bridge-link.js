// This browser's one peer connection with the online briefing's video bridge (realtime/bridge.py), signaled over
// the page's websocket (docs/protocol.md, "Video signaling"). The bridge does not trickle ICE: the offer goes once
// the browser has gathered its candidates, so the description carries them. The bridge's own offers (a site joins,
// city hall arrives) come on the user's channel and are answered one at a time, after any offer of ours: every step
// of negotiation runs on one promise chain, so a remote offer is never applied while a local one is pending.
// A connection that fails, or a websocket that comes back (the bridge's offers meanwhile are lost), starts again
// with a new offer; the bridge drops the old connection when it hears it.
// The bridge's answers and offers say whose track each of its lines carries ({mid: {peer_id, kind}}), and rtc.tracks
// says so again when a line passes to another peer without a new offer: the screen names its pictures from it.

import { ActionRefused, live } from "/static/live.js";
import { hearUser } from "/static/user-channel.js";

// A LAN gathers its host candidates in well under a second; past this, the offer goes with what it has and the
// rest follow as rtc.candidate actions.
const GATHER_TIMEOUT_MS = 3000;
// A connection "disconnected" often comes back by itself (a Wi-Fi blip): wait this long before starting again.
const DISCONNECTED_GRACE_MS = 5000;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 15000;
// Starting again because the bridge had more to send: more than once within this long backs off.
const QUICK_WINDOW_MS = 10000;

const iceUfrag = (sdp) => (/^a=ice-ufrag:(\S+)/m.exec(sdp || "") || [])[1] || null;

// `media()`: the camera and microphone to send (a MediaStream, or null: receive only); `onTrack(track, stream, mid)`:
// a track from the bridge, on the line `mid`; `onTracks(tracks)`: whose track each line carries now, {mid: {peer_id,
// kind}}; `onState(state, message)`: idle | connecting | connected | reconnecting | refused (with the server's
// message); `onClosed()`: the connection's tracks are gone (it closed, or starts again).
// Returns {join(), leave(), state, joined}.
export function bridgeLink(meetingId, { media = () => null, onTrack, onTracks = () => {}, onState,
  onClosed = () => {} }) {
  let pc = null;
  let chain = Promise.resolve();
  let wanted = false;
  let generation = 0;
  let attempt = 0;
  let state = "idle";
  let retryTimer = null;
  let graceTimer = null;
  let socketWasDown = false;
  // Whose track each line carries comes in the ack, in the bridge's offers and in rtc.tracks; an offer is applied
  // after the messages that follow it may have come, so each is numbered as it arrives and only a later one counts.
  let heard = 0;
  let applied = 0;
  let acked = null; // the connection whose offer the bridge has answered: rtc.tracks before that are for an older one
  const tracksAt = (tracks, at) => {
    if (at <= applied) return;
    applied = at;
    onTracks(tracks || {});
  };

  const setState = (next, detail = "") => {
    if (state === next && !detail) return;
    state = next;
    onState(next, detail);
  };

  // Each negotiation step waits for the one before; a failed step does not stop the next.
  const serial = (task) => {
    const run = chain.then(task);
    chain = run.catch(() => {});
    return run;
  };

  const closePeer = () => {
    clearTimeout(graceTimer);
    if (pc) {
      pc.ontrack = null;
      pc.onconnectionstatechange = null;
      pc.onicecandidate = null;
      pc.close();
      onClosed();
      onTracks({});
    }
    pc = null;
  };

  // `soon`: the bridge has more to send than this connection can take: start again at once the first time, then
  // slower, so that a bridge that keeps asking cannot make the browser spin.
  let quickRestarts = 0;
  let lastQuick = 0;
  const restart = ({ soon = false } = {}) => {
    if (!wanted) return;
    clearTimeout(retryTimer);
    clearTimeout(graceTimer);
    setState("reconnecting");
    let delay;
    if (soon) {
      quickRestarts = Date.now() - lastQuick < QUICK_WINDOW_MS ? quickRestarts + 1 : 0;
      lastQuick = Date.now();
      delay = quickRestarts ? Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** quickRestarts) : 0;
    } else {
      // Full jitter: sites whose link dropped together do not all come back in the same instant.
      const ceiling = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** attempt);
      attempt += 1;
      delay = RETRY_MIN_MS / 2 + Math.random() * ceiling;
    }
    retryTimer = setTimeout(() => serial(connect), delay);
  };

  const watch = (conn) => {
    if (conn !== pc) return;
    const now = conn.connectionState;
    if (now === "connected") {
      clearTimeout(graceTimer);
      attempt = 0;
      setState("connected");
    } else if (now === "disconnected") {
      setState("reconnecting");
      clearTimeout(graceTimer);
      graceTimer = setTimeout(() => {
        if (conn === pc && conn.connectionState !== "connected") restart();
      }, DISCONNECTED_GRACE_MS);
    } else if (now === "failed") {
      restart();
    }
  };

  async function connect() {
    if (!wanted) return;
    const mine = ++generation;
    closePeer();
    if (state !== "reconnecting") setState("connecting");
    const conn = new RTCPeerConnection({ iceServers: [] });
    pc = conn;
    // One audio and one video transceiver, each carrying this browser's track both ways: the bridge answers with
    // what this browser receives on them, and offers more lines when there is more to receive.
    const stream = media();
    for (const kind of ["audio", "video"]) {
      const track = stream ? stream.getTracks().find((t) => t.kind === kind) : null;
      conn.addTransceiver(track || kind, track ? { direction: "sendrecv", streams: [stream] } : { direction: "recvonly" });
    }
    conn.ontrack = (event) => {
      if (conn === pc) {
        onTrack(event.track, event.streams[0] || new MediaStream([event.track]), event.transceiver.mid);
      }
    };
    conn.onconnectionstatechange = () => watch(conn);
    const late = [];
    let answered = false;
    conn.onicecandidate = ({ candidate }) => {
      if (!candidate || !candidate.candidate) return;
      if (answered) sendCandidate(candidate);
      else late.push(candidate);
    };
    try {
      await conn.setLocalDescription(await conn.createOffer());
      await gathered(conn);
      if (mine !== generation) return;
      // What was gathered before the offer is in its description; only later candidates go on their own.
      late.length = 0;
      const answer = await live.action("rtc.offer",
        { meeting_id: meetingId, sdp: conn.localDescription.sdp, type: "offer" });
      const at = ++heard;
      if (mine !== generation) return;
      acked = conn;
      await conn.setRemoteDescription({ type: answer.type, sdp: answer.sdp });
      if (conn === pc) tracksAt(answer.tracks, at);
      answered = true;
      for (const candidate of late.splice(0)) sendCandidate(candidate);
      watch(conn);
    } catch (error) {
      if (mine !== generation) return;
      if (error instanceof ActionRefused && (error.status === 403 || error.status === 409)) {
        // Not running (yet, or any more), or not ours to join: the screen decides from the briefing's state.
        wanted = false;
        closePeer();
        setState("refused", error.message);
        return;
      }
      restart();
    }
  }

  const sendCandidate = (candidate) => {
    const { candidate: text, sdpMid, sdpMLineIndex } = candidate;
    live.action("rtc.candidate", { meeting_id: meetingId, candidate: { candidate: text, sdpMid, sdpMLineIndex } })
      .catch(() => {});
  };

  // The bridge's offer: more tracks to receive, or fewer.
  async function answerOffer(data, at) {
    const conn = pc;
    if (!wanted || !conn || !conn.remoteDescription) return;
    // An offer made for an earlier connection (this browser has started again since) carries that one's ICE
    // credentials: it is not for this one.
    if (iceUfrag(data.sdp) !== iceUfrag(conn.remoteDescription.sdp)) return;
    try {
      await conn.setRemoteDescription({ type: "offer", sdp: data.sdp });
      if (conn === pc) tracksAt(data.tracks, at);
      await conn.setLocalDescription(await conn.createAnswer());
      await live.action("rtc.answer", { meeting_id: meetingId, sdp: conn.localDescription.sdp, type: "answer" });
    } catch (error) {
      if (conn === pc) restart();
    }
  }

  const stopHearing = hearUser((message) => {
    if (message.op !== "volatile" || !message.data || message.data.meeting_id !== meetingId) return;
    if (message.type === "rtc.offer" && message.data.type === "offer") {
      const at = ++heard;
      serial(() => answerOffer(message.data, at));
    } else if (message.type === "rtc.tracks" && message.data.tracks) {
      const at = ++heard;
      if (pc && acked === pc) tracksAt(message.data.tracks, at);
    } else if (message.type === "rtc.candidate" && message.data.candidate && pc) {
      const conn = pc;
      serial(() => conn.addIceCandidate(message.data.candidate).catch(() => {}));
    }
  });

  const onSocket = ({ detail }) => {
    if (!detail.connected) {
      socketWasDown = true;
      return;
    }
    if (!socketWasDown) return;
    socketWasDown = false;
    // The bridge's offers sent while the socket was down are lost: start again rather than wait on them.
    if (wanted) {
      attempt = 0;
      restart();
    }
  };
  window.addEventListener("ecabinet:live", onSocket);
  // A closed tab tells the bridge at once, rather than after the connection times out.
  const onHide = () => {
    if (wanted) live.action("rtc.leave", { meeting_id: meetingId }).catch(() => {});
  };
  window.addEventListener("pagehide", onHide);

  return {
    join() {
      if (wanted) return;
      wanted = true;
      attempt = 0;
      serial(connect);
    },
    // Leave the briefing: the connection closed here and at the bridge. `forever`: the screen is going away.
    leave({ forever = false } = {}) {
      const was = wanted || pc !== null;
      wanted = false;
      generation += 1;
      clearTimeout(retryTimer);
      closePeer();
      if (was) live.action("rtc.leave", { meeting_id: meetingId }).catch(() => {});
      if (forever) {
        stopHearing();
        window.removeEventListener("ecabinet:live", onSocket);
        window.removeEventListener("pagehide", onHide);
      }
      setState("idle");
    },
    get state() {
      return state;
    },
    get joined() {
      return wanted;
    },
  };
}

// Resolves once the browser has gathered its ICE candidates, or after GATHER_TIMEOUT_MS.
function gathered(conn) {
  if (conn.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      conn.removeEventListener("icegatheringstatechange", changed);
      resolve();
    };
    const changed = () => {
      if (conn.iceGatheringState === "complete") finish();
    };
    const timer = setTimeout(finish, GATHER_TIMEOUT_MS);
    conn.addEventListener("icegatheringstatechange", changed);
  });
}
