// A closed poll's outcome: adopted or not, the count for each option, turnout and quorum, and the rule's legal basis.

import { h } from "/static/dom.js";
import { currentLanguage, t } from "/static/i18n.js";
import { basisText } from "/static/votes/poll-state.js";
import { optionLabel } from "/static/votes/poll-labels.js";

export function pollResult(poll) {
  const result = poll.result;
  if (!result) return null;
  // docs/votes-contract.md puts adopted and basis on the result; DESIGN.md §5 under an "outcome": either will do.
  const outcome = { ...(result.outcome || {}), ...result };
  const adopted = Boolean(outcome.adopted);
  const tally = result.tally || {};
  const basis = basisText(outcome.basis ? outcome : poll.rule || {}, currentLanguage());
  return h("div", { class: `poll-result ${adopted ? "adopted" : "rejected"}`, "data-testid": "poll-result" },
    h("p", { class: "poll-outcome", "data-testid": "poll-outcome", text: adopted ? t("poll.adopted") : t("poll.rejected") }),
    h("ul", { class: "poll-tally", "data-testid": "poll-tally" }, poll.options.map((option) => h("li", {
      "data-testid": "poll-tally-row", dataset: { choice: option.id },
    }, h("span", { text: optionLabel(option) }),
    h("strong", { "data-testid": "poll-tally-count", text: String(tally[option.id] ?? 0) })))),
    h("p", { class: "muted small", "data-testid": "poll-result-figures", text: [
      t("poll.castOf", { cast: result.cast ?? poll.cast, eligible: result.eligible ?? poll.eligible }),
      result.present !== undefined && result.present !== null ? t("poll.present", { n: result.present }) : null,
      result.quorum_met === false ? t("poll.noQuorum") : null,
    ].filter(Boolean).join(" · ") }),
    basis ? h("p", { class: "muted small basis", "data-testid": "poll-basis", text: basis }) : null);
}
