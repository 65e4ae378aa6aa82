// The reader's annotations panel: the member's own and the shared ones on the paper being read, by page (a tap
// opens the page), those that could not be placed on a new version of the paper (listed, never drawn), the edits
// that met another device's edit, and the paper with its annotations as a PDF.

import { h } from "/static/dom.js";
import { currentLanguage, formatShortDateTime, t } from "/static/i18n.js";

const EXCERPT_CHARS = 120;
const excerpt = (text) => ([...(text || "")].length > EXCERPT_CHARS
  ? `${[...text].slice(0, EXCERPT_CHARS).join("")}…` : text || "");

function summary(annotation) {
  const quote = annotation.anchor && annotation.anchor.quote;
  if (annotation.kind === "note") return annotation.body || quote || "";
  if (annotation.kind === "highlight") return quote ? `“${quote}”` : "";
  return "";
}

// A small mark of the annotation's kind, in its colour.
function kindMark(kind, color) {
  const mark = h("span", { class: `annotation-kind kind-${kind}`, "aria-hidden": "true" });
  if (color) mark.style.setProperty("--kind-color", color);
  return mark;
}

// ctx: {doc, annotations, me, conflicts, canExportShared, open(page), select(annotation), toggleShare(annotation),
// remove(annotation), dismiss(conflict), exportPdf(scope)}.
export function annotationPanel(ctx) {
  const { doc, annotations, me, conflicts } = ctx;
  const placed = annotations.filter((a) => !a.orphaned).sort((a, b) => a.page - b.page
    || (a.created_at || "").localeCompare(b.created_at || ""));
  const orphaned = annotations.filter((a) => a.orphaned);

  // `placed`: listed under its page's heading (a tap opens the page); an orphaned one has no place to open.
  const row = (annotation, { placed: onAPage = true } = {}) => {
    const mine = annotation.author_id === me;
    const shared = annotation.visibility === "shared";
    const text = excerpt(summary(annotation));
    return h("li", { class: `annotation-row${annotation.pending ? " pending" : ""}`, "data-testid": "annotation-row",
      dataset: { uuid: annotation.uuid, kind: annotation.kind } },
    h("button", { type: "button", class: "annotation-open", "data-testid": "annotation-open",
      disabled: !onAPage, onclick: () => {
        ctx.open(annotation.page);
        ctx.select(annotation);
      } },
    kindMark(annotation.kind, annotation.color),
    h("span", { class: "annotation-what" },
      h("span", { class: "annotation-label", text: t(`annotate.kind.${annotation.kind}`) }),
      text ? h("span", { class: "annotation-text", "data-testid": "annotation-text", text }) : null,
      mine ? null : h("span", { class: "muted small", "data-testid": "annotation-author",
        text: t("annotate.by", { name: annotation.author_name || "" }) }))),
    mine ? h("div", { class: "annotation-actions" },
      h("button", { type: "button", class: "compact-button", "data-testid": "annotation-share",
        "aria-pressed": String(shared), text: shared ? t("annotate.sharedShort") : t("annotate.privateShort"),
        title: shared ? t("annotate.unshare") : t("annotate.shareOne"), onclick: () => ctx.toggleShare(annotation) }),
      h("button", { type: "button", class: "compact-button danger", "data-testid": "annotation-delete",
        "aria-label": t("annotate.delete"), title: t("annotate.delete"), text: "✕",
        onclick: () => ctx.remove(annotation) })) : null);
  };

  const byPage = new Map();
  for (const annotation of placed) {
    if (!byPage.has(annotation.page)) byPage.set(annotation.page, []);
    byPage.get(annotation.page).push(annotation);
  }
  const parts = [
    h("div", { class: "annotations-head" },
      h("h3", { text: t("annotate.panelTitle") }),
      h("p", { class: "muted small", text: doc.title })),
    h("div", { class: "annotations-export" },
      h("button", { type: "button", class: "compact-button", "data-testid": "export-mine",
        text: `⤓ ${t("annotate.exportMine")}`, onclick: () => ctx.exportPdf("mine") }),
      ctx.canExportShared ? h("button", { type: "button", class: "compact-button", "data-testid": "export-shared",
        text: `⤓ ${t("annotate.exportShared")}`, onclick: () => ctx.exportPdf("shared") }) : null),
  ];
  if (conflicts.length) {
    parts.push(h("section", { class: "annotations-conflicts", "data-testid": "conflict-list" },
      h("h4", { text: t("annotate.conflictsTitle") }),
      h("p", { class: "muted small", text: t("annotate.conflictsExplain") }),
      h("ul", { class: "annotation-list" }, conflicts.map((conflict) => {
        const lost = conflict.lost || {};
        const what = lost.kind ? t(`annotate.kind.${lost.kind}`)
          : t(lost.deleted ? "annotate.deletion" : "annotate.edit");
        return h("li", { class: "annotation-row", "data-testid": "conflict" },
          h("span", { class: "annotation-what" },
            h("span", { class: "annotation-label" }, what,
              lost.page ? h("span", { class: "muted small",
                text: ` · ${t("search.page", { page: lost.page })}` }) : null),
            lost.body ? h("span", { class: "annotation-text", text: excerpt(lost.body) }) : null,
            h("span", { class: "muted small", text: formatShortDateTime(conflict.at) })),
          h("button", { type: "button", class: "compact-button", "data-testid": "conflict-dismiss",
            text: t("annotate.dismiss"), onclick: () => ctx.dismiss(conflict) }));
      }))));
  }
  if (!placed.length) {
    parts.push(h("p", { class: "muted", "data-testid": "annotations-none", text: t("annotate.none") }));
  }
  for (const [page, list] of byPage) {
    parts.push(h("section", { class: "annotations-page" },
      h("h4", { text: t("annotate.pageHeading", { page }) }),
      h("ul", { class: "annotation-list" }, list.map((a) => row(a)))));
  }
  if (orphaned.length) {
    parts.push(h("section", { class: "annotations-orphaned", "data-testid": "orphaned-list" },
      h("h4", { text: t("annotate.orphanedTitle") }),
      h("p", { class: "muted small", text: t("annotate.orphanedExplain") }),
      h("ul", { class: "annotation-list" }, orphaned.map((a) => row(a, { placed: false })))));
  }
  return h("div", { class: "annotations-panel", "data-testid": "annotations-panel" }, parts);
}

// The name the server gives a download (Content-Disposition), or null.
function fileName(response) {
  const disposition = response.headers.get("Content-Disposition") || "";
  const encoded = disposition.match(/filename\*=UTF-8''([^;]+)/i);
  if (encoded) {
    try {
      return decodeURIComponent(encoded[1]);
    } catch {
      return null;
    }
  }
  const plain = disposition.match(/filename="([^"]+)"/i);
  return plain ? plain[1] : null;
}

// The paper with the member's own (`mine`) or the meeting's shared annotations, as a PDF download; a refusal (a
// restricted paper) shows the server's message.
export async function exportAnnotated(doc, scope, toast) {
  let response;
  try {
    response = await fetch(`/api/documents/${doc.id}/annotated.pdf?scope=${scope}`, {
      credentials: "same-origin", headers: { "Accept-Language": currentLanguage() } });
  } catch {
    toast(t("error.network"));
    return;
  }
  if (!response.ok) {
    let message = t("annotate.exportFailed");
    try {
      const body = await response.json();
      message = body.message || (body.error && body.error.message) || message;
    } catch {
      // not JSON: the generic message
    }
    toast(message);
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const suffix = scope === "shared" ? t("annotate.fileShared") : t("annotate.fileMine");
  const link = h("a", { href: url, download: fileName(response) || `${doc.title} - ${suffix}.pdf`, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}
