// The meeting's minutes (biên bản) and invitation (giấy mời) on the meeting page: the chair and the secretary
// generate them (minutes made while the meeting is live are drafts), sign a final one with the organisation's
// certificate, and everyone downloads what they may see (members: final records only). Follows record.updated on
// meeting:{id}. Contract: docs/floor-contract.md.

import { ApiError, get, post } from "/static/api.js";
import { h } from "/static/dom.js";
import { formatShortDateTime, t } from "/static/i18n.js";

const MINUTES_FROM = new Set(["live", "closed", "archived"]);
const INVITATION_UNTIL = new Set(["draft", "scheduled", "live"]);

// `report(error)`, `toast(text, kind)`: app.js's. Returns {node, update(state), hear(event), reload(), stop()}.
export function meetingRecords(meetingId, { report, toast }) {
  let records = []; // newest first
  let meeting = null;
  let loaded = false;
  let making = null; // the kind being generated
  const signing = new Set();
  let alive = true;

  const number = h("input", { type: "text", maxlength: 64, class: "record-number-input",
    "data-testid": "record-number", placeholder: t("record.numberHint"), "aria-label": t("record.number") });
  const actions = h("div", { class: "record-actions" });
  const list = h("ul", { class: "records", "data-testid": "record-list" });
  const node = h("section", { class: "card records-card", "data-testid": "records", hidden: true },
    h("h2", { text: t("record.title") }), actions, list);

  const lead = () => Boolean(meeting && (meeting.can_chair || meeting.can_manage));

  function put(answer) {
    // The answer to signing names its maker only when the signer made it too: the name already known is kept.
    const known = records.find((r) => r.id === answer.id);
    const record = !answer.created_by && known ? { ...answer, created_by: known.created_by } : answer;
    records = [record, ...records.filter((r) => r.id !== record.id)].sort((a, b) => b.id - a.id);
    draw();
  }

  async function make(kind) {
    making = kind;
    draw();
    try {
      put(await post(`/api/meetings/${meetingId}/records`, { kind, number: number.value.trim() }));
      number.value = "";
      toast(t(`record.made.${kind}`), "info");
    } catch (error) {
      report(error);
    } finally {
      making = null;
      draw();
    }
  }

  async function sign(record) {
    if (!confirm(t("record.confirmSign", { what: label(record) }))) return;
    signing.add(record.id);
    draw();
    try {
      put(await post(`/api/records/${record.id}/sign`));
      toast(t("record.signedNotice"), "info");
    } catch (error) {
      if (error instanceof ApiError && error.code === "signing_not_configured") toast(t("record.noCertificate"));
      else report(error);
    } finally {
      signing.delete(record.id);
      draw();
    }
  }

  function label(record) {
    return t(`record.kind.${record.kind}`);
  }

  function recordLine(record) {
    const facts = [t("record.version", { n: record.version })];
    if (record.number) facts.push(t("record.numbered", { number: record.number }));
    if (record.pages) facts.push(t("record.pages", { n: record.pages }));
    const made = [formatShortDateTime(record.created_at), record.created_by].filter(Boolean).join(" · ");
    const signed = record.signed
      ? h("span", { class: "record-signed", "data-testid": "record-signed",
        text: t("record.signedBy", { signer: record.signer || "—",
          at: record.signed_at ? formatShortDateTime(record.signed_at) : "—" }) })
      : h("span", { class: "record-unsigned muted", "data-testid": "record-signed", text: t("record.unsigned") });
    return h("li", { class: `record${record.draft ? " draft" : ""}${record.signed ? " signed" : ""}`,
      "data-testid": "record", dataset: { recordId: record.id, kind: record.kind } },
    h("div", { class: "record-main" },
      h("span", { class: "record-title" },
        h("span", { "data-testid": "record-kind", text: label(record) }),
        h("span", { class: `badge record-${record.draft ? "draft" : "final"}`, "data-testid": "record-state",
          text: t(record.draft ? "record.draft" : "record.final") })),
      h("span", { class: "muted small", "data-testid": "record-facts", text: facts.join(" · ") }),
      h("span", { class: "muted small", text: t("record.madeBy", { what: made }) }),
      record.draft ? null : signed),
    h("div", { class: "row-actions" },
      lead() && !record.draft && !record.signed ? h("button", { type: "button", class: "primary",
        "data-testid": "record-sign", disabled: signing.has(record.id),
        text: signing.has(record.id) ? t("record.signing") : `✍ ${t("record.sign")}`,
        onclick: () => sign(record) }) : null,
      h("a", { class: "button", href: record.url, download: "", "data-testid": "record-download",
        "aria-label": `${t("record.download")}: ${label(record)} ${facts[0]}`, text: `⬇ ${t("record.download")}` })));
  }

  function draw() {
    if (!alive || !meeting) return;
    const status = meeting.status;
    const buttons = [];
    if (lead() && INVITATION_UNTIL.has(status)) {
      buttons.push(h("button", { type: "button", "data-testid": "record-make-invitation",
        disabled: Boolean(making), text: making === "invitation" ? t("record.making") : t("record.makeInvitation"),
        onclick: () => make("invitation") }));
    }
    if (lead() && MINUTES_FROM.has(status)) {
      const draft = status === "live";
      buttons.push(h("button", { type: "button", class: draft ? "" : "primary", "data-testid": "record-make-minutes",
        disabled: Boolean(making), text: making === "minutes" ? t("record.making")
          : t(draft ? "record.makeDraftMinutes" : "record.makeMinutes"),
        onclick: () => make("minutes") }));
    }
    actions.replaceChildren(...(buttons.length ? [h("label", { class: "field" },
      h("span", { text: t("record.number") }), number), h("div", { class: "button-row" }, buttons)] : []));
    if (!loaded) list.replaceChildren();
    else if (!records.length) {
      list.replaceChildren(h("li", { class: "muted", "data-testid": "records-none", text: t("record.none") }));
    } else list.replaceChildren(...records.map(recordLine));
    // Members see the card once there is something final to read.
    node.hidden = !buttons.length && !records.length;
  }

  return {
    node,
    update(state) {
      const before = meeting ? `${meeting.status}/${lead()}` : "";
      meeting = state.meeting;
      if (before !== `${meeting.status}/${lead()}`) draw();
    },
    hear(event) {
      if (event.type !== "record.updated") return false;
      put(event.data.record);
      return true;
    },
    async reload() {
      records = await get(`/api/meetings/${meetingId}/records`);
      loaded = true;
      draw();
    },
    stop() {
      alive = false;
    },
  };
}
