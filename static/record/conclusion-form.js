// The secretary's and the chair's form for a conclusion on an agenda item: its text and, in the same form, the
// tasks it gives ("rõ người, rõ việc, rõ tiến độ": each one unit, one piece of work, one due date). Also used to
// edit a conclusion's text (no tasks), and to give one more task on a conclusion (no text).

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";
import { taskFields } from "/static/record/task-fields.js";

// `mode`: "new" (text and tasks), "edit" (text), "task" (one task). `submit(body)` → a promise (resolved once
// saved; the form's owner closes it then); `cancel()`. Returns {node, focus()}.
export function conclusionForm(units, { mode, text = "", submit, cancel }) {
  const rows = [];
  const tasks = h("div", { class: "task-rows" });
  const addRow = (removable) => {
    const row = taskFields(units, { onRemove: removable ? () => {
      rows.splice(rows.indexOf(row), 1);
      row.node.remove();
    } : null });
    rows.push(row);
    tasks.append(row.node);
    return row;
  };
  const textArea = mode === "task" ? null : h("textarea", { rows: 4, required: true, maxlength: 20000,
    "data-testid": "conclusion-input", "aria-label": t("record.conclusionText") });
  if (textArea) textArea.value = text;
  if (mode === "task") addRow(false);
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const save = h("button", { type: "submit", class: "primary", "data-testid": "conclusion-save",
    text: t(mode === "task" ? "tasks.give" : "record.saveConclusion") });
  const form = h("form", { class: `stack conclusion-form mode-${mode}`, "data-testid": `conclusion-form-${mode}` },
    textArea ? h("label", { class: "field" }, h("span", { text: t("record.conclusionText") }), textArea) : null,
    tasks,
    mode === "new" ? h("button", { type: "button", class: "add-task", "data-testid": "task-add-row",
      text: `+ ${t("tasks.addToForm")}`, onclick: () => addRow(true).focus() }) : null,
    error,
    h("div", { class: "button-row" }, save,
      h("button", { type: "button", "data-testid": "conclusion-cancel", text: t("record.cancel"), onclick: cancel })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {};
    if (textArea) body.text = textArea.value.trim();
    const given = rows.map((row) => row.value());
    if (mode === "new") body.tasks = given;
    if (mode === "task") Object.assign(body, given[0]);
    save.disabled = true;
    error.hidden = true;
    try {
      await submit(body);
    } catch (failure) {
      // The server's words (a unit that no longer exists, the meeting closed meanwhile) stay by the form.
      error.textContent = failure && failure.message ? failure.message : t("error.network");
      error.hidden = false;
    } finally {
      save.disabled = false;
    }
  });
  return { node: form, focus: () => (textArea || rows[0]).focus() };
}
