// The chair's and the secretariat's form for a new poll on an agenda item: the question, named or secret ballot,
// the rule (with its legal basis shown as it is chosen), a live vote or a written opinion poll with its deadline,
// and, when the default three do not fit, options of its own. Made once per page: what is typed survives redraws.

import { h } from "/static/dom.js";
import { currentLanguage, fromLocalInput, t } from "/static/i18n.js";
import { basisText } from "/static/votes/poll-state.js";
import { ruleLabel } from "/static/votes/poll-labels.js";

// `create(itemId, body)` → a promise, resolved once the draft exists. Returns {node, setItems(items),
// setRules(rules), startOn(itemId)}.
export function pollForm(create) {
  const item = h("select", { "data-testid": "poll-item" });
  const question = h("input", { type: "text", maxlength: 500, required: true, "data-testid": "poll-question-input" });
  const ballot = h("select", { "data-testid": "poll-ballot" },
    h("option", { value: "named", text: t("poll.named") }), h("option", { value: "secret", text: t("poll.secret") }));
  const rule = h("select", { "data-testid": "poll-rule-select" });
  const basis = h("p", { class: "muted small basis", "data-testid": "poll-rule-basis" });
  const mode = h("select", { "data-testid": "poll-mode" },
    h("option", { value: "live", text: t("poll.live") }), h("option", { value: "written", text: t("poll.written") }));
  const deadline = h("input", { type: "datetime-local", "data-testid": "poll-deadline" });
  const deadlineField = h("label", { class: "field", hidden: true }, h("span", { text: t("pollForm.deadline") }), deadline);
  const options = h("textarea", { rows: 3, maxlength: 2000, "data-testid": "poll-options",
    placeholder: t("pollForm.optionsHint"), "aria-label": t("pollForm.options") });
  let rules = [];

  const showBasis = () => {
    const chosen = rules.find((r) => r.key === rule.value);
    basis.textContent = chosen ? basisText(chosen, currentLanguage()) : "";
  };
  rule.addEventListener("change", showBasis);
  mode.addEventListener("change", () => {
    deadlineField.hidden = mode.value !== "written";
    deadline.required = mode.value === "written";
  });

  const submit = h("button", { type: "submit", class: "primary", "data-testid": "poll-create", text: t("pollForm.create") });
  const form = h("form", { class: "stack poll-form" },
    h("label", { class: "field" }, h("span", { text: t("pollForm.item") }), item),
    h("label", { class: "field" }, h("span", { text: t("pollForm.question") }), question),
    h("div", { class: "with-hint" },
      h("label", { class: "field" }, h("span", { text: t("pollForm.ballot") }), ballot),
      h("label", { class: "field" }, h("span", { text: t("pollForm.mode") }), mode),
      deadlineField),
    h("label", { class: "field" }, h("span", { text: t("pollForm.rule") }), rule),
    basis,
    h("label", { class: "field" }, h("span", { text: t("pollForm.options") }), options),
    submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { question: question.value.trim(), ballot: ballot.value, mode: mode.value };
    if (rule.value) body.rule = rule.value;
    if (mode.value === "written") body.deadline = fromLocalInput(deadline.value);
    const own = options.value.split("\n").map((line) => line.trim()).filter(Boolean);
    if (own.length) body.options = own;
    submit.disabled = true;
    try {
      await create(Number(item.value), body);
      question.value = "";
      options.value = "";
      box.open = false;
    } finally {
      submit.disabled = false;
    }
  });
  const body = h("div", { class: "unfold-body" });
  const box = h("details", { class: "unfold poll-new", "data-testid": "poll-new-box" },
    h("summary", { class: "button", "data-testid": "poll-new", text: t("pollForm.title") }), body);
  // In the page only while unfolded: the item list repeats every title of the agenda, which must not be found
  // twice by whoever looks for an item's title on the page (people searching with the browser, tests).
  box.addEventListener("toggle", () => {
    if (box.open) body.append(form);
    else form.remove();
  });

  return {
    node: box,
    setItems(items) {
      const chosen = item.value;
      item.replaceChildren(...items.map((i) => h("option", { value: i.id, text: `${i.item_number}. ${i.title}` })));
      if (chosen && items.some((i) => String(i.id) === chosen)) item.value = chosen;
    },
    setRules(list) {
      rules = list;
      const chosen = rule.value;
      rule.replaceChildren(...list.map((r) => h("option", { value: r.key, text: ruleLabel(r, list) })));
      if (chosen) rule.value = chosen;
      showBasis();
    },
    // The item's "vote" button: the form opens on that item, its question begun.
    startOn(target) {
      item.value = String(target.id);
      if (!question.value) question.value = t("pollForm.defaultQuestion", { title: target.title });
      box.open = true;
      body.append(form);
      box.scrollIntoView({ block: "center" });
      question.focus();
    },
  };
}
