// The floor banner over every screen of a live meeting: who has the floor (name, unit) with their time against
// the limit, and the agenda item under discussion with its time against the minutes allotted. Red once over.

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";
import { formatClock, secondsSince } from "/static/floor/clock.js";

// Shows `elapsed / limit` (or the elapsed time alone when there is no limit) and marks it when over the limit.
function setTimer(node, startedAt, limitSecs) {
  const elapsed = secondsSince(startedAt);
  const over = Boolean(limitSecs) && elapsed > limitSecs;
  node.textContent = limitSecs ? t("floor.timerOf", { elapsed: formatClock(elapsed), limit: formatClock(limitSecs) })
    : formatClock(elapsed);
  node.classList.toggle("over", over);
  node.dataset.over = String(over);
  node.dataset.elapsed = String(elapsed);
}

export function floorBanner() {
  const speakerName = h("strong", { class: "floor-name", "data-testid": "floor-speaker-name" });
  const speakerUnit = h("span", { class: "floor-unit", "data-testid": "floor-speaker-unit" });
  const speakerTimer = h("span", { class: "floor-timer", role: "timer", "data-testid": "floor-speaker-timer",
    "aria-label": t("floor.speakerTime") });
  const speaker = h("div", { class: "floor-part floor-speaker", "data-testid": "floor-speaker", hidden: true },
    h("span", { class: "floor-mic", "aria-hidden": "true" }),
    h("span", { class: "floor-who" }, h("span", { class: "floor-label", text: t("floor.hasFloor") }),
      h("span", { class: "floor-person" }, speakerName, speakerUnit)),
    speakerTimer);

  const itemTitle = h("span", { class: "floor-item-title", "data-testid": "floor-item-title" });
  const itemTimer = h("span", { class: "floor-timer", role: "timer", "data-testid": "floor-item-timer",
    "aria-label": t("floor.itemTime") });
  const item = h("div", { class: "floor-part floor-item", "data-testid": "floor-item", hidden: true },
    h("span", { class: "floor-who" }, h("span", { class: "floor-label", text: t("floor.item") }), itemTitle),
    itemTimer);

  // Not a live region: its timers change every second (role="timer" keeps them quiet).
  const node = h("div", { class: "floor-banner", "data-testid": "floor-banner", hidden: true },
    speaker, item);
  let shown = { speaking: null, item: null };

  const tick = () => {
    if (shown.speaking && shown.speaking.granted_at) {
      setTimer(speakerTimer, shown.speaking.granted_at, shown.speaking.limit_secs);
    }
    if (shown.item && shown.item.started_at) {
      setTimer(itemTimer, shown.item.started_at, shown.item.duration_minutes ? shown.item.duration_minutes * 60 : 0);
    }
  };

  return {
    node,
    // `speaking`: SpeakerOut or null; `item`: the current agenda item ({item_number?, title, duration_minutes,
    // started_at}) or null.
    show({ speaking, item: current }) {
      shown = { speaking, item: current };
      speaker.hidden = !speaking;
      if (speaking) {
        speakerName.textContent = speaking.name;
        speakerUnit.textContent = speaking.unit_name || "";
        speakerUnit.hidden = !speaking.unit_name;
        speaker.dataset.speakerId = speaking.id;
      }
      item.hidden = !current;
      if (current) {
        itemTitle.textContent = current.item_number ? `${current.item_number}. ${current.title}` : current.title;
        itemTimer.hidden = !current.started_at;
      }
      node.hidden = speaker.hidden && item.hidden;
      tick();
    },
    tick,
  };
}
