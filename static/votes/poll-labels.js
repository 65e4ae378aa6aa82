// What a poll's parts are called in the UI's language: the default options and the rules have texts of our own;
// a poll's own options are shown as the chair wrote them.

import { currentLanguage, has, t } from "/static/i18n.js";

const DEFAULT_OPTIONS = new Set(["agree", "disagree", "abstain"]);

export function optionLabel(option) {
  return DEFAULT_OPTIONS.has(option.id) && has(`voteOption.${option.id}`) ? t(`voteOption.${option.id}`) : option.label;
}

// The rule's name: from the list of rules (GET /api/vote-rules, which has label_en), else as the poll carries it.
export function ruleLabel(rule, rules = []) {
  if (!rule) return "";
  const known = rules.find((r) => r.key === rule.key) || rule;
  return currentLanguage() === "en" && known.label_en ? known.label_en : known.label || rule.key;
}
