// The quorum: met or not, how many of the voting members are present against how many must be, and why.

import { h } from "/static/dom.js";
import { currentLanguage, t } from "/static/i18n.js";

export function quorumBox(quorum) {
  return h("section", { class: `card quorum ${quorum.met ? "met" : "not-met"}`, "data-testid": "quorum" },
    h("h2", { text: t("quorum.title") }),
    h("div", { class: "quorum-figures" },
      h("span", { class: "quorum-count", "data-testid": "quorum-count", text: `${quorum.present}/${quorum.required}` }),
      h("div", { class: "quorum-words" },
        h("span", { class: "quorum-verdict", "data-testid": "quorum-verdict",
          text: quorum.met ? t("quorum.met") : t("quorum.notMet") }),
        h("span", { class: "muted", text: t("quorum.count",
          { present: quorum.present, required: quorum.required, members: quorum.members }) }))),
    quorum.basis ? h("p", { class: "muted small basis",
      text: currentLanguage() === "en" && quorum.basis_en ? quorum.basis_en : quorum.basis }) : null);
}
