// A department's paper as both sides see it: title, kind, who submitted it and when, late or not, its status
// (with the secretariat's comment when returned), its processing, and a link to read it.

import { documentState, openLink, readable } from "/static/components/document-list.js";
import { h } from "/static/dom.js";
import { formatShortDateTime, t } from "/static/i18n.js";

export const PAPER_KINDS = ["proposal", "draft_decision", "report", "other"];

// Where an item stands: missing, late, submitted, accepted, returned, or not expected (no department presents it).
export function boardState(state, testid = "board-state") {
  return h("span", { class: `badge board-${state}`, "data-testid": testid, text: t(`boardState.${state}`) });
}

export function deadline(dueAt) {
  return h("span", { class: "deadline", "data-testid": "deadline",
    text: dueAt ? t("submissions.due", { at: formatShortDateTime(dueAt) }) : t("submissions.noDeadline") });
}

// `actions`: extra controls (the secretariat's accept and return); `below`: what unfolds under the paper.
export function submissionLine(sub, { testid = "submission", actions = null, below = null } = {}) {
  const doc = sub.document;
  const by = [sub.submitted_by_name, sub.unit_name].filter(Boolean).join(" – ");
  return h("li", { class: `submission sub-${sub.status}${sub.late ? " late" : ""}`, "data-testid": testid,
    dataset: { submissionId: sub.id, scope: `sub-${sub.id}` } },
  h("div", { class: "sub-main" },
    h("span", { class: "sub-title" },
      h("span", { class: "sub-kind", "data-testid": "submission-kind", text: t(`paperKind.${sub.kind}`) }),
      h("span", { "data-testid": "submission-title", text: sub.title })),
    h("span", { class: "muted small" },
      t("submissions.submittedBy", { who: by || "—", at: formatShortDateTime(sub.submitted_at) })),
    h("span", { class: "sub-flags" },
      h("span", { class: `badge sub-status-${sub.status}`, "data-testid": "submission-status",
        text: t(`submissionStatus.${sub.status}`) }),
      sub.late ? h("span", { class: "badge late-flag", "data-testid": "submission-late", text: t("submissions.late") })
        : null,
      doc && doc.state !== "ready" ? documentState(doc) : null),
    sub.comment ? h("p", { class: "sub-comment", "data-testid": "submission-comment",
      text: t("submissions.comment", { comment: sub.comment }) }) : null),
  h("div", { class: "row-actions" },
    doc && readable(doc) ? openLink(doc) : null,
    actions),
  below);
}
