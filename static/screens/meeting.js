// The meeting page: details, the agenda, participants with attendance, check-in, substitutes, quorum.

import { del, get, patch, post } from "/static/api.js";
import { report, session, toast } from "/static/app.js";
import { clear, h } from "/static/dom.js";
import { formatDateTime, formatTime, t } from "/static/i18n.js";
import { statusBadge } from "/static/screens/meetings.js";

const ROLES = ["chair", "secretary", "member", "invitee", "site", "observer"];
const CHECK_IN_OPEN = ["scheduled", "live"];

export function agendaTree(items) {
  return h("ol", { class: "agenda", "data-testid": "agenda" },
    items.map((item) => h("li", { class: `agenda-item depth-${item.depth}`, "data-testid": "agenda-item",
      dataset: { itemId: item.id } },
      h("span", { class: "item-number", text: item.item_number }),
      h("div", { class: "item-body" },
        h("span", { class: "item-title", text: item.title }),
        h("span", { class: "muted", text: presenterLine(item) })),
      item.duration_minutes ? h("span", { class: "minutes", text: t("agenda.minutes", { n: item.duration_minutes }) })
        : null)));
}

function presenterLine(item) {
  return [item.presenter_name, item.presenter_unit_name].filter(Boolean).join(" – ");
}

export async function showMeeting(view, meetingId) {
  const state = await get(`/api/meetings/${meetingId}/state`);
  const { meeting } = state;
  const reload = () => showMeeting(view, meetingId).catch(report);
  const act = (promise) => promise.then(reload).catch(report);

  const head = h("div", { class: "page-head" },
    h("div", {},
      h("h1", { text: meeting.title }),
      h("p", { class: "muted", text: `${t(`kind.${meeting.kind}`)} · ${formatDateTime(meeting.starts_at)}` }),
      meeting.place ? h("p", { class: "muted", text: meeting.place }) : null),
    h("div", { class: "head-actions" },
      statusBadge(meeting.status),
      meeting.can_manage ? h("a", { class: "button", href: `#/meetings/${meetingId}/edit`, "data-testid": "edit-meeting",
        text: t("meeting.edit") }) : null));

  const agenda = h("section", { class: "card" },
    h("h2", { text: t("agenda.title") }),
    state.items.length ? agendaTree(state.items) : h("p", { class: "muted", text: t("agenda.empty") }));

  const quorum = state.quorum;
  const quorumBox = h("section", { class: `card quorum ${quorum.met ? "met" : "not-met"}`, "data-testid": "quorum" },
    h("h2", { text: t("quorum.title") }),
    h("p", { class: "quorum-line", text: `${quorum.met ? t("quorum.met") : t("quorum.notMet")} — ${t("quorum.count",
      { present: quorum.present, required: quorum.required, members: quorum.members })}` }),
    h("p", { class: "muted small", text: quorum.basis }));

  const people = h("section", { class: "card" }, h("h2", { text: t("participants.title") }));
  for (const role of ROLES) {
    const group = state.participants.filter((p) => p.role === role);
    if (!group.length) continue;
    people.append(h("h3", { text: t(`role.${role}.plural`) }),
      h("ul", { class: "people" }, group.map((p) => personRow(p, meeting, act))));
  }
  clear(view).append(head, h("div", { class: "columns" }, h("div", {}, agenda), h("div", {}, quorumBox, people)));
}

function personRow(p, meeting, act) {
  const me = session.user.id;
  const mine = p.user_id === me;
  const asSubstitute = p.substitute_id === me;
  const open = CHECK_IN_OPEN.includes(meeting.status);
  const editable = ["draft", "scheduled", "live"].includes(meeting.status);
  const name = p.role === "site" ? p.name : [p.name, p.title].filter(Boolean).join(", ");
  const lines = [h("span", { class: "person-name", text: name })];
  if (p.substitute_name) {
    lines.push(h("span", { class: "substitute", text: t("participants.substitute", { name: p.substitute_name }) }));
  }
  if (p.attendance === "present") {
    const who = p.by_substitute ? t("participants.presentBySubstitute", { name: p.substitute_name || "" })
      : t("participants.present");
    lines.push(h("span", { class: "present", text: `${who} ${p.checked_in_at ? formatTime(p.checked_in_at) : ""}` }));
  } else if (p.attendance === "absent") {
    lines.push(h("span", { class: "absent", text: `${t("participants.absent")}${p.absence_reason ? ` (${p.absence_reason})`
      : ""}` }));
  }
  const actions = h("div", { class: "row-actions" });
  if (open && p.attendance !== "present" && (mine || asSubstitute || meeting.can_manage)) {
    const bySubstitute = asSubstitute || (!mine && meeting.can_manage && p.substitute_id !== null);
    actions.append(h("button", { type: "button", class: "primary", "data-testid": "checkin",
      text: asSubstitute ? t("participants.checkInAsSubstitute") : t("participants.checkIn"),
      onclick: () => act(post(`/api/participants/${p.id}/checkin`, bySubstitute && !mine ? { by_substitute: true } : {})) }));
  }
  if (open && p.attendance === "present" && (mine || asSubstitute || meeting.can_manage)) {
    actions.append(h("button", { type: "button", text: t("participants.undoCheckIn"),
      onclick: () => act(del(`/api/participants/${p.id}/checkin`)) }));
  }
  if (editable && meeting.can_manage && p.attendance !== "absent" && p.attendance !== "present") {
    actions.append(h("button", { type: "button", text: t("participants.markAbsent"), onclick: () => {
      const reason = prompt(t("participants.absenceReason")) ?? null;
      if (reason !== null) act(patch(`/api/participants/${p.id}`, { attendance: "absent", absence_reason: reason }));
    } }));
  }
  if (editable && mine && ["chair", "secretary", "member", "invitee"].includes(p.role)) {
    actions.append(p.substitute_id
      ? h("button", { type: "button", text: t("participants.clearSubstitute"),
        onclick: () => act(patch(`/api/participants/${p.id}`, { substitute_id: null, absence_reason: "" })) })
      : substitutePicker(p, act));
  }
  return h("li", { class: `person ${p.attendance}`, dataset: { participantId: p.id } },
    h("div", { class: "person-lines" }, lines), actions);
}

function substitutePicker(p, act) {
  const box = h("details", { class: "picker" }, h("summary", { class: "button", text: t("participants.nameSubstitute") }));
  const search = h("input", { type: "search", placeholder: t("participants.searchPeople") });
  const reason = h("input", { type: "text", placeholder: t("participants.absenceReason") });
  const results = h("ul", { class: "picker-results" });
  search.addEventListener("input", async () => {
    try {
      const people = await get(`/api/users?q=${encodeURIComponent(search.value)}`);
      clear(results).append(...people.filter((u) => u.id !== session.user.id).slice(0, 8).map((u) =>
        h("li", {}, h("button", { type: "button", text: `${u.name}${u.title ? `, ${u.title}` : ""}`, onclick: () => {
          act(patch(`/api/participants/${p.id}`, { substitute_id: u.id, absence_reason: reason.value }));
          toast(t("participants.substituteNamed", { name: u.name }), "info");
        } }))));
    } catch (error) {
      report(error);
    }
  });
  box.append(h("div", { class: "picker-body" }, reason, search, results));
  return box;
}
