// The secretariat's upload to one agenda item: PDFs dropped or picked (several at once), their classification,
// and optionally the paper they replace (a new version). Each upload shows its own progress bar.
//
// The editor draws itself again after every change, but an upload outlives those redraws: this node is made
// once per item and put back into each new drawing (see briefing-pack.js), bars and choices included.

import { upload } from "/static/api.js";
import { classificationSelect } from "/static/components/classification-badge.js";
import { pdfDrop } from "/static/components/pdf-drop.js";
import { failureText, uploadProgress } from "/static/components/upload-progress.js";
import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

// `ctx`: {report(error), toast(message)}. Returns {node, update(documents)}: update() lists the item's papers
// that a new version may replace.
export function documentUpload(item, { report, toast }) {
  const level = classificationSelect("internal", { testid: "upload-classification" });
  const replaces = h("select", { "data-testid": "upload-replaces", "aria-label": t("upload.replaces") });
  // Shown once the item has a paper that a new version could replace.
  const replacing = h("label", { class: "field", hidden: true }, h("span", { text: t("upload.replaces") }), replaces);
  const uploads = h("div", { class: "uploads" });

  const send = (files) => {
    if (replaces.value && files.length > 1) {
      toast(t("upload.oneForReplace"));
      return;
    }
    const params = new URLSearchParams({ classification: level.select.value });
    if (replaces.value) params.set("replaces", replaces.value);
    // Finished uploads make way for the new one; those still under way stay.
    for (const finished of uploads.querySelectorAll(".upload.done, .upload.failed")) finished.remove();
    const progress = uploadProgress(files);
    uploads.append(progress.node);
    replaces.value = "";
    upload(`/api/items/${item.id}/documents?${params}`, files, {}, progress.transfer)
      .then((docs) => progress.track(docs))
      .catch((error) => {
        progress.fail(failureText(error));
        report(error);
      });
  };

  const node = h("div", { class: "document-upload", "data-testid": "document-upload" },
    h("div", { class: "upload-row" },
      pdfDrop({ testid: "upload-files", onFiles: send }),
      h("div", { class: "upload-options" },
        h("label", { class: "field" }, h("span", { text: t("classification.label") }), level.select),
        replacing)),
    level.rules,
    uploads);

  return {
    node,
    update(documents) {
      const chosen = replaces.value;
      replaces.replaceChildren(h("option", { value: "", text: t("upload.newDocument") }),
        ...documents.map((doc) => h("option", { value: doc.id, selected: String(doc.id) === chosen,
          text: t("upload.replaceOne", { title: doc.title, n: doc.version }) })));
      replacing.hidden = documents.length === 0;
    },
  };
}
