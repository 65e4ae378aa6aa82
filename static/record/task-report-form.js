// A unit's report back on its task ("Báo cáo tiến độ"): what was done, and whether the work is still in progress or
// done. Folded under its button until wanted.

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

const REPORT_STATUSES = ["in_progress", "done"];

// `send(body)` → a promise of the task as it now stands. Returns the form's node.
export function taskReportForm(task, send) {
  const text = h("textarea", { rows: 3, required: true, maxlength: 20000, "data-testid": "report-text",
    "aria-label": t("tasks.reportText") });
  const choices = h("div", { class: "report-choices", role: "radiogroup", "aria-label": t("tasks.reportStatus") },
    REPORT_STATUSES.map((status) => h("label", { class: "check report-choice" },
      h("input", { type: "radio", name: `report-status-${task.id}`, value: status, "data-testid": `report-${status}`,
        checked: status === "in_progress" }),
      h("span", { text: t(`tasks.status.${status}`) }))));
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit", class: "primary", "data-testid": "report-send",
    text: t("tasks.reportSend") });
  const form = h("form", { class: "stack report-form" },
    h("label", { class: "field" }, h("span", { text: t("tasks.reportText") }), text), choices, error, submit);
  const box = h("details", { class: "unfold report-box", "data-testid": "report-box" },
    h("summary", { class: "button", "data-testid": "report-open", text: t("tasks.report") }),
    h("div", { class: "unfold-body" }, form));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = form.querySelector("input[type=radio]:checked")?.value || "in_progress";
    submit.disabled = true;
    error.hidden = true;
    try {
      await send({ text: text.value.trim(), status });
      text.value = "";
      box.open = false;
    } catch (failure) {
      error.textContent = failure && failure.message ? failure.message : t("error.network");
      error.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });
  box.addEventListener("toggle", () => {
    if (box.open) text.focus();
  });
  return box;
}
