// The meeting's kind, title, start (Hanoi time) and place; `save(body)` sends them.

import { h } from "/static/dom.js";
import { formatDateTime, fromLocalInput, t, toLocalInput } from "/static/i18n.js";

const KINDS = ["cabinet_session", "online_briefing", "thematic"];

export function meetingForm(meeting, save, { disabled = false } = {}) {
  const kind = h("select", { id: "meeting-kind", "data-testid": "meeting-kind", "data-keep": true, disabled },
    KINDS.map((k) => h("option", { value: k, text: t(`kind.${k}`), selected: meeting ? meeting.kind === k : false })));
  const title = h("input", { id: "meeting-title", "data-testid": "meeting-title", "data-keep": true, required: true,
    maxlength: 500, value: meeting ? meeting.title : "", disabled });
  const startsAt = h("input", { id: "meeting-starts-at", type: "datetime-local", "data-testid": "meeting-starts-at",
    "data-keep": true, value: meeting ? toLocalInput(meeting.starts_at) : "", disabled });
  // The browser shows the picker in its own locale (12/03 may read as 3 December or 12 March): spell it out.
  const hint = h("span", { class: "muted small", "data-testid": "meeting-starts-at-hint" });
  const showHint = () => {
    hint.textContent = startsAt.value ? `${t("meeting.hanoiTime")}: ${formatDateTime(fromLocalInput(startsAt.value))}`
      : t("meeting.hanoiTime");
  };
  startsAt.addEventListener("input", showHint);
  showHint();
  const place = h("input", { id: "meeting-place", "data-testid": "meeting-place", "data-keep": true, maxlength: 300,
    value: meeting ? meeting.place : "", disabled });
  const form = h("form", { class: "form-grid" },
    h("label", { for: "meeting-kind", text: t("meeting.kind") }), kind,
    h("label", { for: "meeting-title", text: t("meeting.titleField") }), title,
    h("label", { for: "meeting-starts-at", text: t("meeting.startsAt") }),
    h("div", { class: "with-hint" }, startsAt, hint),
    h("label", { for: "meeting-place", text: t("meeting.place") }), place,
    h("div", {}),
    disabled ? h("div", {}) : h("button", { type: "submit", class: "primary", "data-testid": "meeting-save",
      text: meeting ? t("editor.save") : t("editor.create") }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save({
      kind: kind.value, title: title.value.trim(), starts_at: fromLocalInput(startsAt.value), place: place.value.trim(),
    });
  });
  return form;
}
