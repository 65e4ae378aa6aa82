// An agenda item's pre-positions, given before the meeting: a member's three toggles (agree, object, wish to speak),
// and for the chair and the secretary the count of each and who objects or asks to speak.

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

export const POSITIONS = ["agree", "object", "speak"];

// `row`: {agree, object, speak, mine} or undefined; `ctx`: {mayPosition, lead, consent (Set of item ids),
// members ([{user_id, name, item_id, position}]), on: {position(item, position | null), startPoll(item)}}.
export function prepositionBar(item, row, ctx) {
  const bar = h("div", { class: "preposition-bar", "data-testid": "prepositions" });
  if (ctx.mayPosition) {
    const mine = row ? row.mine : null;
    bar.append(h("div", { class: "preposition-toggles", role: "group", "aria-label": t("preposition.mine") },
      POSITIONS.map((position) => h("button", {
        type: "button", class: `preposition ${position}`, "data-testid": `preposition-${position}`,
        "aria-pressed": String(mine === position), text: t(`preposition.${position}`),
        onclick: () => ctx.on.position(item, mine === position ? null : position),
      }))));
  }
  if (ctx.lead) {
    const counts = row || { agree: 0, object: 0, speak: 0 };
    bar.append(h("div", { class: "preposition-tally", "data-testid": "preposition-tally" },
      POSITIONS.map((position) => h("span", { class: `tally ${position}`, "data-testid": `tally-${position}`,
        dataset: { count: counts[position] || 0 }, text: t(`preposition.count.${position}`, { n: counts[position] || 0 }) })),
      ctx.consent.has(item.id) ? h("span", { class: "tag", "data-testid": "consent-mark", text: t("preposition.noObjection") }) : null));
    const named = ctx.members.filter((m) => m.item_id === item.id && m.position !== "agree");
    if (named.length) {
      bar.append(h("p", { class: "muted small", "data-testid": "preposition-names", text: named
        .map((m) => `${m.name} (${t(`preposition.${m.position}`)})`).join(", ") }));
    }
    bar.append(h("button", { type: "button", class: "compact-button", "data-testid": "poll-on-item", text: t("pollForm.onItem"),
      onclick: () => ctx.on.startPoll(item) }));
  }
  return bar.childElementCount ? bar : null;
}
