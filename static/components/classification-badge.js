// A document's classification as a coloured badge, and what it means: who may see, download and print it
// (the rules of ecabinet/classification.py, in words).

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

export const CLASSIFICATIONS = ["public", "internal", "restricted", "secret"];

export function classificationBadge(level) {
  return h("span", { class: `badge class-${level}`, "data-testid": "classification",
    title: t(`classification.${level}.rules`), text: t(`classification.${level}`) });
}

// The badge that unfolds, with a tap on a tablet, into the rules of its classification.
export function classificationInfo(level) {
  return h("details", { class: "class-info", "data-testid": "classification-info" },
    h("summary", { "aria-label": `${t("classification.label")}: ${t(`classification.${level}`)}` },
      classificationBadge(level)),
    h("p", { class: "class-rules small", text: t(`classification.${level}.rules`) }));
}

// A choice of classification. Once another than the usual one is chosen, its rules are written under it
// (`rules`), so that whoever marks a paper secret sees what that will mean for its readers.
export function classificationSelect(usual, { testid } = {}) {
  const select = h("select", { "data-testid": testid, "aria-label": t("classification.label"),
    title: t(`classification.${usual}.rules`) },
  CLASSIFICATIONS.map((level) => h("option", { value: level, text: t(`classification.${level}`),
    selected: level === usual })));
  const rules = h("p", { class: "muted small class-rules", "data-testid": `${testid}-rules`, hidden: true });
  select.addEventListener("change", () => {
    rules.textContent = t(`classification.${select.value}.rules`);
    rules.hidden = select.value === usual;
    select.title = rules.textContent;
  });
  return { select, rules };
}
