// A unit's tasks (#/tasks): what the meetings' conclusions gave the user's unit, each with its meeting and item,
// its due date (days left, or overdue in red), its status and the reports back, and a form to report progress.
// The secretariat also sees every unit at a glance, the most overdue first ("rõ người, rõ việc, rõ tiến độ").
// The list is read again when a task of the user's unit changes or falls due (task.updated and task.reminder on
// the user's own channel), when the tablet wakes, and every minute while it is shown (the secretariat's other
// units, and tasks of meetings this page does not follow: following one would count the reader as present).

import { get, post } from "/static/api.js";
import { onLeave, report, session } from "/static/app.js";
import { clear, h } from "/static/dom.js";
import { t } from "/static/i18n.js";
import { taskOverview } from "/static/record/task-overview.js";
import { taskLine, TASK_STATUSES } from "/static/record/task-line.js";
import { taskReportForm } from "/static/record/task-report-form.js";
import { loadUnits } from "/static/record/units.js";
import { hearUser } from "/static/user-channel.js";

const SECRETARIAT = new Set(["admin", "secretariat"]);
const REFRESH_MS = 60000;
const SOON_MS = 150;

export async function showTasks(view) {
  const me = session.user;
  const overseer = SECRETARIAT.has(me.role);
  // The secretariat starts from every unit; anyone else from their own unit's tasks.
  const filters = { unit: overseer || !me.unit_id ? "" : String(me.unit_id), status: "", overdue: false };
  const forms = new Map(); // task id → its report form, kept over redraws with what is typed in it
  let tasks = [];
  let overview = [];
  let units = [];
  let timer = null;
  let soon = null;
  let left = false;

  const query = () => {
    const params = new URLSearchParams();
    if (filters.unit) params.set("unit_id", filters.unit);
    if (filters.status) params.set("status", filters.status);
    if (filters.overdue) params.set("overdue", "true");
    const text = params.toString();
    return text ? `/api/tasks?${text}` : "/api/tasks";
  };

  // The answer for the filters last chosen wins over a slower one for earlier filters.
  let asked = 0;
  const load = async () => {
    const ticket = ++asked;
    const [list, counts] = await Promise.all([get(query()), get("/api/tasks/overview")]);
    if (ticket !== asked) return false;
    tasks = list;
    overview = counts;
    return true;
  };
  const refresh = () => load().then((fresh) => {
    if (fresh) draw();
  }).catch(report);
  // Read again by itself only while no report is being written (a redraw would take the writer's focus).
  const writing = () => [...forms.values()].some((form) => form.open);
  const refreshSoon = () => {
    clearTimeout(soon);
    soon = setTimeout(refresh, SOON_MS);
  };

  const send = (task, body) => post(`/api/tasks/${task.id}/reports`, body).then((fresh) => {
    tasks = tasks.map((x) => (x.id === fresh.id ? fresh : x));
    draw();
    get("/api/tasks/overview").then((counts) => {
      overview = counts;
      draw();
    }).catch(() => {});
  });

  const mayReport = (task) => (overseer || me.unit_id === task.unit_id) && !["done", "cancelled"].includes(task.status);

  const filterBar = () => {
    const unitChoices = [h("option", { value: "", text: t(overseer ? "tasks.allUnits" : "tasks.allMine") })];
    const named = new Map(units.map((u) => [u.id, u.name]));
    const listed = new Map();
    if (me.unit_id) listed.set(me.unit_id, t("tasks.myUnit", { unit: named.get(me.unit_id) || "" }));
    for (const row of overview) if (!listed.has(row.unit_id)) listed.set(row.unit_id, row.unit_name);
    for (const [id, name] of listed) unitChoices.push(h("option", { value: id, text: name }));
    const unit = h("select", { "data-testid": "tasks-unit", "aria-label": t("tasks.unitShort") }, unitChoices);
    unit.value = filters.unit;
    unit.addEventListener("change", () => {
      filters.unit = unit.value;
      refresh();
    });
    const status = h("select", { "data-testid": "tasks-status", "aria-label": t("tasks.statusLabel") },
      h("option", { value: "", text: t("tasks.anyStatus") }),
      TASK_STATUSES.map((s) => h("option", { value: s, text: t(`tasks.status.${s}`) })));
    status.value = filters.status;
    status.addEventListener("change", () => {
      filters.status = status.value;
      refresh();
    });
    const overdue = h("input", { type: "checkbox", "data-testid": "tasks-overdue", checked: filters.overdue });
    overdue.addEventListener("change", () => {
      filters.overdue = overdue.checked;
      refresh();
    });
    return h("div", { class: "task-filters", role: "group", "aria-label": t("tasks.filters") },
      h("label", { class: "field" }, h("span", { text: t("tasks.unitShort") }), unit),
      h("label", { class: "field" }, h("span", { text: t("tasks.statusLabel") }), status),
      h("label", { class: "check overdue-only" }, overdue, h("span", { text: t("tasks.overdueOnly") })));
  };

  const draw = () => {
    if (left) return;
    const scroll = window.scrollY;
    const seen = new Set(tasks.map((x) => x.id));
    for (const id of forms.keys()) if (!seen.has(id)) forms.delete(id);
    const rows = tasks.map((task) => {
      let below = null;
      if (mayReport(task)) {
        below = forms.get(task.id) || taskReportForm(task, (body) => send(task, body));
        forms.set(task.id, below);
      } else forms.delete(task.id);
      return taskLine(task, { where: true, below });
    });
    const mine = units.find((u) => u.id === me.unit_id);
    clear(view).append(...[
      h("div", { class: "page-head" }, h("div", { class: "page-title" },
        h("h1", { "data-testid": "tasks-heading", text: t("tasks.title") }),
        h("p", { class: "muted", text: mine && !overseer ? t("tasks.forUnit", { unit: mine.name }) : t("tasks.help") }))),
      overseer ? h("section", { class: "card", "data-testid": "tasks-overview-card" },
        h("div", { class: "card-head" }, h("h2", { text: t("tasks.overview") }),
          h("span", { class: "muted small", text: t("tasks.motto") })),
        taskOverview(overview, { chosen: filters.unit ? Number(filters.unit) : null, choose: (unitId) => {
          filters.unit = unitId ? String(unitId) : "";
          refresh();
        } })) : null,
      h("section", { class: "card" },
        filterBar(),
        rows.length ? h("ul", { class: "tasks task-list", "data-testid": "task-list" }, rows)
          : h("p", { class: "muted empty", "data-testid": "tasks-none", text: t("tasks.none") })),
    ].filter(Boolean));
    if (view.isConnected) window.scrollTo(0, scroll);
  };

  [units] = await Promise.all([loadUnits().catch(() => []), load()]);
  draw();

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (document.visibilityState === "visible" && !writing()) refresh();
      schedule();
    }, REFRESH_MS);
  };
  schedule();
  const woke = () => {
    if (document.visibilityState === "visible" && !writing()) refreshSoon();
  };
  document.addEventListener("visibilitychange", woke);
  onLeave(hearUser((message) => {
    if (message.type === "task.reminder" || message.type === "task.updated") refreshSoon();
  }));
  onLeave(() => {
    left = true;
    clearTimeout(timer);
    clearTimeout(soon);
    document.removeEventListener("visibilitychange", woke);
  });
}
