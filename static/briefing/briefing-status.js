// What the briefing's screens say about the video link: a badge by the title (connecting, connected, reconnecting,
// waiting for the briefing) and the notice over an empty stage.

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

const KINDS = { connected: "ok", connecting: "busy", reconnecting: "warn", refused: "warn", idle: "idle", waiting: "idle" };

export function connectionBadge() {
  const node = h("span", { class: "link-badge", role: "status", "data-testid": "briefing-connection" });
  return {
    node,
    // `state`: the link's (bridge-link.js), or "waiting" (the briefing is not running).
    show(state) {
      node.dataset.state = state;
      node.className = `link-badge link-${KINDS[state] || "idle"}`;
      node.textContent = t(`briefing.link.${state}`);
    },
  };
}

export function stageNotice() {
  const text = h("p", { "data-testid": "briefing-notice-text" });
  const node = h("div", { class: "stage-notice", "data-testid": "briefing-notice", "aria-live": "polite" }, text);
  return {
    node,
    // `message`: what to say ("" hides the notice); `key`: which case it is, for styles and tests.
    show(message, key = "") {
      text.textContent = message;
      node.dataset.key = key;
      node.hidden = !message;
    },
  };
}
