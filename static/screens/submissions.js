// A department's papers: the agenda items its unit presents in meetings being prepared, each with its deadline,
// where it stands, the papers submitted (accepted, or returned with the secretariat's comment), and a form to
// submit more. It follows the user's own channel: a decision or a finished upload shows without reloading.

import { get } from "/static/api.js";
import { onLeave, report, toast } from "/static/app.js";
import { showProgress } from "/static/components/document-list.js";
import { boardState, deadline, submissionLine } from "/static/components/submission-line.js";
import { submissionForm } from "/static/components/submission-form.js";
import { clear, h } from "/static/dom.js";
import { formatDateTime, t } from "/static/i18n.js";
import { hearUser } from "/static/user-channel.js";

const REFRESH_MS = 150;

export async function showSubmissions(view) {
  // One form per item for the screen's life: an upload under way keeps its progress bar across redraws.
  const forms = new Map();
  let timer = null;
  const draw = async () => render(view, await get("/api/submissions"), forms, ctx);
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => draw().catch(report), REFRESH_MS);
  };
  const ctx = { report, toast, changed };
  await draw();
  onLeave(hearUser((message) => {
    if (message.type === "document.progress") showProgress(view, message.data);
    else if (message.type === "submission.updated" || message.type === "document.updated") changed();
  }));
  onLeave(() => clearTimeout(timer));
}

function render(view, rows, forms, ctx) {
  const scroll = window.scrollY;
  const meetings = [...new Map(rows.map((row) => [row.meeting_id, row])).values()];
  const groups = meetings.map((first) => h("section", { class: "card", "data-testid": "submission-meeting" },
    h("h2", { text: first.meeting_title }),
    first.meeting_starts_at ? h("p", { class: "muted", text: formatDateTime(first.meeting_starts_at) }) : null,
    h("ol", { class: "board" }, rows.filter((row) => row.meeting_id === first.meeting_id).map((row) => {
      const form = forms.get(row.item.id) || submissionForm(row.item, ctx);
      forms.set(row.item.id, form);
      return itemRow(row, form);
    }))));
  clear(view).append(
    h("div", { class: "page-head" }, h("div", { class: "page-title" },
      h("h1", { text: t("submissions.title") }),
      h("p", { class: "muted", text: t("submissions.help") }))),
    ...(groups.length ? groups : [h("p", { class: "muted empty", "data-testid": "submission-none",
      text: t("submissions.none") })]));
  if (view.isConnected) window.scrollTo(0, scroll);
}

function itemRow(row, form) {
  const { item } = row;
  return h("li", { class: `board-row state-${row.state}`, "data-testid": "submission-item",
    dataset: { itemId: item.id } },
  h("div", { class: "board-head" },
    h("span", { class: "item-number", text: item.item_number }),
    h("div", { class: "item-body" },
      h("span", { class: "item-title", text: item.title }),
      h("span", { class: "muted small board-facts" },
        item.presenter_name ? h("span", { text: item.presenter_name }) : null,
        deadline(row.due_at))),
    boardState(row.state, "submission-item-state")),
  row.submissions.length ? h("ul", { class: "submissions" },
    row.submissions.map((sub) => submissionLine(sub, { testid: "my-submission" }))) : null,
  form);
}
