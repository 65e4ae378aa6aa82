// The reader's outline: the agenda's items, each item's documents, and each PDF's own bookmarks, one tap from
// their page.

import { classificationBadge } from "/static/components/classification-badge.js";
import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

// `walk`: packPages(pack); `at`: the page shown ({doc, page}); `open(documentId, page)`.
export function outlinePanel(pack, walk, at, open) {
  const readable = new Set(walk.documents.map((doc) => doc.id));
  const byId = new Map(walk.documents.map((doc) => [doc.id, doc]));
  const listed = new Set();
  const items = (pack.items || []).map((item) => {
    const docs = (item.documents || []).filter((id) => readable.has(id)).map((id) => byId.get(id));
    if (!docs.length) return null;
    docs.forEach((doc) => listed.add(doc.id));
    return h("li", { class: `outline-item level-${item.level || 1}`, "data-testid": "outline-item" },
      h("div", { class: "outline-item-head" },
        h("span", { class: "item-number", text: item.item_number }),
        h("span", { class: "item-title", text: item.title })),
      h("ul", { class: "outline-docs" }, docs.map((doc) => documentEntry(doc, at, open))));
  });
  const rest = walk.documents.filter((doc) => !listed.has(doc.id));
  if (rest.length) items.push(h("li", { class: "outline-item" }, h("ul", { class: "outline-docs" },
    rest.map((doc) => documentEntry(doc, at, open)))));
  return h("nav", { class: "outline", "data-testid": "reader-outline", "aria-label": t("reader.outline") },
    items.some(Boolean) ? h("ol", { class: "outline-items" }, items)
      : h("p", { class: "muted", text: t("reader.empty") }));
}

function documentEntry(doc, at, open) {
  const current = at && at.doc.id === doc.id;
  return h("li", { class: "outline-doc", dataset: { documentId: doc.id } },
    h("button", { type: "button", class: "outline-link", "data-testid": "outline-document",
      "aria-current": current ? "true" : null, onclick: () => open(doc.id, 1) },
    h("span", { class: "outline-title", text: doc.title }),
    h("span", { class: "muted small", text: t("document.pages", { n: doc.pages }) }),
    doc.classification === "restricted" || doc.classification === "secret"
      ? classificationBadge(doc.classification) : null),
    doc.outline && doc.outline.length ? h("ul", { class: "outline-marks" }, doc.outline.map((mark) => h("li", {
      class: `outline-mark level-${Math.min(mark.level || 1, 4)}` },
    h("button", { type: "button", class: "outline-link", "data-testid": "outline-bookmark",
      "aria-current": current && at.page === mark.page ? "true" : null, onclick: () => open(doc.id, mark.page) },
    h("span", { class: "outline-title", text: mark.title }),
    h("span", { class: "muted small", text: mark.page }))))) : null);
}
