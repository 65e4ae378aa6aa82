// The roll call (điểm danh) of the briefing's remote sites: each site with its mark (joined, absent, absent with a
// reason, not yet joined) and whether its video is connected now; the secretary marks a site, and an excused absence
// takes its reason in a field under the site's row. The bridge marks a site present when its video joins.

import { h } from "/static/dom.js";
import { formatTime, t } from "/static/i18n.js";

const ORDER = ["present", "expected", "excused", "absent"];

// `mark(userId, status, reason)` → a promise (the PUT). Returns {node, show(briefing, connected, waiting)}: Sets of user
// ids, the sites connected and those of them waiting their turn to be shown (asked not to send meanwhile).
export function rollCall({ mark }) {
  const counts = h("p", { class: "roll-counts", "data-testid": "roll-counts" });
  const list = h("ul", { class: "roll-list", "data-testid": "roll-call-list" });
  const node = h("section", { class: "card roll-call", "data-testid": "roll-call" },
    h("h2", { text: t("briefing.roll.title") }), counts, list);
  let briefing = null;
  let online = new Set();
  let waiting = new Set();
  // The site whose reason is being typed: its field lives across redraws, with what was typed and the focus.
  let editing = null;
  const reason = h("input", { type: "text", class: "roll-reason", "data-testid": "roll-reason", maxlength: 500,
    placeholder: t("briefing.roll.reasonHint"), "aria-label": t("briefing.roll.reason") });
  const save = h("button", { type: "button", class: "primary", "data-testid": "roll-reason-save",
    text: t("briefing.roll.save"), onclick: () => saveReason() });
  const cancel = h("button", { type: "button", "data-testid": "roll-reason-cancel", text: t("briefing.roll.cancel"),
    onclick: () => {
      editing = null;
      draw();
    } });
  reason.addEventListener("keydown", (event) => {
    if (event.key === "Enter") saveReason();
    else if (event.key === "Escape") cancel.click();
  });
  let busy = false;

  const send = (userId, status, why = "") => {
    busy = true;
    draw();
    return mark(userId, status, why).finally(() => {
      busy = false;
      draw();
    });
  };
  const saveReason = () => {
    const why = reason.value.trim();
    if (!why) {
      reason.focus();
      return;
    }
    const userId = editing;
    send(userId, "excused", why).then((ok) => {
      if (ok && editing === userId) {
        editing = null;
        draw();
      }
    });
  };

  const row = (site) => {
    const connected = online.has(site.user_id);
    const unseen = waiting.has(site.user_id);
    const statusText = t(`briefing.roll.${site.status}`);
    const by = site.at ? (site.recorded_by ? t("briefing.roll.markedBy", { name: site.recorded_by, time: formatTime(site.at) })
      : t("briefing.roll.markedByBridge", { time: formatTime(site.at) })) : "";
    const button = (status, key) => h("button", { type: "button", class: "roll-mark",
      "data-testid": `roll-${status}`, "aria-pressed": String(site.status === status), disabled: busy,
      text: t(key), onclick: () => {
        if (status === "excused") {
          editing = site.user_id;
          reason.value = site.status === "excused" ? site.reason : "";
          draw();
          reason.focus();
        } else {
          editing = null;
          send(site.user_id, status);
        }
      } });
    return h("li", { class: `roll-site roll-${site.status}`, "data-testid": "roll-site",
      dataset: { userId: site.user_id, status: site.status, connected: String(connected) } },
    h("div", { class: "roll-who" },
      h("span", { class: `connected-dot${connected ? " on" : ""}`, "data-testid": "roll-connected",
        title: t(connected ? "briefing.roll.online" : "briefing.roll.offline"),
        "aria-label": t(connected ? "briefing.roll.online" : "briefing.roll.offline") }),
      h("div", { class: "roll-names" },
        h("strong", { class: "roll-unit", text: site.unit_name || site.name }),
        h("span", { class: "muted small", text: site.unit_name ? site.name : "" })),
      h("span", { class: `roll-status status-${site.status}`, "data-testid": "roll-status", text: statusText })),
    site.reason ? h("p", { class: "roll-reason-text", "data-testid": "roll-reason-text",
      text: t("briefing.roll.because", { reason: site.reason }) }) : null,
    by ? h("p", { class: "muted small roll-by", "data-testid": "roll-by", text: by }) : null,
    unseen ? h("p", { class: "muted small roll-waiting", "data-testid": "roll-waiting",
      text: t("briefing.roll.waiting") }) : null,
    briefing.may_manage ? h("div", { class: "roll-actions" },
      button("present", "briefing.roll.markPresent"),
      button("absent", "briefing.roll.markAbsent"),
      button("excused", "briefing.roll.markExcused")) : null,
    editing === site.user_id ? h("div", { class: "roll-reason-form", "data-testid": "roll-reason-form" },
      reason, save, cancel) : null);
  };

  function draw() {
    if (!briefing) return;
    const sites = briefing.sites || [];
    const by = (status) => sites.filter((s) => s.status === status).length;
    counts.textContent = t("briefing.roll.counts", { present: by("present"), total: sites.length,
      absent: by("absent"), excused: by("excused"), expected: by("expected") });
    save.disabled = busy;
    // Keep the field (and the focus in it) rather than drawing a new one.
    const focused = document.activeElement === reason;
    const ordered = [...sites].sort((a, b) => ORDER.indexOf(a.status) - ORDER.indexOf(b.status));
    list.replaceChildren(...(sites.length ? ordered.map(row)
      : [h("li", { class: "muted", text: t("briefing.roll.none") })]));
    if (focused && reason.isConnected) reason.focus();
  }

  return {
    node,
    show(next, connected, notShown = new Set()) {
      briefing = next;
      online = connected;
      waiting = notShown;
      if (editing && !(briefing.sites || []).some((s) => s.user_id === editing)) editing = null;
      draw();
    },
  };
}
