// Bulk import of units and users from CSV, with the line-by-line report of a refused file.

import { ApiError, api } from "/static/api.js";
import { report } from "/static/app.js";
import { clear, h } from "/static/dom.js";
import { t } from "/static/i18n.js";

export async function showImport(view) {
  const file = h("input", { type: "file", accept: ".csv,text/csv", required: true, "data-testid": "import-file" });
  const dryRun = h("input", { type: "checkbox", id: "dry-run" });
  const result = h("div", { class: "import-result", "data-testid": "import-result" });
  const form = h("form", { class: "card import-form" },
    h("p", { text: t("import.help") }),
    h("p", { class: "muted", text: t("import.units") }),
    h("p", { class: "muted", text: t("import.users") }),
    file,
    h("label", { class: "check", for: "dry-run" }, dryRun, t("import.dryRun")),
    h("button", { type: "submit", class: "primary", "data-testid": "import-submit", text: t("import.submit") }),
    result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!file.files.length) return;
    const body = new FormData();
    body.append("file", file.files[0]);
    clear(result);
    try {
      const done = await api("POST", `/api/imports?dry_run=${dryRun.checked}`, undefined, { form: body });
      result.append(h("p", { class: "ok", text: t(dryRun.checked ? "import.checked" : "import.done", {
        kind: t(`import.kind.${done.kind}`), created: done.created, updated: done.updated, unchanged: done.unchanged,
      }) }));
    } catch (error) {
      if (error instanceof ApiError && Array.isArray(error.body.errors)) {
        result.append(h("p", { class: "error", text: t("import.refused", { n: error.body.errors.length }) }),
          h("table", { class: "report" },
            h("thead", {}, h("tr", {}, h("th", { text: t("import.line") }), h("th", { text: t("import.column") }),
              h("th", { text: t("import.problem") }))),
            h("tbody", {}, error.body.errors.map((e) => h("tr", {},
              h("td", { text: e.line }), h("td", { text: e.field }), h("td", { text: e.message }))))));
      } else {
        report(error);
      }
    }
  });
  clear(view).append(h("h1", { text: t("import.title") }), form);
}
