// Reminders of tasks (task.reminder on the user's own channel): a task of the user's unit falls due soon or is
// overdue. Shown wherever the user is, as poll reminders are.

import { t } from "/static/i18n.js";
import { formatDay } from "/static/record/task-line.js";
import { hearUser } from "/static/user-channel.js";

// `toast(text, kind)`: app.js's. Returns the function that stops listening.
export function hearTaskReminders(toast) {
  return hearUser((message) => {
    if (message.type !== "task.reminder") return;
    const { task, kind } = message.data || {};
    if (!task) return;
    const key = kind === "overdue" ? "tasks.reminder.overdue" : "tasks.reminder.dueSoon";
    toast(t(key, { title: task.title, day: formatDay(task.due_on), n: Math.abs(task.days_left) }), "reminder");
  });
}
