// The one live connection of the page: a websocket to /ws that reconnects by itself and resumes each
// channel from the last event it saw, so a tablet that loses Wi-Fi catches up with exactly what it
// missed; when the server can no longer replay (a long absence), the page reloads its state instead.
// Protocol: docs/protocol.md.

const PING_EVERY_MS = 20000; // the server closes a socket silent for ECABINET_WS_IDLE_TIMEOUT_SECS (60 s)
const SILENCE_MS = 45000; // no pong for this long: the link is dead even if the browser has not noticed
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 15000;
const ACTION_TIMEOUT_MS = 15000;
const CLOSE_UNAUTHORIZED = 4401;

export class ActionRefused extends Error {
  constructor(reply) {
    super(reply.message || reply.error);
    this.code = reply.error;
    this.status = reply.status;
  }
}

class Live {
  constructor() {
    this.channels = new Map(); // name → {since, epoch, handlers}
    this.pending = new Map(); // action id → {resolve, reject, timer}
    this.socket = null;
    this.attempt = 0;
    this.running = false;
    this.connected = false;
    this.lastHeard = 0;
    this.retryTimer = null;
    this.pinger = null;
    window.addEventListener("online", () => this.reconnectNow());
    // The device says its network is gone: the socket is as good as dead, whatever it looks like.
    window.addEventListener("offline", () => this.drop());
  }

  // Open the connection (after sign-in); it stays up until stop().
  start() {
    if (this.running) return;
    this.running = true;
    this.connect();
    this.pinger = setInterval(() => this.heartbeat(), PING_EVERY_MS / 2);
  }

  // Close it for good (sign-out): no reconnecting, every channel forgotten.
  stop() {
    this.running = false;
    clearInterval(this.pinger);
    clearTimeout(this.retryTimer);
    this.channels.clear();
    if (this.socket) this.socket.close(1000);
    this.socket = null;
    this.setConnected(false, { quiet: true });
  }

  // Follow a channel. `since`/`epoch` come from the state the page loaded (GET …/state); handlers:
  // onEvent(event), onVolatile(message), onReset() → reloads the state and returns {since, epoch},
  // onRevoked() when access is withdrawn. Returns the function that stops following.
  follow(name, { since = null, epoch = null, ...handlers }) {
    const channel = { since, epoch, handlers, resetting: false };
    this.channels.set(name, channel);
    this.subscribe(name, channel);
    return () => {
      if (this.channels.get(name) !== channel) return;
      this.channels.delete(name);
      this.send({ op: "unsubscribe", channel: name });
    };
  }

  // Send an action; resolves with the ack's data, rejects with ActionRefused or on timeout.
  action(type, data) {
    const id = crypto.randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error("timeout"));
      }, ACTION_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      if (!this.send({ op: "action", id, type, data })) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new Error("offline"));
      }
    });
  }

  connect() {
    clearTimeout(this.retryTimer);
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws`);
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.lastHeard = Date.now();
      this.setConnected(true);
      for (const [name, channel] of this.channels) this.subscribe(name, channel);
    };
    socket.onmessage = (message) => {
      this.lastHeard = Date.now();
      let body;
      try {
        body = JSON.parse(message.data);
      } catch {
        return;
      }
      this.receive(body);
    };
    socket.onclose = (closed) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.setConnected(false);
      for (const [id, waiting] of this.pending) {
        clearTimeout(waiting.timer);
        waiting.reject(new Error("disconnected"));
        this.pending.delete(id);
      }
      if (closed.code === CLOSE_UNAUTHORIZED) {
        // The session ended (signed out elsewhere, expired): the app asks the user to sign in again.
        this.running = false;
        window.dispatchEvent(new CustomEvent("ecabinet:signed-out"));
        return;
      }
      if (this.running) this.scheduleReconnect();
    };
  }

  scheduleReconnect() {
    // Exponential backoff with full jitter: a room of tablets coming back does not knock all at once.
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt);
    this.attempt += 1;
    const delay = BACKOFF_MIN_MS / 2 + Math.random() * ceiling;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    if (!this.running || (this.socket && this.socket.readyState <= WebSocket.OPEN)) return;
    this.attempt = 0;
    this.connect();
  }

  heartbeat() {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastHeard > SILENCE_MS) {
      this.drop(); // a half-open link (Wi-Fi gone without a word): start again
      return;
    }
    this.send({ op: "ping" });
  }

  // Give up on the current socket at once and reconnect (with backoff); channels resume from their seq.
  drop() {
    const dead = this.socket;
    if (!dead) return;
    dead.onclose({ code: 1006 });
    dead.onclose = null;
    dead.onmessage = null;
    dead.close();
  }

  send(message) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  subscribe(name, channel) {
    const request = { op: "subscribe", channel: name };
    if (channel.since !== null) {
      request.since = channel.since;
      if (channel.epoch) request.epoch = channel.epoch;
    }
    this.send(request);
  }

  receive(body) {
    if (body.op === "ack" || (body.op === "error" && body.id)) {
      const waiting = this.pending.get(body.id);
      if (!waiting) return;
      this.pending.delete(body.id);
      clearTimeout(waiting.timer);
      if (body.op === "ack") waiting.resolve(body.data);
      else waiting.reject(new ActionRefused(body));
      return;
    }
    const channel = this.channels.get(body.channel);
    if (!channel) return;
    if (body.op === "subscribed") {
      if (channel.since !== null && !body.recovered) this.reset(body.channel, channel);
      else if (channel.since === null) {
        channel.since = body.seq;
        channel.epoch = body.epoch;
      }
    } else if (body.op === "event") {
      if (channel.resetting || body.seq <= channel.since) return; // already in the state the page holds
      if (body.seq !== channel.since + 1) {
        this.subscribe(body.channel, channel); // a gap cannot happen by contract; resume to be safe
        return;
      }
      channel.since = body.seq;
      channel.handlers.onEvent?.(body);
    } else if (body.op === "volatile") {
      channel.handlers.onVolatile?.(body);
    } else if (body.op === "unsubscribed" && body.reason) {
      this.channels.delete(body.channel);
      channel.handlers.onRevoked?.(body);
    } else if (body.op === "error") {
      channel.handlers.onRefused?.(body);
    }
  }

  // The server could not replay what this page missed: load the state afresh, then follow from it.
  async reset(name, channel) {
    if (channel.resetting) return;
    channel.resetting = true;
    try {
      const fresh = channel.handlers.onReset ? await channel.handlers.onReset() : null;
      channel.since = fresh ? fresh.since : null;
      channel.epoch = fresh ? fresh.epoch : null;
    } catch {
      channel.since = null;
    } finally {
      channel.resetting = false;
    }
    if (this.channels.get(name) === channel) this.subscribe(name, channel);
  }

  setConnected(connected, { quiet = false } = {}) {
    if (this.connected === connected && !quiet) return;
    this.connected = connected;
    if (!quiet) window.dispatchEvent(new CustomEvent("ecabinet:live", { detail: { connected } }));
  }
}

export const live = new Live();
