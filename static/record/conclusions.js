// Conclusions on the meeting page: under each agenda item, what the meeting concluded and the tasks it gave, read by
// everyone in the meeting and followed live (conclusion.updated, conclusion.deleted, task.updated on meeting:{id}).
// The chair and the meeting's secretary record, edit and remove conclusions while the meeting is live, and give
// more tasks on a conclusion during the meeting or after it, in a sheet over the page: in a live meeting the chair's
// agenda row is narrow (its "take up" button), and a sheet is wide, and untouched by the page's redraws.
// Contract: docs/floor-contract.md.

import { ApiError, del, get, patch, post } from "/static/api.js";
import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";
import { conclusionForm } from "/static/record/conclusion-form.js";
import { taskLine } from "/static/record/task-line.js";
import { loadUnits } from "/static/record/units.js";

const EVENTS = new Set(["conclusion.updated", "conclusion.deleted", "task.updated"]);
// Tasks may still be given once the meeting is over (follow-up work found afterwards).
const TASKS_OPEN = new Set(["live", "closed", "archived"]);

// `report(error)`: app.js's. Returns {itemNode(item), update(state), hear(event), reload(), stop()}.
export function meetingConclusions(meetingId, { report }) {
  const conclusions = new Map(); // id → ConclusionOut
  const slots = new Map(); // item id → {slot, section, list, newArea, rows: Map(conclusion id → {li})}
  let meeting = null;
  let items = new Map(); // id → agenda item
  let alive = true;
  // The one form open on the page: {mode: "new"|"edit"|"task", itemId, conclusionId?, form}.
  let open = null;
  const sheetTitle = h("h2", { id: "conclusion-sheet-title" });
  const sheetWhat = h("p", { class: "conclusion-sheet-what", "data-testid": "conclusion-sheet-what" });
  const sheetBody = h("div", {});
  const sheet = h("div", { class: "record-backdrop", hidden: true },
    h("section", { class: "record-sheet", role: "dialog", "aria-modal": "true", "aria-labelledby": sheetTitle.id,
      "data-testid": "conclusion-sheet" }, sheetTitle, sheetWhat, sheetBody));
  document.body.append(sheet);
  const escape = (event) => {
    if (event.key === "Escape" && open) closeForm();
  };
  document.addEventListener("keydown", escape);

  const lead = () => Boolean(meeting && (meeting.can_chair || meeting.can_manage));
  const mayWrite = () => lead() && meeting.status === "live";
  const mayGiveTasks = () => lead() && TASKS_OPEN.has(meeting.status);

  // -- the model ---------------------------------------------------------------------------------------------

  function put(conclusion) {
    conclusions.set(conclusion.id, conclusion);
    drawItem(conclusion.item_id);
  }

  function putTask(task) {
    const conclusion = conclusions.get(task.conclusion_id);
    if (!conclusion) return;
    const tasks = conclusion.tasks.filter((x) => x.id !== task.id);
    tasks.push(task);
    tasks.sort((a, b) => a.id - b.id);
    conclusions.set(conclusion.id, { ...conclusion, tasks });
    drawItem(conclusion.item_id);
  }

  function remove({ id, item_id: itemId }) {
    conclusions.delete(id);
    if (open && open.conclusionId === id) closeForm();
    drawItem(itemId);
  }

  // -- acting ------------------------------------------------------------------------------------------------

  // The form shows the server's refusal; a lost session or a failed network is the app's to say.
  const refused = (error) => {
    if (!(error instanceof ApiError) || error.status === 401) report(error);
    throw error;
  };

  async function openForm(mode, itemId, conclusionId = null) {
    let units = [];
    if (mode !== "edit") {
      try {
        units = await loadUnits();
      } catch (error) {
        report(error);
        return;
      }
    }
    const conclusion = conclusionId ? conclusions.get(conclusionId) : null;
    const current = { mode, itemId, conclusionId, form: null };
    const close = () => {
      if (open === current) closeForm();
    };
    current.form = conclusionForm(units, {
      mode,
      text: mode === "edit" && conclusion ? conclusion.text : "",
      cancel: close,
      submit: (body) => {
        if (mode === "new") return post(`/api/items/${itemId}/conclusions`, body).then(put).then(close, refused);
        if (mode === "edit") return patch(`/api/conclusions/${conclusionId}`, body).then(put).then(close, refused);
        return post(`/api/conclusions/${conclusionId}/tasks`, body).then(putTask).then(close, refused);
      },
    });
    open = current;
    const item = items.get(itemId);
    sheetTitle.textContent = t(`record.sheet.${mode}`);
    sheetWhat.textContent = mode === "task" && conclusion ? conclusion.text
      : item ? `${item.item_number}. ${item.title}` : "";
    sheetBody.replaceChildren(current.form.node);
    sheet.hidden = false;
    current.form.focus();
  }

  // Emptied, not only hidden: the item's title must not be on the page twice for whoever searches it.
  function closeForm() {
    open = null;
    sheet.hidden = true;
    sheetTitle.textContent = "";
    sheetWhat.textContent = "";
    sheetBody.replaceChildren();
  }

  function removeConclusion(conclusion) {
    if (!confirm(t("record.confirmDelete"))) return;
    del(`/api/conclusions/${conclusion.id}`).then(() => remove(conclusion)).catch(report);
  }

  // -- drawing -----------------------------------------------------------------------------------------------

  function slotOf(itemId) {
    let entry = slots.get(itemId);
    if (!entry) {
      const list = h("ol", { class: "conclusion-list" });
      const newArea = h("div", { class: "conclusion-new" });
      const section = h("section", { class: "conclusions", "data-testid": "conclusions",
        "aria-label": t("record.conclusions") },
      h("h4", { class: "conclusions-head", text: t("record.conclusions") }), list, newArea);
      entry = { slot: h("div", { class: "item-record", dataset: { itemRecord: itemId } }, section),
        section, list, newArea, rows: new Map() };
      slots.set(itemId, entry);
    }
    return entry;
  }

  // Only the item whose conclusions changed is drawn again.
  function drawItem(itemId) {
    if (!alive) return;
    const entry = slots.get(itemId);
    if (!entry) return;
    const mine = [...conclusions.values()].filter((c) => c.item_id === itemId).sort((a, b) => a.id - b.id);
    for (const [id, row] of entry.rows) {
      if (!conclusions.has(id)) {
        row.li.remove();
        entry.rows.delete(id);
      }
    }
    for (const conclusion of mine) {
      let row = entry.rows.get(conclusion.id);
      if (!row) {
        row = { li: h("li", { class: "conclusion", "data-testid": "conclusion",
          dataset: { conclusionId: conclusion.id } }) };
        entry.rows.set(conclusion.id, row);
        entry.list.append(row.li); // ids grow: a new conclusion comes last
      }
      drawConclusion(conclusion, row);
    }
    entry.newArea.replaceChildren(...(mayWrite() ? [h("button", { type: "button", class: "compact-button",
      "data-testid": "conclusion-new", text: `+ ${t("record.newConclusion")}`,
      onclick: () => openForm("new", itemId) })] : []));
    entry.section.hidden = !mine.length && !mayWrite();
    entry.section.classList.toggle("empty", !mine.length);
  }

  function drawConclusion(conclusion, row) {
    const actions = [];
    if (mayWrite()) {
      actions.push(h("button", { type: "button", class: "compact-button", "data-testid": "conclusion-edit",
        text: t("record.edit"), onclick: () => openForm("edit", conclusion.item_id, conclusion.id) }));
      actions.push(h("button", { type: "button", class: "compact-button danger", "data-testid": "conclusion-delete",
        text: t("record.delete"), onclick: () => removeConclusion(conclusion) }));
    }
    if (mayGiveTasks()) {
      actions.push(h("button", { type: "button", class: "compact-button", "data-testid": "task-give",
        text: `+ ${t("tasks.giveMore")}`, onclick: () => openForm("task", conclusion.item_id, conclusion.id) }));
    }
    row.li.replaceChildren(...[
      h("p", { class: "conclusion-text", "data-testid": "conclusion-text", text: conclusion.text }),
      conclusion.tasks.length ? h("ul", { class: "tasks", "data-testid": "conclusion-tasks" },
        conclusion.tasks.map((task) => taskLine(task, { lastReport: true }))) : null,
      actions.length ? h("div", { class: "row-actions conclusion-actions" }, actions) : null,
    ].filter(Boolean));
  }

  function drawAll() {
    for (const itemId of slots.keys()) drawItem(itemId);
  }

  return {
    // The item's conclusions: a node that stays the same over the page's redraws.
    itemNode(item) {
      const fresh = !slots.has(item.id);
      const { slot } = slotOf(item.id);
      if (fresh) drawItem(item.id);
      return slot;
    },
    update(state) {
      const before = meeting ? `${meeting.status}/${lead()}` : "";
      meeting = state.meeting;
      items = new Map(state.items.map((item) => [item.id, item]));
      // The meeting closed while a conclusion was being written: the server would refuse it now.
      if (open && !(open.mode === "task" ? mayGiveTasks() : mayWrite())) closeForm();
      if (before !== `${meeting.status}/${lead()}`) drawAll();
    },
    // A meeting-channel event; true when it was about conclusions or tasks.
    hear(event) {
      if (!EVENTS.has(event.type)) return false;
      if (event.type === "conclusion.updated") put(event.data.conclusion);
      else if (event.type === "conclusion.deleted") remove(event.data.conclusion);
      else putTask(event.data.task);
      return true;
    },
    async reload() {
      const rows = await get(`/api/meetings/${meetingId}/conclusions`);
      conclusions.clear();
      for (const conclusion of rows) conclusions.set(conclusion.id, conclusion);
      if (open && open.conclusionId && !conclusions.has(open.conclusionId)) closeForm();
      drawAll();
    },
    stop() {
      alive = false;
      document.removeEventListener("keydown", escape);
      sheet.remove();
    },
  };
}
