// The briefing documents in the editor: per agenda item, its papers (version, state, classification) and, while
// the meeting is being prepared, the secretariat's upload.

import { documentList } from "/static/components/document-list.js";
import { documentUpload } from "/static/components/document-upload.js";
import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

// `ctx`: {editable, act(promise), report, toast, uploads: Map(item id → upload kept across redraws)}.
export function briefingPack(items, documents, ctx) {
  const { editable, uploads } = ctx;
  const rows = items.map((item) => {
    const docs = documents.filter((doc) => doc.item_id === item.id);
    let box = null;
    if (editable) {
      box = uploads.get(item.id) || documentUpload(item, ctx);
      uploads.set(item.id, box);
      box.update(docs);
    }
    return h("li", { class: `pack-item depth-${item.depth}`, "data-testid": "pack-item",
      dataset: { scope: `pack-${item.id}` } },
    h("div", { class: "pack-head" },
      h("span", { class: "item-number", text: item.item_number }),
      h("span", { class: "item-title", text: item.title })),
    documentList(docs, { manage: editable ? ctx : null })
      || h("p", { class: "muted small", "data-testid": "no-documents", text: t("documents.none") }),
    box ? box.node : null);
  });
  return h("section", { class: "card", "data-testid": "briefing-pack" },
    h("div", { class: "card-head" }, h("h2", { id: "briefing-pack", text: t("documents.title") }),
      h("span", { class: "muted", text: t("documents.count", { n: documents.length }) })),
    items.length ? h("ol", { class: "pack" }, rows) : h("p", { class: "muted", text: t("agenda.empty") }));
}
