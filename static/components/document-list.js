// An agenda item's documents: title, version, classification, digital signature, processing state (page by page),
// and a link to read each one that has pages to show.

import { del, patch } from "/static/api.js";
import { classificationInfo, CLASSIFICATIONS } from "/static/components/classification-badge.js";
import { h } from "/static/dom.js";
import { currentLanguage, has, t } from "/static/i18n.js";
import { originalLink, signatureBadge } from "/static/record/signature-badge.js";

// A document with pages to show: ready, or still processing once its file has been checked.
export function readable(doc) {
  return doc.state === "ready" || (doc.state === "processing" && Boolean(doc.pages));
}

export function openLink(doc) {
  return h("a", { class: "button", href: `#/documents/${doc.id}`, "data-testid": "open-document",
    "aria-label": `${t("document.open")}: ${doc.title}`, text: t("document.open") });
}

function progressText(doc) {
  return doc.pages ? t("document.processingPages", { done: doc.pages_done, pages: doc.pages }) : t("document.checking");
}

// Why processing refused a file. The server keeps its text in English only (with the details: the page, the
// limit); in Vietnamese the reason's code is put in words here.
export function rejectionText(doc) {
  const key = `reason.${doc.reason}`;
  if (currentLanguage() === "en" || !has(key)) return doc.reason_text || doc.reason || "";
  return t(key);
}

export function documentState(doc) {
  if (doc.state === "ready") {
    return h("span", { class: "doc-state ready", "data-testid": "document-state", text: t("document.ready") });
  }
  if (doc.state === "rejected") {
    return h("span", { class: "doc-state rejected", "data-testid": "document-state",
      text: t("document.rejected", { reason: rejectionText(doc) }) });
  }
  // No value while the file is being checked: the bar moves without saying how far.
  return h("span", { class: "doc-state processing", "data-testid": "document-state" },
    h("span", { class: "doc-progress-text", text: progressText(doc) }),
    h("progress", { class: "doc-progress", max: doc.pages || 1, value: doc.pages ? doc.pages_done : undefined,
      "aria-label": t("document.processing") }));
}

// `manage`, in the editor of a meeting still being prepared: {act(promise)} to reclassify or remove a paper.
export function documentList(docs, { manage = null } = {}) {
  if (!docs.length) return null;
  return h("ul", { class: "documents", "data-testid": "document-list" }, docs.map((doc) => documentRow(doc, manage)));
}

function documentRow(doc, manage) {
  const facts = [t("document.version", { n: doc.version })];
  if (doc.pages) facts.push(t("document.pages", { n: doc.pages }));
  return h("li", { class: `document doc-${doc.state}`, "data-testid": "document", dataset: { documentId: doc.id } },
    h("div", { class: "doc-main" },
      h("span", { class: "doc-title", "data-testid": "document-title", text: doc.title }),
      h("span", { class: "doc-facts muted small" },
        h("span", { "data-testid": "document-version", text: facts.join(" · ") }),
        documentState(doc))),
    classificationInfo(doc.classification),
    signatureBadge(doc),
    h("div", { class: "row-actions" },
      readable(doc) ? openLink(doc) : null,
      originalLink(doc),
      manage ? manageControls(doc, manage) : null));
}

function manageControls(doc, { act }) {
  const level = h("select", { "data-testid": "document-classification", class: "compact",
    "aria-label": `${t("classification.label")}: ${doc.title}` },
  CLASSIFICATIONS.map((c) => h("option", { value: c, text: t(`classification.${c}`),
    selected: c === doc.classification })));
  level.addEventListener("change", () => act(patch(`/api/documents/${doc.id}`, { classification: level.value })));
  const remove = h("button", { type: "button", class: "icon danger", "data-testid": "document-remove",
    title: t("document.remove"), "aria-label": `${t("document.remove")}: ${doc.title}`, text: "✕",
    onclick: () => {
      if (confirm(t("document.confirmRemove", { title: doc.title }))) act(del(`/api/documents/${doc.id}`));
    } });
  return [level, remove];
}

// A document.progress message (volatile: {document: {id, …}, done, pages}) moves the bar of the rows that show
// that document, in place: the page is not drawn again for every run of pages.
export function showProgress(root, { document: doc, done, pages }) {
  if (!doc || !pages) return;
  for (const row of root.querySelectorAll(`[data-document-id="${doc.id}"]`)) {
    const text = row.querySelector(".doc-progress-text");
    const bar = row.querySelector(".doc-progress");
    if (!text || !bar) continue;
    text.textContent = progressText({ pages, pages_done: done });
    bar.max = pages;
    bar.value = done;
  }
}
