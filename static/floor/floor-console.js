// The console of the floor: the queue in order (marking who has not spoken yet), the speaker with their time, the
// members present who have not spoken, and the buttons of whoever gives the floor: the chair, or the secretary who
// took the console over when the chair's tablet failed. The other of the two sees it all, and the button that
// takes the console (back).

import { h } from "/static/dom.js";
import { formatTime, t } from "/static/i18n.js";
import { formatClock, secondsSince } from "/static/floor/clock.js";

const LIMIT_MINUTES = [1, 2, 3, 5, 10];
const collator = new Intl.Collator("vi");

// `on`: {grant(speaker, limitSecs|null), end(speaker), remove(speaker), add(userId), setHolder("chair"|"secretary")}.
export function floorConsole(on) {
  // Made once, so that the limit chosen and the person picked stay over the redraws that every change brings.
  const limit = h("select", { class: "floor-limit", "data-testid": "floor-limit", "aria-label": t("floor.limit") },
    h("option", { value: "", text: t("floor.limitDefault") }),
    LIMIT_MINUTES.map((n) => h("option", { value: String(n * 60), text: t("floor.minutes", { n }) })));
  const who = h("select", { class: "floor-add-who", "data-testid": "floor-add-who",
    "aria-label": t("floor.addLabel") });
  const addButton = h("button", { type: "button", "data-testid": "floor-add", text: `+ ${t("floor.add")}`,
    onclick: () => {
      if (who.value) on.add(Number(who.value));
    } });
  const holder = h("p", { class: "floor-holder", "data-testid": "floor-holder" });
  const holderActions = h("div", { class: "button-row floor-holder-actions" });
  const now = h("div", { class: "floor-now", "data-testid": "floor-now" });
  const queueCount = h("span", { class: "count", "data-testid": "floor-queue-count" });
  const queue = h("ol", { class: "floor-queue", "data-testid": "floor-queue" });
  const notSpoken = h("div", { class: "floor-not-spoken", "data-testid": "floor-not-spoken" });
  const adding = h("div", { class: "floor-add-row" },
    h("label", { class: "field grow" }, t("floor.addLabel"), who), addButton);
  const limitRow = h("label", { class: "field inline small floor-limit-row" }, t("floor.limit"), limit);
  const node = h("section", { class: "card floor-console", "data-testid": "floor-console",
    "aria-label": t("floor.console"), hidden: true },
  h("div", { class: "card-head" }, h("h2", { text: t("floor.console") }), limitRow),
  holder, holderActions, now,
  h("h3", {}, h("span", { text: t("floor.queue") }), queueCount),
  queue, adding, notSpoken);
  let speaking = null;
  let nowTimer = null;
  let signature = "";

  const button = (attrs, text, action) => h("button", { type: "button", ...attrs, text, onclick: action });

  const drawHolder = ({ floor, mayGrant, isChair, canManage, participants, busy }) => {
    const desk = floor.console || { holder: "chair" };
    const byName = (userId) => participants.find((p) => p.user_id === userId)?.name;
    const chair = participants.find((p) => p.role === "chair");
    if (desk.holder === "secretary") {
      // Someone of the secretariat who is not among the participants has no name here.
      const name = byName(desk.user_id);
      if (!name) holder.textContent = t("floor.heldBySecretariat");
      else if (desk.since) holder.textContent = t("floor.heldBySecretarySince", { name, time: formatTime(desk.since) });
      else holder.textContent = t("floor.heldBySecretary", { name });
    } else {
      holder.textContent = t("floor.heldByChair", { name: chair ? chair.name : t("role.chair") });
    }
    holder.dataset.holder = desk.holder;
    holder.classList.toggle("mine", mayGrant);
    const moves = [];
    if (desk.holder === "chair" && canManage && !isChair) {
      moves.push(button({ "data-testid": "floor-take-over" }, t("floor.takeOver"), () => on.setHolder("secretary")));
    }
    if (desk.holder === "secretary" && canManage && chair) {
      moves.push(button({ "data-testid": "floor-hand-back" }, t("floor.handBack"), () => on.setHolder("chair")));
    }
    if (desk.holder === "secretary" && isChair) {
      moves.push(button({ class: "primary", "data-testid": "floor-take-back" }, t("floor.takeBack"),
        () => on.setHolder("chair")));
    }
    for (const move of moves) move.disabled = Boolean(busy);
    holderActions.replaceChildren(...moves);
    holderActions.hidden = !moves.length;
  };

  const drawNow = ({ floor, mayGrant, busy }) => {
    speaking = floor.speaking;
    if (!speaking) {
      nowTimer = null;
      now.replaceChildren(h("p", { class: "muted", text: t("floor.nobodySpeaking") }));
      return;
    }
    nowTimer = h("span", { class: "floor-timer", role: "timer", "data-testid": "floor-now-timer" });
    const end = mayGrant ? button({ class: "primary", "data-testid": "floor-end", disabled: busy }, t("floor.end"),
      () => on.end(speaking)) : null;
    now.replaceChildren(h("div", { class: "floor-now-line", dataset: { speakerId: speaking.id } },
      h("span", { class: "floor-mic", "aria-hidden": "true" }),
      h("div", { class: "floor-request-lines" },
        h("span", { class: "person-name", "data-testid": "floor-now-name", text: speaking.name }),
        speaking.unit_name ? h("span", { class: "muted small", text: speaking.unit_name }) : null,
        speaking.note ? h("span", { class: "floor-request-note", text: speaking.note }) : null),
      nowTimer, end));
  };

  const drawQueue = ({ floor, mayGrant, busy }) => {
    const rows = floor.queue || [];
    queueCount.textContent = String(rows.length);
    queue.replaceChildren(...rows.map((speaker, n) => h("li", { class: "floor-request", "data-testid": "floor-request",
      dataset: { speakerId: speaker.id, userId: speaker.user_id } },
    h("span", { class: "floor-place", text: String(n + 1) }),
    h("div", { class: "floor-request-lines" },
      h("span", {},
        h("span", { class: "person-name", "data-testid": "floor-request-name", text: speaker.name }),
        speaker.spoken_before === 0
          ? h("span", { class: "tag floor-first", "data-testid": "floor-first-time", text: t("floor.firstTime") })
          : h("span", { class: "floor-again muted small", "data-testid": "floor-spoken-before",
            text: t("floor.spokenBefore", { n: speaker.spoken_before }) })),
      h("span", { class: "muted small" },
        [speaker.unit_name, t("floor.askedAt", { time: formatTime(speaker.requested_at) })]
          .filter(Boolean).join(" · ")),
      speaker.note ? h("span", { class: "floor-request-note", "data-testid": "floor-request-note", text: speaker.note })
        : null),
    mayGrant ? h("div", { class: "row-actions" },
      button({ class: "primary", "data-testid": "floor-grant", disabled: busy }, t("floor.grant"),
        () => on.grant(speaker, limit.value ? Number(limit.value) : null)),
      button({ class: "danger", "data-testid": "floor-remove", disabled: busy }, t("floor.remove"),
        () => on.remove(speaker))) : null)));
    if (!rows.length) queue.replaceChildren(h("li", { class: "muted", "data-testid": "floor-queue-empty",
      text: t("floor.queueEmpty") }));
  };

  // Whoever may speak, less those already waiting or speaking (a member's seat taken by a substitute is asked
  // for by the substitute from their own tablet).
  const drawAdding = ({ floor, mayGrant, participants, busy }) => {
    adding.hidden = !mayGrant;
    if (!mayGrant) return;
    const taken = new Set([...(floor.queue || []), ...(floor.speaking ? [floor.speaking] : [])].map((s) => s.user_id));
    const people = participants.filter((p) => p.user_id !== null && p.role !== "observer" && !taken.has(p.user_id))
      .sort((a, b) => collator.compare(a.name, b.name));
    const chosen = who.value;
    who.replaceChildren(h("option", { value: "", text: t("floor.addChoose") }),
      ...people.map((p) => h("option", { value: String(p.user_id), selected: String(p.user_id) === chosen,
        text: `${p.name} — ${p.role === "site" && p.unit_name ? p.unit_name : t(`role.${p.role}`)}` })));
    addButton.disabled = Boolean(busy);
  };

  const drawNotSpoken = ({ notSpoken: people }) => {
    notSpoken.hidden = !people.length;
    notSpoken.replaceChildren(h("h3", {}, h("span", { text: t("floor.notSpoken") }),
      h("span", { class: "count", text: String(people.length) })),
    h("ul", { class: "floor-names" }, people.map((p) => h("li", { "data-testid": "floor-not-spoken-name",
      dataset: { userId: p.user_id }, text: p.name }))));
  };

  const tick = () => {
    if (!speaking || !nowTimer || !speaking.granted_at) return;
    const elapsed = secondsSince(speaking.granted_at);
    nowTimer.textContent = t("floor.timerOf", { elapsed: formatClock(elapsed),
      limit: formatClock(speaking.limit_secs) });
    nowTimer.classList.toggle("over", elapsed > speaking.limit_secs);
  };

  return {
    node,
    // `view`: {shown, floor, notSpoken: [{user_id, name}], mayGrant, isChair, canManage, participants, busy}.
    show(view) {
      node.hidden = !view.shown;
      if (!view.shown) return;
      // Drawn again only when what it shows changed: a tap on a button must not meet a button just replaced.
      const next = JSON.stringify([view.floor, view.notSpoken, view.mayGrant, view.isChair, view.canManage, view.busy,
        view.participants.map((p) => [p.user_id, p.name, p.role, p.unit_name])]);
      if (next !== signature) {
        signature = next;
        drawHolder(view);
        drawNow(view);
        drawQueue(view);
        drawAdding(view);
        drawNotSpoken(view);
        limitRow.hidden = !view.mayGrant;
      }
      tick();
    },
    tick,
  };
}
