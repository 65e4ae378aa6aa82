// The signed-in user's own channel (user:{id}), which app.js follows once for the whole session: screens and
// components hear its events and volatile messages here (an upload's processing progress, a paper returned).

const listeners = new Set();

// `listener(message)` receives every event and volatile message of the channel; returns the function that stops it.
export function hearUser(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function userMessage(message) {
  for (const listener of [...listeners]) listener(message);
}
