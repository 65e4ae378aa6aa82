// A meeting's status as a coloured badge.

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

export function statusBadge(status) {
  return h("span", { class: `badge status-${status}`, "data-testid": "meeting-status", text: t(`status.${status}`) });
}
