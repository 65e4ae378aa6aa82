// The secretariat's list of tablets holding the briefing pack offline: for each device of each participant, how
// many pages it has, whether it is complete and of the pack's current version. It moves as tablets report
// (pack.status on the user's own channel).

import { get } from "/static/api.js";
import { h } from "/static/dom.js";
import { formatTime, t } from "/static/i18n.js";
import { hearUser } from "/static/user-channel.js";

const collator = new Intl.Collator("vi");

// Returns {node, stop}: the card, and what undoes its listening when the page is left.
export function packStatus(meetingId) {
  const rows = new Map(); // `${user_id}/${device_id}` → row
  let failed = false;
  const list = h("div", {});
  const node = h("section", { class: "card pack-status", "data-testid": "pack-status" },
    h("h2", { text: t("packStatus.title") }), list);

  const draw = () => {
    if (failed) {
      list.replaceChildren(h("p", { class: "muted small", text: t("packStatus.unavailable") }));
      return;
    }
    const sorted = [...rows.values()].sort((a, b) => collator.compare(a.name, b.name)
      || collator.compare(a.device_label || "", b.device_label || ""));
    if (!sorted.length) {
      list.replaceChildren(h("p", { class: "muted small", "data-testid": "pack-status-none",
        text: t("packStatus.none") }));
      return;
    }
    const done = sorted.filter((row) => row.complete && row.current).length;
    list.replaceChildren(
      h("p", { class: "presence-count", "data-testid": "pack-status-count",
        text: t("packStatus.count", { done, total: sorted.length }) }),
      h("ul", { class: "people" }, sorted.map((row) => h("li", { class: "person", "data-testid": "pack-status-row" },
        h("span", { class: "person-lines" },
          h("span", { class: "person-name", text: row.name }),
          h("span", { class: "muted small", text: [row.device_label, row.updated_at ? formatTime(row.updated_at) : null]
            .filter(Boolean).join(" · ") })),
        h("span", { class: `pack-state ${stateOf(row)}`, "data-testid": "pack-status-state",
          text: t(`packStatus.${stateOf(row)}`, { done: row.pages_cached, total: row.pages_total }) })))));
  };

  const put = (row) => rows.set(`${row.user_id}/${row.device_id}`, row);
  get(`/api/meetings/${meetingId}/pack/status`).then((answer) => {
    answer.forEach(put);
    draw();
  }).catch(() => {
    failed = true;
    draw();
  });
  const stop = hearUser((message) => {
    if (message.type !== "pack.status") return;
    // The row of another meeting's pack is not this list's.
    if (message.data.meeting_id !== undefined && message.data.meeting_id !== meetingId) return;
    failed = false;
    put(message.data);
    draw();
  });
  draw();
  return { node, stop };
}

function stateOf(row) {
  if (row.current === false) return "stale";
  return row.complete ? "complete" : "partial";
}
