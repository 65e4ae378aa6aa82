// A department's form to submit papers for one agenda item: PDFs (several at once), what kind of paper, an
// optional title, the classification; then the upload's progress bar, through processing to ready.
//
// Made once per item and kept across the screen's redraws, so an upload under way keeps its bar.

import { upload } from "/static/api.js";
import { classificationSelect } from "/static/components/classification-badge.js";
import { pdfDrop } from "/static/components/pdf-drop.js";
import { PAPER_KINDS } from "/static/components/submission-line.js";
import { failureText, uploadProgress } from "/static/components/upload-progress.js";
import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

// `ctx`: {report(error), toast(message), changed() → the screen reads its rows again}.
export function submissionForm(item, { report, toast, changed }) {
  let chosen = [];
  const names = h("span", { class: "chosen", "data-testid": "submission-chosen", text: t("submissions.noFile") });
  const drop = pdfDrop({ testid: "submission-files", onFiles: (files) => {
    chosen = files;
    names.textContent = files.map((f) => f.name).join(", ");
  } });
  const kind = h("select", { "data-testid": "submission-kind-select", "aria-label": t("submissions.kind") },
    PAPER_KINDS.map((k) => h("option", { value: k, text: t(`paperKind.${k}`) })));
  const title = h("input", { "data-testid": "submission-title-input", maxlength: 300,
    placeholder: t("submissions.titleHint"), "aria-label": t("submissions.paperTitle") });
  const level = classificationSelect("internal", { testid: "submission-classification" });
  const uploads = h("div", { class: "uploads" });
  const form = h("form", { class: "submission-form", "data-testid": "submission-form" },
    h("div", { class: "upload-row" }, drop, names),
    h("div", { class: "upload-options" },
      h("label", { class: "field" }, h("span", { text: t("submissions.kind") }), kind),
      h("label", { class: "field grow" }, h("span", { text: t("submissions.paperTitle") }), title),
      h("label", { class: "field" }, h("span", { text: t("classification.label") }), level.select)),
    level.rules,
    h("div", { class: "button-row" },
      h("button", { type: "submit", class: "primary", "data-testid": "submission-submit",
        text: t("submissions.submit") })),
    uploads);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!chosen.length) {
      toast(t("submissions.chooseFile"));
      return;
    }
    const files = chosen;
    const fields = { kind: kind.value, title: title.value.trim(), classification: level.select.value };
    chosen = [];
    names.textContent = t("submissions.noFile");
    for (const finished of uploads.querySelectorAll(".upload.done, .upload.failed")) finished.remove();
    const progress = uploadProgress(files);
    uploads.append(progress.node);
    upload(`/api/items/${item.id}/submissions`, files, fields, progress.transfer)
      .then((submissions) => {
        title.value = "";
        changed();
        return progress.track(submissions.map((s) => s.document).filter(Boolean));
      })
      .then(() => changed())
      .catch((error) => {
        progress.fail(failureText(error));
        report(error);
      });
  });
  return form;
}
