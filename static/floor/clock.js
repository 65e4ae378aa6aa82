// The server's clock as this tablet sees it. Timers count from the server's instants (granted_at, started_at): a
// tablet whose own clock is a few minutes off must still show the speaker the right time left.

let offsetMs = 0; // server time minus this tablet's time

// An answer's server_time (GET /floor, or a floor that an action returned): the clock as of now.
export function setServerTime(iso) {
  const at = Date.parse(iso);
  if (!Number.isNaN(at)) offsetMs = at - Date.now();
}

// An event's ts was stamped before it travelled, and a replayed event's long before: it can only tell that the
// server is at least that far ahead, never that it is behind.
export function heardServerTime(iso) {
  const at = Date.parse(iso);
  if (!Number.isNaN(at)) offsetMs = Math.max(offsetMs, at - Date.now());
}

// Whole seconds from an instant to the server's now (0 for an instant the tablet has not reached yet).
export function secondsSince(iso) {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return 0;
  return Math.max(0, Math.floor((Date.now() + offsetMs - at) / 1000));
}

// 83 → "01:23"; past an hour "1:02:03"; a time over its limit is given as a negative number: "−00:12".
export function formatClock(secs) {
  const whole = Math.abs(Math.trunc(secs));
  const two = (n) => String(n).padStart(2, "0");
  const hours = Math.floor(whole / 3600);
  const rest = `${two(Math.floor((whole % 3600) / 60))}:${two(whole % 60)}`;
  return `${secs < 0 ? "−" : ""}${hours ? `${hours}:` : ""}${rest}`;
}
