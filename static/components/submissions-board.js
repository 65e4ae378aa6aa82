// The secretariat's submissions board: per agenda item, the department expected to submit, the deadline, where
// it stands (late in red), and each paper, to accept (it joins the item's documents) or return with a comment.

import { post } from "/static/api.js";
import { boardState, deadline, submissionLine } from "/static/components/submission-line.js";
import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

// `ctx`: {editable, act(promise), returning: Map(submission id → comment being written), kept across redraws}.
export function submissionsBoard(rows, ctx) {
  // Awaited: nothing submitted yet, or the last paper returned. One submitted late is not, though it stays late.
  const waiting = rows.filter((row) => row.state === "returned"
    || (row.state !== "not_expected" && !row.submissions.length)).length;
  return h("section", { class: "card", "data-testid": "submissions-board" },
    h("div", { class: "card-head" }, h("h2", { id: "submissions-board", text: t("submissions.board") }),
      waiting ? h("span", { class: "muted", "data-testid": "board-waiting",
        text: t("submissions.waiting", { n: waiting }) }) : null),
    rows.length ? h("ol", { class: "board" }, rows.map((row) => boardRow(row, ctx)))
      : h("p", { class: "muted", text: t("agenda.empty") }));
}

function boardRow(row, ctx) {
  const { item } = row;
  return h("li", { class: `board-row depth-${item.depth} state-${row.state}`, "data-testid": "board-row",
    dataset: { scope: `board-${item.id}` } },
  h("div", { class: "board-head" },
    h("span", { class: "item-number", text: item.item_number }),
    h("div", { class: "item-body" },
      h("span", { class: "item-title", text: item.title }),
      h("span", { class: "muted small board-facts" },
        h("span", { "data-testid": "expected-unit", text: row.expected_unit_name || t("submissions.noUnit") }),
        deadline(row.due_at))),
    boardState(row.state)),
  row.submissions.length ? h("ul", { class: "submissions" },
    row.submissions.map((sub) => submissionLine(sub, { testid: "board-submission", ...decision(sub, ctx) })))
    : null);
}

// Accept at once; return only with a comment, written in a field that unfolds under the paper.
function decision(sub, { editable, act, returning }) {
  if (!editable || sub.status !== "submitted") return {};
  const comment = h("input", { class: "grow", "data-testid": "submission-comment-input", required: true,
    maxlength: 2000, placeholder: t("submissions.returnWhy"), "aria-label": t("submissions.returnWhy"),
    value: returning.get(sub.id) || "" });
  comment.addEventListener("input", () => returning.set(sub.id, comment.value));
  const form = h("form", { class: "return-form", "data-testid": "return-form", hidden: !returning.has(sub.id) },
    comment,
    h("button", { type: "submit", class: "primary", "data-testid": "submission-return-send",
      text: t("submissions.returnSend") }),
    h("button", { type: "button", "data-testid": "submission-return-cancel", text: t("submissions.cancel"),
      onclick: () => {
        returning.delete(sub.id);
        form.hidden = true;
      } }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = comment.value.trim();
    if (!text) return;
    act(post(`/api/submissions/${sub.id}/decision`, { status: "returned", comment: text }).then((answer) => {
      returning.delete(sub.id);
      return answer;
    }));
  });
  const actions = [
    h("button", { type: "button", class: "primary", "data-testid": "submission-accept", text: t("submissions.accept"),
      onclick: () => act(post(`/api/submissions/${sub.id}/decision`, { status: "accepted" })) }),
    h("button", { type: "button", "data-testid": "submission-return", text: t("submissions.return"),
      onclick: () => {
        returning.set(sub.id, comment.value);
        form.hidden = false;
        comment.focus();
      } }),
  ];
  return { actions, below: form };
}
