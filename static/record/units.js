// The units a task can be given to (GET /api/units on today's date: units the 2025 reform ended are not offered),
// read once per page visit and shared by every form that picks one.

import { get } from "/static/api.js";
import { h } from "/static/dom.js";
import { hanoiDate, t } from "/static/i18n.js";

const collator = new Intl.Collator("vi");
// Departments first (they carry most tasks), then the city, districts and wards; by name within each kind.
const KIND_ORDER = ["department", "city", "district", "ward", "commune"];

let loading = null;

export function loadUnits() {
  if (!loading) {
    loading = get(`/api/units?on=${hanoiDate()}`).then((units) => [...units].sort((a, b) => {
      const kind = rank(a.kind) - rank(b.kind);
      return kind || collator.compare(a.name, b.name);
    })).catch((error) => {
      loading = null; // asked again next time: a network blip must not leave the picker empty for good
      throw error;
    });
  }
  return loading;
}

function rank(kind) {
  const at = KIND_ORDER.indexOf(kind);
  return at < 0 ? KIND_ORDER.length : at;
}

// A <select> of units, with an empty first choice that must be replaced (the field is required).
export function unitSelect(units, { testid = "task-unit", value = null } = {}) {
  return h("select", { "data-testid": testid, required: true, "aria-label": t("tasks.unit") },
    h("option", { value: "", text: t("tasks.chooseUnit") }),
    units.map((u) => h("option", { value: u.id, text: u.name, selected: value === u.id })));
}
