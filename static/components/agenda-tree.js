// The agenda as a numbered tree (read-only): number, title, presenter and unit, minutes allotted.

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

export function presenterLine(item) {
  return [item.presenter_name, item.presenter_unit_name].filter(Boolean).join(" – ");
}

// `takeUp(item)`, when given (the chair's console in a live meeting), puts a button on every item that is not
// the current one: the meeting moves to it on every screen. `documents(item)`, when given, draws the item's papers.
export function agendaTree(items, { takeUp = null, documents = null } = {}) {
  if (!items.length) return h("p", { class: "muted", text: t("agenda.empty") });
  return h("ol", { class: "agenda", "data-testid": "agenda" },
    items.map((item) => h("li", {
      class: `agenda-item depth-${item.depth} item-${item.status}`, "data-testid": "agenda-item",
      dataset: { itemId: item.id },
    },
    h("span", { class: "item-number", text: item.item_number }),
    h("div", { class: "item-body" },
      h("span", { class: "item-title", text: item.title }),
      presenterLine(item) ? h("span", { class: "muted", text: presenterLine(item) }) : null,
      item.status === "pending" ? null
        : h("span", { class: `item-status ${item.status}`, text: t(`itemStatus.${item.status}`) }),
      documents ? documents(item) : null),
    item.duration_minutes ? h("span", { class: "minutes", text: t("agenda.minutes", { n: item.duration_minutes }) })
      : null,
    takeUp && item.status !== "current" ? h("button", { type: "button", class: "take-up", "data-testid": "take-up",
      text: t("agenda.takeUp"), onclick: () => takeUp(item) }) : null)));
}
