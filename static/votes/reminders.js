// Reminders of written opinion polls (poll.reminder on the user's own channel): shown wherever the user is.

import { formatShortDateTime, t } from "/static/i18n.js";
import { hearUser } from "/static/user-channel.js";

// `toast(text, kind)`: app.js's. Returns the function that stops listening.
export function hearPollReminders(toast) {
  return hearUser((message) => {
    if (message.type !== "poll.reminder") return;
    const { question, deadline } = message.data || {};
    toast(t("written.reminder", { question: question || "", time: deadline ? formatShortDateTime(deadline) : "—" }),
      "reminder");
  });
}
