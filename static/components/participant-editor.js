// The secretariat's participant editor: add people with a role, add remote sites, change role or vote, remove.

import { del, patch, post } from "/static/api.js";
import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";
import { ROLES } from "/static/components/participant-list.js";

const SITE_KINDS = new Set(["ward", "commune", "district"]);
const collator = new Intl.Collator("vi");

// People take any role but "site", which is for remote sites (units).
function roleOptions(selected) {
  return ROLES.filter((r) => r !== "site")
    .map((r) => h("option", { value: r, text: t(`role.${r}`), selected: r === selected }));
}

// `ctx`: {users, sites (units that exist on the meeting's day), act(promise)}.
export function participantEditor(meetingId, participants, ctx) {
  const { act } = ctx;
  const sorted = [...participants].sort((a, b) => ROLES.indexOf(a.role) - ROLES.indexOf(b.role)
    || collator.compare(a.name, b.name));
  const rows = sorted.map((p) => {
    const role = h("select", { "aria-label": `${t("participants.role")}: ${p.name}`,
      "data-testid": "participant-role" }, roleOptions(p.role));
    role.addEventListener("change", () => act(patch(`/api/participants/${p.id}`, { role: role.value })));
    const vote = h("input", { type: "checkbox", checked: p.can_vote, id: `vote-${p.id}`,
      "data-testid": "participant-vote" });
    vote.addEventListener("change", () => act(patch(`/api/participants/${p.id}`, { can_vote: vote.checked })));
    return h("li", { class: "person", "data-testid": "participant", dataset: { participantId: p.id } },
      h("div", { class: "person-lines" }, h("span", { class: "person-name", text: p.name }),
        p.role !== "site" && p.title ? h("span", { class: "muted small", text: p.title }) : null,
        p.substitute_name ? h("span", { class: "substitute", text: t("participants.substituteOf",
          { substitute: p.substitute_name, member: p.name }) }) : null),
      // A remote site stays a site; people take any other role.
      h("div", { class: "row-actions" },
        p.role === "site" ? h("span", { class: "role-label", text: t("role.site") }) : role,
        h("label", { class: "check", for: `vote-${p.id}` }, vote, t("participants.canVote")),
        h("button", { type: "button", class: "icon danger", title: t("participants.remove"),
          "data-testid": "participant-remove",
          "aria-label": `${t("participants.remove")}: ${p.name}`, text: "✕",
          onclick: () => {
            if (confirm(t("participants.confirmRemove", { name: p.name }))) act(del(`/api/participants/${p.id}`));
          } })));
  });

  const taken = new Set(participants.map((p) => p.user_id).filter(Boolean));
  const person = h("select", { "data-testid": "add-participant-user", "data-keep": true, required: true },
    h("option", { value: "", text: t("participants.choosePerson") }),
    ctx.users.filter((u) => !taken.has(u.id))
      .map((u) => h("option", { value: u.id, text: u.title ? `${u.name} — ${u.title}` : u.name })));
  const personRole = h("select", { "data-testid": "add-participant-role", "data-keep": true },
    roleOptions("member"));
  const addPerson = h("form", { class: "add-row" },
    h("label", { class: "field grow" }, h("span", { text: t("participants.person") }), person),
    h("label", { class: "field" }, h("span", { text: t("participants.role") }), personRole),
    h("button", { type: "submit", class: "primary", "data-testid": "add-participant-submit",
      text: t("participants.add") }));
  addPerson.addEventListener("submit", (event) => {
    event.preventDefault();
    if (person.value) {
      act(post(`/api/meetings/${meetingId}/participants`, { user_id: Number(person.value), role: personRole.value }));
    }
  });

  const siteTaken = new Set(participants.filter((p) => p.role === "site").map((p) => p.unit_id));
  const site = h("select", { "data-testid": "add-site-unit", "data-keep": true, required: true },
    h("option", { value: "", text: t("participants.chooseSite") }),
    ctx.sites.filter((u) => SITE_KINDS.has(u.kind) && !siteTaken.has(u.id))
      .sort((a, b) => collator.compare(a.name, b.name))
      .map((u) => h("option", { value: u.id, text: u.name })));
  const addSite = h("form", { class: "add-row" },
    h("label", { class: "field grow" }, h("span", { text: t("participants.site") }), site),
    h("button", { type: "submit", class: "primary", "data-testid": "add-site-submit",
      text: t("participants.addSite") }));
  addSite.addEventListener("submit", (event) => {
    event.preventDefault();
    if (site.value) act(post(`/api/meetings/${meetingId}/participants`, { unit_id: Number(site.value), role: "site" }));
  });

  return h("section", { class: "card" },
    h("div", { class: "card-head" }, h("h2", { text: t("participants.title") }),
      h("span", { class: "muted", text: t("participants.total", { n: participants.length }) })),
    participants.length ? h("ul", { class: "people", "data-testid": "participants" }, rows)
      : h("p", { class: "muted", text: t("participants.none") }),
    h("div", { class: "add-block" }, addPerson, addSite));
}
