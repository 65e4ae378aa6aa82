// The chair's strip in the reader (also the secretariat's): who has the meeting open, on which document and page
// each tablet is and whether it follows the presenter; and the choice of who presents.

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";
import { ActionRefused, live } from "/static/live.js";

const collator = new Intl.Collator("vi");

// `participants`: the meeting's (sites do not present, nor appear in the strip); `documentLabel(documentId)` →
// {short, title}; `refused(message)`.
export function readerConsole({ meetingId, participants, me, documentLabel, refused }) {
  const people = participants.filter((p) => p.user_id !== null && p.role !== "site");
  const positions = new Map(); // user id → the latest reader.position
  let online = new Set();
  let presenter = null;
  const strip = h("ul", { class: "reader-strip", "data-testid": "reader-strip" });
  const picker = h("select", { class: "designate", "data-testid": "designate-presenter",
    "aria-label": t("reader.designate") });
  picker.addEventListener("change", () => {
    const userId = picker.value ? Number(picker.value) : null;
    live.action("presenter.designate", { meeting_id: meetingId, user_id: userId }).catch((error) => {
      refused(error instanceof ActionRefused ? error.message : t("error.network"));
      drawPicker();
    });
  });
  const node = h("section", { class: "reader-console", "data-testid": "reader-console",
    "aria-label": t("reader.console") },
  h("label", { class: "field inline small" }, t("reader.designate"), picker), strip);

  const drawPicker = () => {
    const chosen = presenter && presenter.presenter_id;
    picker.replaceChildren(h("option", { value: "", text: t("reader.chairPresents"), selected: !chosen }),
      ...[...people].sort((a, b) => collator.compare(a.name, b.name)).map((p) => h("option", {
        value: p.user_id, selected: chosen === p.user_id, text: `${p.name} — ${t(`role.${p.role}`)}` })));
  };

  // The tablets online, each with its page; those not yet open, as one line (the room fills as the meeting starts).
  const drawStrip = () => {
    const others = [...people].filter((p) => p.user_id !== me).sort((a, b) => collator.compare(a.name, b.name));
    const here = others.filter((p) => online.has(p.user_id));
    const away = others.filter((p) => !online.has(p.user_id));
    strip.replaceChildren(...here.map((p) => {
      const at = positions.get(p.user_id);
      const label = at ? documentLabel(at.document_id) : null;
      return h("li", { class: "strip-person", "data-testid": "strip-person", dataset: { userId: p.user_id },
        title: label ? `${p.name}: ${label.title}` : p.name },
      h("span", { class: "presence-dot", "aria-hidden": "true" }),
      h("span", { class: "strip-name", text: p.name }),
      at ? h("span", { class: "strip-page", "data-testid": "strip-page",
        text: t("reader.stripPage", { doc: label.short, page: at.page }) }) : null,
      at && !at.following ? h("span", { class: "strip-free", "data-testid": "strip-browsing",
        title: t("reader.browsing"), text: "↔" }) : null);
    }), away.length ? h("li", { class: "strip-away muted small", "data-testid": "strip-away",
      title: away.map((p) => p.name).join(", "), text: t("reader.away", { n: away.length }) }) : null);
  };

  drawPicker();
  drawStrip();
  return {
    node,
    position(data) {
      positions.set(data.user_id, data);
      drawStrip();
    },
    online(ids) {
      online = new Set(ids);
      drawStrip();
    },
    presenter(next) {
      presenter = next;
      drawPicker();
    },
  };
}
