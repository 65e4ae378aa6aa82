// The digital signature found on an uploaded paper (signature_status, checked on upload): a badge that says whether
// it holds, the signer and signing time on hover or, on a tablet, a tap; and the link to the unaltered signed file
// where the classification allows a download (the page's usual download is a stamped copy, whose signature no
// longer verifies).

import { h } from "/static/dom.js";
import { formatShortDateTime, t } from "/static/i18n.js";

// none and "" (not checked yet) say nothing: most papers carry no signature.
const SHOWN = new Set(["valid", "untrusted", "modified", "invalid"]);
const MARK = { valid: "✓", untrusted: "?", modified: "!", invalid: "✕" };

function signatureLines(doc) {
  return (doc.signatures || []).map((s) => [
    t("record.signer", { name: s.signer || "—" }),
    s.signing_time ? t("record.signedAt", { at: formatShortDateTime(s.signing_time) }) : null,
  ].filter(Boolean).join(" · "));
}

export function signatureBadge(doc) {
  const status = doc.signature_status;
  if (!SHOWN.has(status)) return null;
  const lines = signatureLines(doc);
  return h("details", { class: "sig-info", "data-testid": "signature-info" },
    h("summary", { title: lines.join("\n") || undefined,
      "aria-label": [t(`record.signature.${status}`), ...lines].join(". ") },
    h("span", { class: `badge sig-${status}`, "data-testid": "signature-status", dataset: { status },
      text: `${MARK[status]} ${t(`record.signature.${status}`)}` })),
    h("div", { class: "sig-details small", "data-testid": "signature-details" },
      lines.length ? lines.map((line) => h("p", { text: line })) : h("p", { text: t("record.signatureUnknown") })));
}

// `doc.may_download` comes with a document's detail (the viewer); lists of documents do not carry it.
export function originalLink(doc) {
  if (!SHOWN.has(doc.signature_status) || !doc.may_download || doc.state !== "ready") return null;
  return h("a", { class: "button", href: `/api/documents/${doc.id}/original`, download: "",
    "data-testid": "document-original", title: t("record.originalHint"), text: t("record.original") });
}
