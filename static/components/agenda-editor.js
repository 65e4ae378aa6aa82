// The secretariat's agenda editor: add, rename, presenter and unit, minutes, nest, reorder (arrows or drag), delete.

import { del, patch, post } from "/static/api.js";
import { indent, MAX_DEPTH, moveAfter, moveAmongSiblings, moveBefore, outdent } from "/static/agenda-order.js";
import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

const idOrNull = (value) => (value === "" ? null : Number(value));

function options(list, selected, empty, label = (x) => x.name) {
  return [h("option", { value: "", text: `— ${empty} —` }),
    ...list.map((x) => h("option", { value: x.id, text: label(x), selected: x.id === selected }))];
}

// `ctx`: {users, units (departments to present for), act(promise)}; every move sends the whole order.
export function agendaEditor(meetingId, items, ctx) {
  const { act } = ctx;
  const reorder = (order) => {
    if (order) act(post(`/api/meetings/${meetingId}/items/order`, { items: order }));
  };
  const change = (item, body) => act(patch(`/api/items/${item.id}`, body));
  let dragged = null;

  const rows = items.map((item) => {
    const title = h("input", { class: "item-title-input", value: item.title, maxlength: 500, required: true,
      "aria-label": t("agenda.itemTitle"), "data-testid": "item-title" });
    title.addEventListener("keydown", (event) => {
      if (event.key === "Enter") title.blur();
      if (event.key === "Escape") {
        title.value = item.title;
        title.blur();
      }
    });
    title.addEventListener("change", () => {
      if (title.value.trim() && title.value.trim() !== item.title) change(item, { title: title.value.trim() });
      else title.value = item.title;
    });

    const presenter = h("select", { "aria-label": t("agenda.presenter"), "data-testid": "item-presenter" },
      options(ctx.users, item.presenter_id, t("agenda.presenter"),
        (u) => (u.title ? `${u.name} — ${u.title}` : u.name)));
    presenter.addEventListener("change", () => {
      const user = ctx.users.find((u) => u.id === idOrNull(presenter.value));
      const body = { presenter_id: user ? user.id : null };
      // The presenter usually speaks for their own department: fill the unit in when it is still empty.
      if (user && item.presenter_unit_id === null && ctx.units.some((u) => u.id === user.unit_id)) {
        body.presenter_unit_id = user.unit_id;
      }
      change(item, body);
    });

    const units = ctx.units.some((u) => u.id === item.presenter_unit_id) || item.presenter_unit_id === null ? ctx.units
      : [...ctx.units, { id: item.presenter_unit_id, name: item.presenter_unit_name || `#${item.presenter_unit_id}` }];
    const unit = h("select", { "aria-label": t("agenda.presenterUnit"), "data-testid": "item-unit" },
      options(units, item.presenter_unit_id, t("agenda.presenterUnit")));
    unit.addEventListener("change", () => change(item, { presenter_unit_id: idOrNull(unit.value) }));

    const minutes = h("input", { type: "number", min: 0, max: 1440, inputmode: "numeric", class: "minutes-input",
      placeholder: "0", value: item.duration_minutes ?? "", "aria-label": t("agenda.minutesField"),
      "data-testid": "item-minutes" });
    minutes.addEventListener("change", () => change(item, {
      duration_minutes: minutes.value === "" ? null : Number(minutes.value) }));

    // Each move is computed here once: a move that is not possible leaves its button disabled.
    const moves = {
      up: moveAmongSiblings(items, item.id, -1),
      down: moveAmongSiblings(items, item.id, 1),
      outdent: outdent(items, item.id),
      indent: indent(items, item.id),
    };
    const button = (name, label, text) => h("button", { type: "button", class: "icon", "data-testid": `item-${name}`,
      title: label, "aria-label": `${label}: ${item.title}`, text, disabled: !moves[name],
      onclick: () => reorder(moves[name]) });

    const row = h("li", { class: `agenda-edit depth-${item.depth}`, draggable: "true", "data-testid": "agenda-item",
      dataset: { itemId: item.id } },
    h("span", { class: "drag-handle", title: t("agenda.drag"), "aria-hidden": "true", text: "⠿" }),
    h("span", { class: "item-number", text: item.item_number }),
    h("div", { class: "item-fields" }, title,
      h("div", { class: "item-meta" }, presenter, unit,
        h("label", { class: "minutes-field" }, minutes, h("span", { class: "muted", text: t("agenda.min") })))),
    h("div", { class: "item-buttons" },
      button("up", t("agenda.up"), "↑"),
      button("down", t("agenda.down"), "↓"),
      button("outdent", t("agenda.outdent"), "⇤"),
      button("indent", t("agenda.indent"), "⇥"),
      h("button", { type: "button", class: "icon danger", "data-testid": "item-delete", title: t("agenda.delete"),
        "aria-label": `${t("agenda.delete")}: ${item.title}`, text: "✕", onclick: () => {
          if (confirm(t("agenda.confirmDelete", { title: item.title }))) act(del(`/api/items/${item.id}`));
        } })));

    // Dropping on the upper half of a row puts the dragged item before it, on the lower half after it.
    const lowerHalf = (event) => {
      const box = row.getBoundingClientRect();
      return event.clientY > box.top + box.height / 2;
    };
    row.addEventListener("dragstart", (event) => {
      if (event.target !== row) return;
      dragged = item.id;
      row.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", String(item.id));
    });
    row.addEventListener("dragend", () => row.classList.remove("dragging"));
    row.addEventListener("dragover", (event) => {
      if (dragged === null) return;
      event.preventDefault();
      row.classList.toggle("drop-after", lowerHalf(event));
      row.classList.toggle("drop-before", !lowerHalf(event));
    });
    row.addEventListener("dragleave", () => row.classList.remove("drop-before", "drop-after"));
    row.addEventListener("drop", (event) => {
      event.preventDefault();
      row.classList.remove("drop-before", "drop-after");
      if (dragged !== null) {
        // "After" a row that has sub-items means after them too, at that row's level.
        reorder(lowerHalf(event) ? moveAfter(items, dragged, item.id) : moveBefore(items, dragged, item.id));
      }
      dragged = null;
    });
    // Inputs inside a draggable row would start a drag when selecting text with the mouse.
    for (const field of [title, minutes]) field.addEventListener("dragstart", (event) => event.preventDefault());
    return row;
  });

  const newTitle = h("input", { id: "add-item-title", "data-testid": "add-item-title", "data-keep": true,
    required: true, maxlength: 500, placeholder: t("agenda.newItem"), "aria-label": t("agenda.newItem") });
  const parent = h("select", { "aria-label": t("agenda.parent"), "data-testid": "add-item-parent", "data-keep": true },
    h("option", { value: "", text: t("agenda.topLevel") }),
    items.filter((i) => i.depth < MAX_DEPTH - 1)
      .map((i) => h("option", { value: i.id, text: `${i.item_number}. ${i.title}` })));
  const add = h("form", { class: "add-row" }, newTitle,
    h("label", { class: "field inline" }, h("span", { text: t("agenda.parent") }), parent),
    h("button", { type: "submit", class: "primary", "data-testid": "add-item-submit", text: t("agenda.add") }));
  add.addEventListener("submit", (event) => {
    event.preventDefault();
    const title = newTitle.value.trim();
    if (!title) return;
    // Emptied at once so that the redraw does not keep it as unsaved typing; put back if the server refuses.
    newTitle.value = "";
    act(post(`/api/meetings/${meetingId}/items`, { title, parent_id: idOrNull(parent.value) }).catch((error) => {
      newTitle.value = title;
      throw error;
    }));
  });

  const total = items.filter((i) => i.parent_id === null).reduce((sum, i) => sum + (i.duration_minutes || 0), 0);
  return h("section", { class: "card" },
    h("div", { class: "card-head" }, h("h2", { text: t("agenda.title") }),
      total ? h("span", { class: "muted", text: t("agenda.total", { n: total }) }) : null),
    items.length ? h("ol", { class: "agenda editing", "data-testid": "agenda" }, rows)
      : h("p", { class: "muted", text: t("agenda.empty") }),
    add);
}
