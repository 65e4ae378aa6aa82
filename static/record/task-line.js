// A task as both the meeting page and a unit's task list show it: the work, the owner unit, the due date with the
// days left (or overdue, in red), its status, and the reports back. Shapes: docs/floor-contract.md (TaskOut).

import { h } from "/static/dom.js";
import { formatShortDateTime, t } from "/static/i18n.js";

export const TASK_STATUSES = ["open", "in_progress", "done", "cancelled"];

// "2027-01-15" → "15/01/2027": a calendar day, with no time zone to shift it.
export function formatDay(day) {
  if (!day) return "";
  const [year, month, date] = day.split("-");
  return `${date}/${month}/${year}`;
}

export function taskStatusBadge(status) {
  return h("span", { class: `badge task-status-${status}`, "data-testid": "task-status",
    text: t(`tasks.status.${status}`) });
}

// How the due date stands today: days left, due today, or how many days overdue (the server counts in Hanoi's date).
export function dueNote(task) {
  if (task.status === "done") {
    return h("span", { class: "due-note done", "data-testid": "task-due-note",
      text: task.completed_at ? t("tasks.doneOn", { at: formatShortDateTime(task.completed_at) }) : t("tasks.status.done") });
  }
  if (task.status === "cancelled") return null;
  if (task.overdue) {
    return h("span", { class: "due-note overdue", "data-testid": "task-due-note",
      text: t("tasks.overdueDays", { n: Math.abs(task.days_left) }) });
  }
  if (task.days_left === 0) {
    return h("span", { class: "due-note today", "data-testid": "task-due-note", text: t("tasks.dueToday") });
  }
  return h("span", { class: `due-note${task.days_left <= 3 ? " soon" : ""}`, "data-testid": "task-due-note",
    text: t("tasks.daysLeft", { n: task.days_left }) });
}

export function dueLine(task) {
  return h("span", { class: "task-due" },
    h("span", { "data-testid": "task-due", text: t("tasks.due", { day: formatDay(task.due_on) }) }),
    dueNote(task));
}

export function reportList(task, { last = false } = {}) {
  const reports = last ? task.reports.slice(-1) : task.reports;
  if (!reports.length) return null;
  return h("ul", { class: "task-reports", "data-testid": "task-reports" }, reports.map((r) => h("li", {
    class: "task-report", "data-testid": "task-report" },
  h("span", { class: "muted small" },
    `${r.name} · ${formatShortDateTime(r.at)} · `,
    h("span", { class: `report-status ${r.status}`, text: t(`tasks.status.${r.status}`) })),
  h("span", { class: "task-report-text", "data-testid": "task-report-text", text: r.text }))));
}

// `where`: show the meeting and item (a unit's list) or not (under the conclusion on the meeting page);
// `below`: what goes under the task (the report form).
export function taskLine(task, { where = false, lastReport = false, below = null } = {}) {
  return h("li", { class: `task task-${task.status}${task.overdue ? " task-overdue" : ""}`, "data-testid": "task",
    dataset: { taskId: task.id } },
  where ? h("p", { class: "task-where muted small" },
    h("span", { "data-testid": "task-meeting", text: task.meeting_title }),
    h("span", { "data-testid": "task-item", text: task.item_title })) : null,
  h("div", { class: "task-head" },
    h("span", { class: "task-title", "data-testid": "task-title", text: task.title }),
    taskStatusBadge(task.status)),
  task.detail ? h("p", { class: "task-detail", "data-testid": "task-detail", text: task.detail }) : null,
  h("p", { class: "task-facts small" },
    h("span", { class: "task-unit", "data-testid": "task-unit", text: task.unit_name }),
    dueLine(task)),
  reportList(task, { last: lastReport }),
  below);
}
