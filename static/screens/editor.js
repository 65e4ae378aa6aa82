// The secretariat's editor: the meeting's details and status, its agenda and its participants.

import { del, get, patch, post } from "/static/api.js";
import { go, report, toast } from "/static/app.js";
import { indent, moveAmongSiblings, moveBefore, outdent } from "/static/agenda-order.js";
import { clear, h } from "/static/dom.js";
import { fromLocalInput, t, toLocalInput } from "/static/i18n.js";
import { statusBadge } from "/static/screens/meetings.js";

const KINDS = ["cabinet_session", "online_briefing", "thematic"];
const ROLES = ["chair", "secretary", "member", "invitee", "site", "observer"];
const NEXT = { draft: ["scheduled"], scheduled: ["live", "draft"], live: ["closed"], closed: ["archived"], archived: [] };

export async function showEditor(view, meetingId) {
  if (meetingId === null) {
    clear(view).append(h("h1", { text: t("editor.newTitle") }), meetingForm(null, async (body) => {
      const meeting = await post("/api/meetings", body);
      go(`#/meetings/${meeting.id}/edit`);
    }));
    return;
  }
  const [state, users, units] = await Promise.all([
    get(`/api/meetings/${meetingId}/state`), get("/api/users"), get("/api/units"),
  ]);
  const reload = () => showEditor(view, meetingId).catch(report);
  const act = (promise) => promise.then(reload).catch(report);
  const { meeting } = state;

  const head = h("div", { class: "page-head" },
    h("h1", { text: t("editor.title") }),
    h("div", { class: "head-actions" }, statusBadge(meeting.status),
      h("a", { class: "button", href: `#/meetings/${meetingId}`, "data-testid": "view-meeting", text: t("editor.view") })));

  const transitions = h("section", { class: "card" }, h("h2", { text: t("editor.status") }),
    h("div", { class: "button-row" }, NEXT[meeting.status].map((to) => h("button", {
      type: "button", class: to === "draft" ? "" : "primary", "data-testid": `transition-${to}`,
      text: t(`transition.${to}`),
      onclick: () => act(post(`/api/meetings/${meetingId}/transition`, { to })),
    }))));

  const details = h("section", { class: "card" }, h("h2", { text: t("editor.details") }),
    meetingForm(meeting, async (body) => {
      await patch(`/api/meetings/${meetingId}`, body);
      toast(t("editor.saved"), "info");
      reload();
    }));

  clear(view).append(head, transitions, details,
    agendaEditor(meetingId, state.items, users, units, act),
    participantsEditor(meetingId, state.participants, users, units, act));
}

function meetingForm(meeting, save) {
  const kind = h("select", { id: "meeting-kind", "data-testid": "meeting-kind" },
    KINDS.map((k) => h("option", { value: k, text: t(`kind.${k}`), selected: meeting ? meeting.kind === k : false })));
  const title = h("input", { id: "meeting-title", "data-testid": "meeting-title", required: true, maxlength: 500,
    value: meeting ? meeting.title : "" });
  const startsAt = h("input", { id: "meeting-starts-at", type: "datetime-local", "data-testid": "meeting-starts-at",
    value: meeting ? toLocalInput(meeting.starts_at) : "" });
  const place = h("input", { id: "meeting-place", "data-testid": "meeting-place", maxlength: 300,
    value: meeting ? meeting.place : "" });
  const form = h("form", { class: "form-grid" },
    h("label", { for: "meeting-kind", text: t("meeting.kind") }), kind,
    h("label", { for: "meeting-title", text: t("meeting.titleField") }), title,
    h("label", { for: "meeting-starts-at", text: t("meeting.startsAt") }), startsAt,
    h("label", { for: "meeting-place", text: t("meeting.place") }), place,
    h("div", {}), h("button", { type: "submit", class: "primary", "data-testid": "meeting-save", text: t("editor.save") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await save({ kind: kind.value, title: title.value, starts_at: fromLocalInput(startsAt.value), place: place.value });
    } catch (error) {
      report(error);
    }
  });
  return form;
}

function userOptions(users, selected) {
  return [h("option", { value: "", text: "—" }),
    ...users.map((u) => h("option", { value: u.id, text: u.name, selected: u.id === selected }))];
}

function unitOptions(units, selected) {
  return [h("option", { value: "", text: "—" }),
    ...units.map((u) => h("option", { value: u.id, text: u.name, selected: u.id === selected }))];
}

const idOrNull = (value) => (value === "" ? null : Number(value));

function agendaEditor(meetingId, items, users, units, act) {
  const reorder = (order) => {
    if (order) act(post(`/api/meetings/${meetingId}/items/order`, { items: order }));
  };
  let dragged = null;
  const rows = items.map((item) => {
    const title = h("input", { class: "item-title-input", value: item.title, "aria-label": t("agenda.itemTitle"),
      "data-testid": "item-title" });
    title.addEventListener("change", () => act(patch(`/api/items/${item.id}`, { title: title.value })));
    const presenter = h("select", { "aria-label": t("agenda.presenter") }, userOptions(users, item.presenter_id));
    presenter.addEventListener("change", () => act(patch(`/api/items/${item.id}`,
      { presenter_id: idOrNull(presenter.value) })));
    const unit = h("select", { "aria-label": t("agenda.presenterUnit") },
      unitOptions(units.filter((u) => u.kind === "department" || u.id === item.presenter_unit_id),
        item.presenter_unit_id));
    unit.addEventListener("change", () => act(patch(`/api/items/${item.id}`,
      { presenter_unit_id: idOrNull(unit.value) })));
    const minutes = h("input", { type: "number", min: 0, max: 1440, class: "minutes-input",
      value: item.duration_minutes ?? "", "aria-label": t("agenda.minutesField") });
    minutes.addEventListener("change", () => act(patch(`/api/items/${item.id}`,
      { duration_minutes: minutes.value === "" ? null : Number(minutes.value) })));
    const row = h("li", { class: `agenda-edit depth-${item.depth}`, draggable: "true", "data-testid": "agenda-item",
      dataset: { itemId: item.id } },
      h("span", { class: "drag-handle", title: t("agenda.drag"), text: "⠿" }),
      h("span", { class: "item-number", text: item.item_number }),
      h("div", { class: "item-fields" }, title,
        h("div", { class: "item-meta" }, presenter, unit, minutes, h("span", { class: "muted", text: t("agenda.min") }))),
      h("div", { class: "item-buttons" },
        h("button", { type: "button", class: "icon", "data-testid": "item-up", title: t("agenda.up"), text: "↑",
          onclick: () => reorder(moveAmongSiblings(items, item.id, -1)) }),
        h("button", { type: "button", class: "icon", "data-testid": "item-down", title: t("agenda.down"), text: "↓",
          onclick: () => reorder(moveAmongSiblings(items, item.id, 1)) }),
        h("button", { type: "button", class: "icon", "data-testid": "item-outdent", title: t("agenda.outdent"), text: "←",
          onclick: () => reorder(outdent(items, item.id)) }),
        h("button", { type: "button", class: "icon", "data-testid": "item-indent", title: t("agenda.indent"), text: "→",
          onclick: () => reorder(indent(items, item.id)) }),
        h("button", { type: "button", class: "icon danger", "data-testid": "item-delete", title: t("agenda.delete"),
          text: "✕", onclick: () => {
            if (confirm(t("agenda.confirmDelete", { title: item.title }))) act(del(`/api/items/${item.id}`));
          } })));
    row.addEventListener("dragstart", (event) => {
      dragged = item.id;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", String(item.id));
    });
    row.addEventListener("dragover", (event) => {
      event.preventDefault();
      row.classList.add("drop-target");
    });
    row.addEventListener("dragleave", () => row.classList.remove("drop-target"));
    row.addEventListener("drop", (event) => {
      event.preventDefault();
      row.classList.remove("drop-target");
      if (dragged !== null) reorder(moveBefore(items, dragged, item.id));
      dragged = null;
    });
    return row;
  });

  const newTitle = h("input", { id: "add-item-title", "data-testid": "add-item-title", required: true, maxlength: 500,
    placeholder: t("agenda.newItem") });
  const parent = h("select", { "aria-label": t("agenda.parent") }, h("option", { value: "", text: t("agenda.topLevel") }),
    items.filter((i) => i.depth < 2).map((i) => h("option", { value: i.id, text: `${i.item_number}. ${i.title}` })));
  const add = h("form", { class: "add-row" }, newTitle, parent,
    h("button", { type: "submit", class: "primary", "data-testid": "add-item-submit", text: t("agenda.add") }));
  add.addEventListener("submit", (event) => {
    event.preventDefault();
    act(post(`/api/meetings/${meetingId}/items`, { title: newTitle.value, parent_id: idOrNull(parent.value) }));
  });
  return h("section", { class: "card" }, h("h2", { text: t("agenda.title") }),
    items.length ? h("ol", { class: "agenda editing", "data-testid": "agenda" }, rows)
      : h("p", { class: "muted", text: t("agenda.empty") }),
    add);
}

function participantsEditor(meetingId, participants, users, units, act) {
  const rows = participants.map((p) => {
    const role = h("select", { "aria-label": t("participants.role") },
      ROLES.map((r) => h("option", { value: r, text: t(`role.${r}`), selected: p.role === r })));
    role.addEventListener("change", () => act(patch(`/api/participants/${p.id}`, { role: role.value })));
    const vote = h("input", { type: "checkbox", checked: p.can_vote, id: `vote-${p.id}` });
    vote.addEventListener("change", () => act(patch(`/api/participants/${p.id}`, { can_vote: vote.checked })));
    return h("li", { class: "person", dataset: { participantId: p.id } },
      h("div", { class: "person-lines" }, h("span", { class: "person-name", text: p.name }),
        h("span", { class: "muted", text: p.role === "site" ? t("role.site") : p.title || "" })),
      h("div", { class: "row-actions" }, role,
        h("label", { class: "check", for: `vote-${p.id}` }, vote, t("participants.canVote")),
        h("button", { type: "button", class: "icon danger", title: t("participants.remove"), text: "✕",
          onclick: () => act(del(`/api/participants/${p.id}`)) })));
  });

  const taken = new Set(participants.map((p) => p.user_id));
  const person = h("select", { "data-testid": "add-participant-user", "aria-label": t("participants.person") },
    userOptions(users.filter((u) => !taken.has(u.id)), null));
  const personRole = h("select", { "aria-label": t("participants.role") },
    ROLES.filter((r) => r !== "site").map((r) => h("option", { value: r, text: t(`role.${r}`), selected: r === "member" })));
  const addPerson = h("form", { class: "add-row" }, person, personRole,
    h("button", { type: "submit", class: "primary", text: t("participants.add") }));
  addPerson.addEventListener("submit", (event) => {
    event.preventDefault();
    if (person.value) act(post(`/api/meetings/${meetingId}/participants`,
      { user_id: Number(person.value), role: personRole.value }));
  });

  const today = new Date().toISOString().slice(0, 10);
  const local = units.filter((u) => ["ward", "commune", "district"].includes(u.kind)
    && (!u.valid_from || u.valid_from <= today) && (!u.valid_to || u.valid_to >= today));
  const site = h("select", { "aria-label": t("participants.site") }, unitOptions(local, null));
  const addSite = h("form", { class: "add-row" }, site,
    h("button", { type: "submit", class: "primary", text: t("participants.addSite") }));
  addSite.addEventListener("submit", (event) => {
    event.preventDefault();
    if (site.value) act(post(`/api/meetings/${meetingId}/participants`, { unit_id: Number(site.value), role: "site" }));
  });

  return h("section", { class: "card" }, h("h2", { text: t("participants.title") }),
    h("ul", { class: "people" }, rows), addPerson, addSite);
}
