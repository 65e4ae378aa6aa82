// The fields of one task given by a conclusion: owner unit, the work, the due date and an optional detail.

import { h } from "/static/dom.js";
import { hanoiDate, t } from "/static/i18n.js";
import { unitSelect } from "/static/record/units.js";

// `units`: from loadUnits(); `onRemove()`, when given, puts a button that takes this task out of the form.
// Returns {node, value(), focus()}; value() is a TaskIn body.
export function taskFields(units, { onRemove = null } = {}) {
  const unit = unitSelect(units);
  const title = h("input", { type: "text", required: true, maxlength: 1000, "data-testid": "task-title-input" });
  // A due date in the past is allowed by the server (a task recorded late), but the picker starts at today.
  const due = h("input", { type: "date", required: true, min: hanoiDate(), "data-testid": "task-due-input" });
  const detail = h("textarea", { rows: 2, maxlength: 20000, "data-testid": "task-detail-input" });
  const node = h("fieldset", { class: "task-fields", "data-testid": "task-fields" },
    h("legend", { text: t("tasks.task") }),
    h("label", { class: "field" }, h("span", { text: t("tasks.unit") }), unit),
    h("label", { class: "field" }, h("span", { text: t("tasks.titleLabel") }), title),
    h("div", { class: "with-hint" },
      h("label", { class: "field" }, h("span", { text: t("tasks.dueLabel") }), due),
      onRemove ? h("button", { type: "button", class: "danger task-remove", "data-testid": "task-remove",
        text: t("tasks.removeFromForm"), onclick: onRemove }) : null),
    h("label", { class: "field" }, h("span", { text: t("tasks.detailLabel") }), detail));
  return {
    node,
    value: () => ({ unit_id: Number(unit.value), title: title.value.trim(), due_on: due.value,
      detail: detail.value.trim() }),
    focus: () => unit.focus(),
  };
}
