// The list of meetings the user may see.

import { get } from "/static/api.js";
import { session } from "/static/app.js";
import { clear, h } from "/static/dom.js";
import { formatDateTime, t } from "/static/i18n.js";

export function statusBadge(status) {
  return h("span", { class: `badge status-${status}`, text: t(`status.${status}`) });
}

export async function showMeetings(view) {
  const meetings = await get("/api/meetings");
  const canCreate = ["admin", "secretariat"].includes(session.user.role);
  const list = h("ul", { class: "meeting-list", "data-testid": "meeting-list" },
    meetings.map((m) => h("li", {},
      h("a", { class: "meeting-row", href: `#/meetings/${m.id}`, "data-testid": "meeting-link" },
        h("div", { class: "meeting-main" },
          h("span", { class: "meeting-title", text: m.title }),
          h("span", { class: "muted", text: `${t(`kind.${m.kind}`)} · ${formatDateTime(m.starts_at)}` }),
          m.place ? h("span", { class: "muted", text: m.place }) : null),
        statusBadge(m.status)))));
  clear(view).append(
    h("div", { class: "page-head" },
      h("h1", { text: t("meetings.title") }),
      canCreate ? h("a", { class: "button primary", href: "#/new", "data-testid": "new-meeting",
        text: t("meetings.new") }) : null),
    meetings.length ? list : h("p", { class: "muted", text: t("meetings.none") }),
  );
}
