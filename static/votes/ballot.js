// Sending a ballot so that it counts exactly once. Each ballot gets an Idempotency-Key kept in localStorage with
// its body until the server answers: a retry after a network failure (or a reload of the page meanwhile) sends
// the SAME key and body, and the server answers the first ballot's answer instead of counting a second one.

import { ApiError, api } from "/static/api.js";

const PREFIX = "ecabinet.ballot.";
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 15000;

// One pending ballot per poll, signed-in user and voter: the secretary may be recording several members' ballots
// at once, and a ballot left pending by one user must never be sent in the session of the next on this tablet.
function storageKey(pollId, me, forUser) {
  return `${PREFIX}${pollId}.${me}.${forUser ?? "self"}`;
}

export function pendingBallot(pollId, me, forUser = null) {
  try {
    return JSON.parse(localStorage.getItem(storageKey(pollId, me, forUser)) || "null");
  } catch {
    return null;
  }
}

function forget(pollId, me, forUser) {
  localStorage.removeItem(storageKey(pollId, me, forUser));
}

// Waits `ms`, or less if the device says its network is back.
function pause(ms) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      window.removeEventListener("online", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    window.addEventListener("online", done);
  });
}

// A pending ballot of a poll that is no longer open can never count: forgotten (whoever's it was on this tablet).
export function forgetSettledBallots(polls) {
  const settled = new Set(polls.filter((p) => p.status !== "open").map((p) => String(p.id)));
  for (const key of Object.keys(localStorage)) {
    if (key.startsWith(PREFIX) && settled.has(key.slice(PREFIX.length).split(".")[0])) localStorage.removeItem(key);
  }
}

function retryable(error) {
  // fetch() rejects with a TypeError when the network is down; a gateway's 5xx is as good as no answer.
  return !(error instanceof ApiError) || error.status >= 500;
}

// Sends `body` ({choice, comment?} or, for the secretary, {user_id, choice}) and resolves with the server's answer.
// A network failure is retried with the same key after a growing pause, while `stillWanted()` is true; `onRetry(n)`
// tells the screen. A refusal (409 already_voted or poll_closed, 403, 422) rejects with the ApiError, and the key
// is forgotten: the ballot is settled one way or the other.
// `me` is the signed-in user's id; `forUser` the member whose ballot the secretary records.
export async function castBallot(pollId, body, { me, forUser = null, onRetry = () => {}, stillWanted = () => true }) {
  const manual = forUser !== null;
  let pending = pendingBallot(pollId, me, forUser);
  if (!pending) {
    pending = { key: crypto.randomUUID(), body };
    localStorage.setItem(storageKey(pollId, me, forUser), JSON.stringify(pending));
  }
  const path = manual ? `/api/polls/${pollId}/ballots/manual` : `/api/polls/${pollId}/ballots`;
  for (let attempt = 0; ; attempt += 1) {
    try {
      const answer = await api("POST", path, pending.body, { headers: { "Idempotency-Key": pending.key } });
      forget(pollId, me, forUser);
      return answer;
    } catch (error) {
      if (!retryable(error)) {
        forget(pollId, me, forUser);
        throw error;
      }
      if (!stillWanted()) throw error;
      onRetry(attempt + 1);
      await pause(Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** attempt));
      if (!stillWanted()) throw error;
    }
  }
}
