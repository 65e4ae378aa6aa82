// Participants grouped by role, with attendance, check-in, substitutes and absences.

import { del, patch, post } from "/static/api.js";
import { h } from "/static/dom.js";
import { formatTime, t } from "/static/i18n.js";
import { userPicker } from "/static/components/user-picker.js";

export const ROLES = ["chair", "secretary", "member", "invitee", "site", "observer"];
// Mirrors ecabinet/lifecycle.py and participants.py.
const CHECK_IN_OPEN = new Set(["scheduled", "live"]);
const EDITABLE = new Set(["draft", "scheduled", "live"]);
const MAY_SEND_SUBSTITUTE = new Set(["chair", "secretary", "member", "invitee"]);

const collator = new Intl.Collator("vi");

// `ctx`: {meeting, me (user id), act(promise) → reloads after, report(error), online (Set of user ids)?}.
export function participantList(participants, ctx) {
  const box = h("div", { class: "participant-groups", "data-testid": "participants" });
  const taken = new Set(participants.flatMap((p) => [p.user_id, p.substitute_id]).filter(Boolean));
  for (const role of ROLES) {
    const group = participants.filter((p) => p.role === role).sort((a, b) => collator.compare(a.name, b.name));
    if (!group.length) continue;
    const present = group.filter((p) => p.attendance === "present").length;
    box.append(
      h("h3", {}, t(`role.${role}.plural`), h("span", { class: "count", text: `${present}/${group.length}` })),
      h("ul", { class: "people" }, group.map((p) => personRow(p, ctx, taken))));
  }
  return box;
}

function attendanceLine(p) {
  const at = p.checked_in_at ? ` · ${formatTime(p.checked_in_at)}` : "";
  if (p.attendance === "present") {
    const text = p.by_substitute ? t("attendance.presentBySubstitute", { name: p.substitute_name || "" })
      : t("attendance.present");
    return h("span", { class: "attendance present", "data-testid": "attendance", text: `${text}${at}` });
  }
  if (p.attendance === "absent") {
    const reason = p.absence_reason ? ` — ${p.absence_reason}` : "";
    return h("span", { class: "attendance absent", "data-testid": "attendance",
      text: `${t("attendance.absent")}${reason}` });
  }
  return h("span", { class: "attendance expected", "data-testid": "attendance", text: t("attendance.expected") });
}

function personRow(p, ctx, taken) {
  const { meeting, me, act } = ctx;
  const mine = p.user_id === me;
  const asSubstitute = p.substitute_id === me;
  const manage = meeting.can_manage;
  const open = CHECK_IN_OPEN.has(meeting.status);
  const editable = EDITABLE.has(meeting.status);

  const lines = [h("span", { class: "person-name" }, p.name,
    mine ? h("span", { class: "tag", text: t("participants.you") }) : null,
    // Chairs and members vote as a rule; say so only for the others who do.
    p.can_vote && p.role !== "chair" && p.role !== "member"
      ? h("span", { class: "tag", text: t("participants.votes") }) : null)];
  if (p.role !== "site" && p.title) lines.push(h("span", { class: "muted small", text: p.title }));
  if (p.substitute_name) {
    lines.push(h("span", { class: "substitute", "data-testid": "substitute", text: t("participants.substituteOf",
      { substitute: p.substitute_name, member: p.name }) }));
    if (p.absence_reason && p.attendance !== "absent") {
      lines.push(h("span", { class: "muted small", text: t("participants.reason", { reason: p.absence_reason }) }));
    }
  }
  lines.push(attendanceLine(p));

  const actions = h("div", { class: "row-actions" });
  const checkIn = (body) => act(post(`/api/participants/${p.id}/checkin`, body));
  if (open && p.attendance !== "present") {
    if (mine || (manage && !asSubstitute)) {
      actions.append(h("button", { type: "button", class: "primary", "data-testid": "checkin",
        text: t("participants.checkIn"), onclick: () => checkIn({}) }));
    }
    if (asSubstitute || (manage && p.substitute_id !== null && !mine)) {
      actions.append(h("button", { type: "button", class: "primary",
        "data-testid": asSubstitute ? "checkin" : "checkin-substitute",
        text: asSubstitute ? t("participants.checkInFor", { name: p.name }) : t("participants.checkInSubstitute"),
        onclick: () => checkIn(asSubstitute ? {} : { by_substitute: true }) }));
    }
  }
  if (open && p.attendance === "present" && (mine || asSubstitute || manage)) {
    actions.append(h("button", { type: "button", "data-testid": "undo-checkin", text: t("participants.undoCheckIn"),
      onclick: () => act(del(`/api/participants/${p.id}/checkin`)) }));
  }
  if (editable && manage && p.attendance === "expected") actions.append(absenceForm(p, act));
  if (editable && manage && p.attendance === "absent") {
    actions.append(h("button", { type: "button", "data-testid": "undo-absent", text: t("participants.undoAbsent"),
      onclick: () => act(patch(`/api/participants/${p.id}`, { attendance: "expected", absence_reason: "" })) }));
  }
  if (editable && mine && MAY_SEND_SUBSTITUTE.has(p.role) && p.attendance !== "present") {
    actions.append(p.substitute_id
      ? h("button", { type: "button", "data-testid": "clear-substitute", text: t("participants.clearSubstitute"),
        onclick: () => act(patch(`/api/participants/${p.id}`, { substitute_id: null, absence_reason: "" })) })
      : substituteForm(p, ctx, taken));
  }
  // Online: the participant (or the substitute attending for them) has the meeting open right now.
  const online = ctx.online && (ctx.online.has(p.user_id) || ctx.online.has(p.substitute_id));
  if (online) {
    lines[0].prepend(h("span", { class: "presence-dot", "data-testid": "online", title: t("presence.online"),
      "aria-label": t("presence.online") }));
  }
  const classes = ["person", p.attendance, mine || asSubstitute ? "me" : "", online ? "online" : ""]
    .filter(Boolean).join(" ");
  return h("li", { class: classes, "data-testid": "participant", dataset: { participantId: p.id } },
    h("div", { class: "person-lines" }, lines), actions.childElementCount ? actions : null);
}

// An inline form (no pop-up dialog, which is awkward on tablets): a button that unfolds its fields.
function unfolding(label, testid, ...body) {
  const box = h("details", { class: "unfold" },
    h("summary", { class: "button", "data-testid": testid, text: label }),
    h("div", { class: "unfold-body" }, ...body));
  return box;
}

function absenceForm(p, act) {
  const reason = h("input", { type: "text", maxlength: 500, placeholder: t("participants.absenceReason"),
    "aria-label": t("participants.absenceReason"), "data-testid": "absence-reason" });
  const form = h("form", { class: "stack" },
    h("label", { class: "field" }, h("span", { text: t("participants.absenceReason") }), reason),
    h("button", { type: "submit", class: "primary", "data-testid": "absent-confirm",
      text: t("participants.confirmAbsent") }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(patch(`/api/participants/${p.id}`, { attendance: "absent", absence_reason: reason.value.trim() }));
  });
  return unfolding(t("participants.markAbsent"), "mark-absent", form);
}

function substituteForm(p, ctx, taken) {
  const reason = h("input", { type: "text", maxlength: 500, placeholder: t("participants.absenceReason"),
    "aria-label": t("participants.absenceReason"), "data-testid": "substitute-reason" });
  const picker = userPicker({
    exclude: (u) => u.id === ctx.me || taken.has(u.id),
    onPick: (u) => ctx.act(patch(`/api/participants/${p.id}`,
      { substitute_id: u.id, absence_reason: reason.value.trim() })),
    report: ctx.report,
  });
  const box = unfolding(t("participants.nameSubstitute"), "name-substitute",
    h("label", { class: "field" }, h("span", { text: t("participants.absenceReason") }), reason),
    h("p", { class: "muted small", text: t("participants.pickSubstitute") }), picker.element);
  box.addEventListener("toggle", () => {
    if (box.open) picker.load();
  });
  return box;
}
