// Who is online: the participants who have the meeting open right now, on any device.

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

export function presenceBox(participants, online) {
  const people = participants.filter((p) => p.user_id !== null || p.role === "site");
  const here = people.filter((p) => online.has(p.user_id) || online.has(p.substitute_id));
  return h("section", { class: "card presence", "data-testid": "presence" },
    h("h2", { text: t("presence.title") }),
    h("p", { class: "presence-count", "data-testid": "presence-count",
      text: t("presence.count", { online: here.length, total: people.length }) }),
    here.length ? h("ul", { class: "presence-names" },
      here.map((p) => h("li", { "data-testid": "presence-name" },
        h("span", { class: "presence-dot", "aria-hidden": "true" }), p.name))) : null);
}
