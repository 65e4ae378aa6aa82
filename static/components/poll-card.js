// One poll in the meeting's list: its question, rule and basis, turnout; the chair's buttons and the list of who
// voted; a written poll's answer form; once closed, the outcome and (secret ballots) the receipt check.

import { h } from "/static/dom.js";
import { currentLanguage, formatShortDateTime, t } from "/static/i18n.js";
import { pollResult } from "/static/components/poll-result.js";
import { basisText } from "/static/votes/poll-state.js";
import { optionLabel, ruleLabel } from "/static/votes/poll-labels.js";

const collator = new Intl.Collator("vi");

// `ctx`: {rules, items (Map id → item), lead, manage, mayVote, drafts (Map), notes (Map poll id → text),
//  on: {open, close, answer, record, checkReceipt, showSheet}}.
export function pollCard(poll, ctx) {
  const item = ctx.items.get(poll.item_id);
  const items = (poll.item_ids && poll.item_ids.length > 1 ? poll.item_ids : [poll.item_id])
    .map((id) => ctx.items.get(id)).filter(Boolean);
  const rule = poll.rule || {};
  const facts = [t(`pollStatus.${poll.status}`), t(poll.ballot === "secret" ? "poll.secret" : "poll.named"),
    t(poll.mode === "written" ? "poll.written" : "poll.live")];
  if (poll.deadline) facts.push(t("poll.deadline", { time: formatShortDateTime(poll.deadline) }));
  const card = h("li", { class: `poll poll-${poll.status}`, "data-testid": "poll", dataset: { pollId: poll.id } },
    h("div", { class: "poll-head" },
      h("span", { class: `badge poll-status-${poll.status}`, "data-testid": "poll-status", text: t(`pollStatus.${poll.status}`) }),
      h("strong", { class: "poll-question", "data-testid": "poll-question", text: poll.question })),
    h("p", { class: "muted small", text: facts.slice(1).join(" · ") }),
    items.length ? h("p", { class: "muted small", "data-testid": "poll-items",
      text: items.map((i) => `${i.item_number}. ${i.title}`).join("; ") }) : null,
    h("p", { class: "small poll-rule", "data-testid": "poll-rule", text: ruleLabel(rule, ctx.rules) }),
    poll.status !== "closed" && basisText(rule, currentLanguage())
      ? h("p", { class: "muted small basis", text: basisText(rule, currentLanguage()) }) : null);

  if (poll.status !== "draft") {
    const share = poll.eligible ? Math.round((100 * poll.cast) / poll.eligible) : 0;
    card.append(h("div", { class: "poll-turnout" },
      h("span", { "data-testid": "poll-turnout", text: t("poll.castOf", { cast: poll.cast, eligible: poll.eligible }) }),
      h("progress", { max: 100, value: share, "aria-label": t("poll.turnout") })));
  }
  const result = poll.status === "closed" ? pollResult(poll) : null;
  if (result) card.append(result);
  if (poll.my_vote) card.append(myVoteLine(poll));
  else if (poll.status === "open" && ctx.mayVote) {
    card.append(poll.mode === "written" ? writtenForm(poll, ctx)
      : h("button", { type: "button", class: "primary", "data-testid": "poll-vote", text: t("vote.show"),
        onclick: () => ctx.on.showSheet(poll) }));
  }
  if (poll.status === "closed" && poll.ballot === "secret") card.append(receiptCheck(poll, ctx));
  if (poll.comments && poll.comments.length) {
    card.append(h("ul", { class: "poll-comments", "data-testid": "poll-comments" },
      poll.comments.map((c) => h("li", {}, h("strong", { text: `${c.name}: ` }), c.text))));
  }
  if (ctx.lead && poll.voters && poll.status !== "draft") card.append(voterList(poll, ctx));
  const buttons = ctx.lead ? leadButtons(poll, ctx) : null;
  if (buttons) card.append(buttons);
  return card;
}

function myVoteLine(poll) {
  const option = poll.my_vote.choice ? poll.options.find((o) => o.id === poll.my_vote.choice) : null;
  return h("p", { class: "poll-mine", "data-testid": "poll-mine" },
    h("span", { class: "vote-done", text: t("vote.done") }),
    option ? ` · ${t("vote.yourChoice", { choice: optionLabel(option) })}` : null,
    poll.my_vote.by_secretary ? ` · ${t("vote.bySecretary")}` : null,
    poll.my_vote.receipt ? h("span", {}, ` · ${t("vote.receipt")} `,
      h("code", { "data-testid": "poll-mine-receipt", text: poll.my_vote.receipt })) : null);
}

// A written opinion poll (phiếu xin ý kiến): a choice and a comment.
function writtenForm(poll, ctx) {
  const key = `written.${poll.id}`;
  const draft = ctx.drafts.get(key) || { choice: null, comment: "" };
  const comment = h("textarea", { class: "poll-comment-input", rows: 3, maxlength: 2000, "data-testid": "written-comment",
    "aria-label": t("written.comment"), placeholder: t("written.comment") });
  comment.value = draft.comment;
  comment.addEventListener("input", () => ctx.drafts.set(key, { ...draft, comment: comment.value }));
  const form = h("form", { class: "stack written-form", "data-testid": "written-form" },
    h("div", { class: "vote-options small-options", role: "group", "aria-label": t("vote.options") },
      poll.options.map((option) => h("button", { type: "button", class: "vote-option", "data-testid": "written-choice",
        dataset: { choice: option.id }, "aria-pressed": String(draft.choice === option.id), text: optionLabel(option),
        onclick: () => {
          ctx.drafts.set(key, { ...draft, choice: option.id, comment: comment.value });
          ctx.on.redraw();
        } }))),
    comment,
    h("button", { type: "submit", class: "primary", "data-testid": "written-send", disabled: !draft.choice,
      text: t("written.send") }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (draft.choice) ctx.on.answer(poll, draft.choice, comment.value.trim());
  });
  return form;
}

function receiptCheck(poll, ctx) {
  const code = h("input", { type: "text", maxlength: 40, "data-testid": "receipt-input", "aria-label": t("receipts.code"),
    placeholder: t("receipts.code"), value: poll.my_vote && poll.my_vote.receipt ? poll.my_vote.receipt : "" });
  const note = ctx.notes.get(poll.id);
  return h("div", { class: "receipt-check" },
    h("div", { class: "with-hint" }, code,
      h("button", { type: "button", "data-testid": "check-receipt", text: t("receipts.check"),
        onclick: () => ctx.on.checkReceipt(poll, code.value.trim()) })),
    note ? h("p", { class: "small", role: "status", "data-testid": "receipt-result", text: note }) : null);
}

function voterList(poll, ctx) {
  const voters = [...poll.voters].sort((a, b) => Number(a.voted) - Number(b.voted) || collator.compare(a.name, b.name));
  return h("details", { class: "unfold poll-voters", "data-testid": "poll-voters-box", open: poll.status === "open" },
    h("summary", { class: "button", text: t("poll.voters") }),
    h("ul", { class: "people" }, voters.map((v) => {
      const option = v.choice ? poll.options.find((o) => o.id === v.choice) : null;
      return h("li", { class: `person ${v.voted ? "present" : ""}`, "data-testid": "poll-voter", dataset: { userId: v.user_id } },
        h("span", { class: "person-lines" },
          h("span", { class: "person-name", text: v.name }),
          h("span", { class: `attendance ${v.voted ? "present" : "expected"}`, "data-testid": "poll-voter-state",
            text: v.voted ? t("poll.voted") : t("poll.notVoted") }),
          option ? h("span", { class: "small", "data-testid": "poll-voter-choice", text: optionLabel(option) }) : null,
          v.by_secretary ? h("span", { class: "tag", "data-testid": "by-secretary", text: t("vote.bySecretary") }) : null),
        ctx.manage && poll.status === "open" && !v.voted ? manualBallot(poll, v, ctx) : null);
    })));
}

// The secretary records the ballot of a member whose tablet failed (said aloud, or on paper).
function manualBallot(poll, voter, ctx) {
  const choice = h("select", { class: "compact", "data-testid": "manual-choice", "aria-label": t("manual.choice") },
    h("option", { value: "", text: t("manual.choice") }),
    poll.options.map((o) => h("option", { value: o.id, text: optionLabel(o) })));
  const key = `manual.${poll.id}.${voter.user_id}`;
  choice.value = ctx.drafts.get(key) || "";
  choice.addEventListener("change", () => ctx.drafts.set(key, choice.value));
  return h("div", { class: "row-actions" }, choice,
    h("button", { type: "button", "data-testid": "manual-record", text: t("manual.record"),
      onclick: () => {
        if (choice.value) ctx.on.record(poll, voter, choice.value);
      } }));
}

function leadButtons(poll, ctx) {
  const row = h("div", { class: "button-row" });
  if (poll.status === "draft") {
    row.append(h("button", { type: "button", class: "primary", "data-testid": "poll-open", text: t("poll.open"),
      onclick: () => ctx.on.open(poll) }));
  }
  if (poll.status === "open") {
    row.append(h("button", { type: "button", class: "primary", "data-testid": "poll-close", text: t("poll.close"),
      onclick: () => {
        if (confirm(t("poll.confirmClose"))) ctx.on.close(poll);
      } }));
  }
  return row.childElementCount ? row : null;
}
