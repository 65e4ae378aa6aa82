// The vote sheet: the open poll over the whole screen of a member's tablet, with a large button for each option
// and a second tap to confirm; then the receipt, and once the poll closes, its outcome. Folded, it is a bar at the
// top of the page (the chair's and the secretary's start folded: they run the vote from the console).

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";
import { pollResult } from "/static/components/poll-result.js";
import { optionLabel } from "/static/votes/poll-labels.js";

// `sheet`: {chosen, sending, retries, error, folded}; `on`: {choose(id), confirm(), dismiss(), fold(), unfold()}.
export function voteSheet(poll, item, sheet, on) {
  if (sheet.folded) {
    return h("div", { class: "vote-bar", role: "status", "data-testid": "vote-bar" },
      h("span", { class: "vote-bar-text", text: `${t(poll.status === "open" ? "vote.barOpen" : "vote.barClosed")}: ${poll.question}` }),
      h("span", { class: "muted", "data-testid": "vote-bar-turnout", text: t("poll.castOf", { cast: poll.cast, eligible: poll.eligible }) }),
      h("button", { type: "button", class: "primary", "data-testid": "vote-bar-open", text: t("vote.show"), onclick: on.unfold }));
  }
  const body = [];
  if (poll.status === "closed") {
    body.push(pollResult(poll));
  } else if (poll.my_vote) {
    body.push(h("p", { class: "vote-done", "data-testid": "vote-done", text: t("vote.done") }));
    if (poll.my_vote.choice) {
      const option = poll.options.find((o) => o.id === poll.my_vote.choice);
      if (option) body.push(h("p", { "data-testid": "vote-my-choice", text: t("vote.yourChoice", { choice: optionLabel(option) }) }));
    }
    if (poll.my_vote.receipt) {
      body.push(h("p", { class: "vote-receipt" }, t("vote.receipt"), " ",
        h("code", { "data-testid": "vote-receipt", text: poll.my_vote.receipt })),
      h("p", { class: "muted small", text: t(poll.ballot === "secret" ? "vote.receiptSecret" : "vote.receiptNamed") }));
    }
    body.push(h("p", { class: "muted", "data-testid": "vote-turnout", text: t("poll.castOf", { cast: poll.cast, eligible: poll.eligible }) }));
  } else {
    body.push(h("div", { class: "vote-options", role: "group", "aria-label": t("vote.options") },
      poll.options.map((option) => h("button", {
        type: "button", class: `vote-option choice-${option.id}`, "data-testid": "vote-option",
        dataset: { choice: option.id }, "aria-pressed": String(sheet.chosen === option.id), disabled: sheet.sending,
        text: optionLabel(option), onclick: () => on.choose(option.id),
      }))),
    h("button", { type: "button", class: "primary vote-confirm", "data-testid": "vote-confirm",
      disabled: !sheet.chosen || sheet.sending, text: sheet.sending ? t("vote.sending") : t("vote.confirm"), onclick: on.confirm }));
    if (sheet.retries) {
      body.push(h("p", { class: "vote-retrying", role: "status", "data-testid": "vote-retrying",
        text: t("vote.retrying", { n: sheet.retries }) }));
    }
    if (sheet.error) body.push(h("p", { class: "form-error", role: "alert", "data-testid": "vote-error", text: sheet.error }));
  }
  const closable = poll.status === "closed" || poll.my_vote;
  return h("div", { class: "vote-backdrop" },
    h("section", { class: "vote-sheet", role: "dialog", "aria-modal": "true", "aria-labelledby": "vote-question",
      "data-testid": "vote-sheet", dataset: { pollId: poll.id } },
    h("p", { class: "eyebrow", text: `${t(poll.ballot === "secret" ? "poll.secret" : "poll.named")} · ${item ? `${item.item_number}. ${item.title}` : ""}` }),
    h("h2", { id: "vote-question", class: "vote-question", "data-testid": "vote-question", text: poll.question }),
    ...body,
    h("div", { class: "button-row vote-sheet-actions" },
      closable
        ? h("button", { type: "button", "data-testid": "vote-sheet-close", text: t("vote.close"), onclick: on.dismiss })
        : h("button", { type: "button", "data-testid": "vote-sheet-fold", text: t("vote.fold"), onclick: on.fold }))));
}
