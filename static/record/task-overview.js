// The secretariat's view of every unit's tasks ("rõ người, rõ việc, rõ tiến độ"): open, in progress, done and
// overdue per unit, the most overdue first (the server's order). A unit's name narrows the list below to it.

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

const COLUMNS = ["open", "in_progress", "done", "overdue"];

// `rows`: GET /api/tasks/overview; `chosen`: the unit the list shows, or null; `choose(unitId | null)`.
export function taskOverview(rows, { chosen, choose }) {
  if (!rows.length) return h("p", { class: "muted", "data-testid": "overview-none", text: t("tasks.overviewNone") });
  return h("table", { class: "report task-overview", "data-testid": "task-overview" },
    h("thead", {}, h("tr", {},
      h("th", { scope: "col", text: t("tasks.unitShort") }),
      COLUMNS.map((c) => h("th", { scope: "col", class: "num", text: t(`tasks.count.${c}`) })))),
    h("tbody", {}, rows.map((row) => h("tr", {
      class: `${row.overdue ? "has-overdue" : ""}${chosen === row.unit_id ? " chosen" : ""}`,
      "data-testid": "overview-unit", dataset: { unitId: row.unit_id } },
    h("th", { scope: "row" }, h("button", { type: "button", class: "link-button", "data-testid": "overview-unit-name",
      "aria-pressed": String(chosen === row.unit_id), text: row.unit_name,
      onclick: () => choose(chosen === row.unit_id ? null : row.unit_id) })),
    COLUMNS.map((c) => h("td", { class: `num count-${c}`, "data-testid": `overview-${c}`, text: row[c] }))))));
}
