// The list of meetings the user may see.

import { get } from "/static/api.js";
import { session } from "/static/app.js";
import { statusBadge } from "/static/components/status-badge.js";
import { clear, h } from "/static/dom.js";
import { formatDateTime, t } from "/static/i18n.js";

const MAY_CREATE = new Set(["admin", "secretariat"]);

export async function showMeetings(view) {
  const meetings = await get("/api/meetings");
  const list = h("ul", { class: "meeting-list", "data-testid": "meeting-list" },
    meetings.map((m) => h("li", {},
      // A remote site goes straight to the online briefing of a live meeting: that is what it is there for.
      h("a", { class: "meeting-row", href: m.status === "live" && m.my_roles.includes("site")
        ? `#/meetings/${m.id}/briefing` : `#/meetings/${m.id}`, "data-testid": "meeting-link",
        dataset: { meetingId: m.id } },
        h("div", { class: "meeting-main" },
          h("span", { class: "meeting-title", text: m.title }),
          h("span", { class: "meeting-facts" },
            h("span", { class: "kind", text: t(`kind.${m.kind}`) }),
            h("span", { text: formatDateTime(m.starts_at) })),
          m.place ? h("span", { class: "muted", text: m.place }) : null,
          m.my_roles.length ? h("span", { class: "muted small", text: t("meetings.myRoles",
            { roles: m.my_roles.map((r) => t(`role.${r}`)).join(", ") }) }) : null),
        statusBadge(m.status)))));
  clear(view).append(
    h("div", { class: "page-head" },
      h("h1", { text: t("meetings.title") }),
      MAY_CREATE.has(session.user.role) ? h("a", { class: "button primary", href: "#/new", "data-testid": "new-meeting",
        text: t("meetings.new") }) : null),
    meetings.length ? list : h("p", { class: "muted empty", "data-testid": "meeting-list", text: t("meetings.none") }),
  );
}
