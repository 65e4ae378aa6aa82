// The member's speak button: "ask to speak", then the place in the queue with a way to withdraw, then — once the
// chair gives the floor — the time left and a way to end the turn.

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";
import { formatClock, secondsSince } from "/static/floor/clock.js";

const NOTE_MAX = 300; // record_schemas.Note
const SOON_SECS = 30; // the countdown warns the speaker this long before the limit

// `ask(note)`, `withdraw()`, `finish()`: the actions. `withNote`: a field for what the member wishes to raise.
export function speakButton({ ask, withdraw, finish, withNote = false }) {
  const note = withNote ? h("input", { type: "text", class: "floor-note", maxlength: NOTE_MAX,
    "data-testid": "floor-note", placeholder: t("floor.notePlaceholder"), "aria-label": t("floor.notePlaceholder") })
    : null;
  const askButton = h("button", { type: "button", class: "primary floor-ask", "data-testid": "floor-ask",
    text: t("floor.ask"),
    onclick: () => ask(note ? note.value.trim() : "") });
  const waiting = h("span", { class: "floor-state", "data-testid": "floor-waiting" });
  const withdrawButton = h("button", { type: "button", class: "floor-withdraw", "data-testid": "floor-withdraw",
    text: t("floor.withdraw"), onclick: () => withdraw() });
  const countdown = h("span", { class: "floor-countdown", role: "timer", "data-testid": "floor-countdown",
    "aria-label": t("floor.timeLeft") });
  const finishButton = h("button", { type: "button", class: "primary floor-finish", "data-testid": "floor-finish",
    text: t("floor.finish"), onclick: () => finish() });

  const asking = h("div", { class: "floor-speak-row" }, note, askButton);
  const queued = h("div", { class: "floor-speak-row" }, waiting, withdrawButton);
  const speaking = h("div", { class: "floor-speak-row floor-speaking" },
    h("span", { class: "floor-mic", "aria-hidden": "true" }),
    h("span", { class: "floor-state", "data-testid": "floor-speaking", text: t("floor.speaking") }),
    countdown, finishButton);
  const node = h("div", { class: "floor-speak", "data-testid": "floor-speak", hidden: true }, asking, queued, speaking);
  let mine = null;

  const tick = () => {
    if (!mine || mine.status !== "speaking" || !mine.granted_at) return;
    const left = mine.limit_secs - secondsSince(mine.granted_at);
    countdown.textContent = formatClock(left);
    countdown.classList.toggle("over", left < 0);
    countdown.classList.toggle("soon", left >= 0 && left <= SOON_SECS);
    countdown.dataset.left = String(left);
  };

  return {
    node,
    // `mine`: the viewer's own request (queued or speaking) or null; `position`: its place in the queue (1 = next);
    // `plain`: no note field (the chair and the secretary, whose screen has the console to fit).
    show({ mine: own, position, mayRequest, busy, plain = false }) {
      mine = own;
      const status = own ? own.status : null;
      asking.hidden = Boolean(own) || !mayRequest;
      queued.hidden = status !== "queued";
      speaking.hidden = status !== "speaking";
      node.hidden = asking.hidden && queued.hidden && speaking.hidden;
      node.dataset.state = status || (mayRequest ? "none" : "off");
      if (status === "queued") waiting.textContent = t("floor.waiting", { n: position });
      // A request that went through leaves the note field empty for the next one.
      if (status && note) note.value = "";
      if (note) note.hidden = plain;
      for (const button of [askButton, withdrawButton, finishButton]) button.disabled = Boolean(busy);
      tick();
    },
    tick,
  };
}
