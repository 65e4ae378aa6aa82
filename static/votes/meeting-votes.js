// Votes on the meeting page: pre-positions on each agenda item, the list of polls with the chair's console, the
// banner of open written polls, and the vote sheet of an open live poll. Made once per visit to the page and kept
// up to date by the meeting channel's events, so that what a member is choosing or the chair is typing survives
// the page's redraws. Contract: docs/votes-contract.md.

import { ApiError, del, get, post, put } from "/static/api.js";
import { h } from "/static/dom.js";
import { currentLanguage, formatShortDateTime, t } from "/static/i18n.js";
import { live } from "/static/live.js";
import { pollCard } from "/static/components/poll-card.js";
import { pollForm } from "/static/components/poll-form.js";
import { prepositionBar } from "/static/components/preposition-bar.js";
import { voteSheet } from "/static/components/vote-sheet.js";
import { castBallot, forgetSettledBallots, pendingBallot } from "/static/votes/ballot.js";
import {
  applyVoteEvent, emptyVotes, findPoll, loadPositions, putBallot, putPoll,
} from "/static/votes/poll-state.js";

// Positions may be given while the meeting is being prepared and held.
const POSITIONS_OPEN = new Set(["scheduled", "live"]);
// The chair's copy of a poll (who voted, their choices) is read again this long after the last ballot.
const REFRESH_AFTER_MS = 300;

// `me`: the signed-in user's id; `report(error)`, `toast(text, kind)`: app.js's. Returns {node, itemNode(item),
// update(state), hear(event), reload(), stop()}.
export function meetingVotes(meetingId, { me, report, toast }) {
  const votes = emptyVotes();
  let rules = [];
  let meeting = null;
  let items = new Map();
  let roles = { lead: false, manage: false, mayVote: false, mayPosition: false };
  let loaded = false;
  let failed = false;
  let alive = true;
  const drafts = new Map(); // what is typed or chosen in the cards, kept over redraws
  const notes = new Map(); // poll id → the receipt check's answer
  const itemNodes = new Map(); // item id → its persistent container
  const timers = new Map();
  // The vote sheet: which poll it shows and how far the member is with it.
  let sheet = { pollId: null, chosen: null, error: null, folded: false };
  const sending = new Map(); // poll id → {retries}
  const dismissed = new Set();
  const seenOpen = new Set(); // live polls seen open here: their outcome is shown on the sheet when they close

  const sheetSlot = h("div", { class: "vote-sheet-slot" });
  const banners = h("div", { class: "poll-banners" });
  const list = h("ul", { class: "polls", "data-testid": "polls" });
  const head = h("div", { class: "card-head" }, h("h2", { text: t("polls.title") }));
  const consentButton = h("button", { type: "button", "data-testid": "consent-create", text: t("polls.consent"),
    onclick: () => post(`/api/meetings/${meetingId}/consent`, {}).then((poll) => {
      putPoll(votes, poll);
      toast(t("polls.consentCreated"), "info");
      draw();
    }).catch(report) });
  const form = pollForm((itemId, body) => post(`/api/items/${itemId}/polls`, body).then((poll) => {
    putPoll(votes, poll);
    draw();
  }).catch((error) => {
    report(error);
    throw error;
  }));
  const card = h("section", { class: "card polls-card", "data-testid": "polls-card" }, head, list);
  const node = h("div", { class: "votes" }, sheetSlot, banners, card);
  let sheetSignature = "";

  // -- reading ---------------------------------------------------------------------------------------------

  async function reload() {
    const [polls, positions, ruleList] = await Promise.allSettled([
      get(`/api/meetings/${meetingId}/polls`),
      get(`/api/meetings/${meetingId}/prepositions`),
      rules.length ? Promise.resolve(rules) : get("/api/vote-rules"),
    ]);
    failed = polls.status === "rejected";
    if (!failed) {
      votes.polls = [];
      for (const poll of polls.value) putPoll(votes, poll);
      for (const poll of votes.polls) if (poll.status === "open" && poll.mode === "live") seenOpen.add(poll.id);
      forgetSettledBallots(votes.polls);
    }
    if (positions.status === "fulfilled") loadPositions(votes, positions.value);
    if (ruleList.status === "fulfilled") {
      rules = ruleList.value;
      form.setRules(rules);
    }
    loaded = true;
    draw();
    resumePending();
  }

  const refreshPoll = (pollId) => get(`/api/polls/${pollId}`).then((poll) => {
    putPoll(votes, poll);
    draw();
  });

  // Soon, and once for a burst of events: the chair's list of voters, the names behind pre-positions.
  function later(key, work) {
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => {
      timers.delete(key);
      if (alive) work().catch(() => {});
    }, REFRESH_AFTER_MS));
  }

  // -- acting ----------------------------------------------------------------------------------------------

  // Own ballots that were sent but never answered (the network failed, the page was reloaded): sent again.
  function resumePending() {
    for (const poll of votes.polls) {
      if (poll.status !== "open" || poll.my_vote || sending.has(poll.id)) continue;
      const pending = pendingBallot(poll.id, me);
      if (!pending) continue;
      if (poll.mode === "live") sheet = { ...sheet, pollId: poll.id, chosen: pending.body.choice, folded: false };
      cast(poll, pending.body);
    }
  }

  async function cast(poll, body) {
    const pollId = poll.id;
    sending.set(pollId, { retries: 0 });
    sheet.error = null;
    draw();
    try {
      const answer = await castBallot(pollId, body, {
        me,
        onRetry: (n) => {
          sending.set(pollId, { retries: n });
          draw();
        },
        stillWanted: () => alive && findPoll(votes, pollId)?.status === "open",
      });
      putBallot(votes, pollId, answer, { mine: true, userId: me });
    } catch (error) {
      if (!alive) return;
      if (error instanceof ApiError && ["already_voted", "poll_closed"].includes(error.code)) {
        refreshPoll(pollId).catch(() => {});
      } else if (error instanceof ApiError) {
        sheet.error = error.message;
        report(error);
      }
    } finally {
      sending.delete(pollId);
      if (alive) draw();
    }
  }

  function record(poll, voter, choice) {
    castBallot(poll.id, { user_id: voter.user_id, choice }, { me, forUser: voter.user_id,
      stillWanted: () => alive && findPoll(votes, poll.id)?.status === "open" })
      .then((answer) => {
        drafts.delete(`manual.${poll.id}.${voter.user_id}`);
        putBallot(votes, poll.id, answer, { mine: voter.user_id === me, userId: voter.user_id });
        draw();
      })
      .catch(report);
  }

  const settled = (promise) => promise.then((poll) => {
    if (poll) putPoll(votes, poll);
    draw();
  }).catch(report);

  function position(item, chosen) {
    const done = chosen ? put(`/api/items/${item.id}/preposition`, { position: chosen })
      : del(`/api/items/${item.id}/preposition`);
    done.then((row) => {
      const old = votes.positions.get(item.id) || { item_id: item.id, agree: 0, object: 0, speak: 0 };
      votes.positions.set(item.id, { ...old, ...(row || {}), mine: chosen });
      draw();
      // Without the socket, the counts come from reading them again.
      if (!live.connected) {
        get(`/api/meetings/${meetingId}/prepositions`).then((answer) => {
          loadPositions(votes, answer);
          draw();
        }).catch(() => {});
      }
    }).catch(report);
  }

  function checkReceipt(poll, code) {
    get(`/api/polls/${poll.id}/receipts`).then(({ receipts }) => {
      const wanted = code.toUpperCase();
      notes.set(poll.id, wanted && receipts.includes(wanted)
        ? t("receipts.found", { code: wanted, n: receipts.length })
        : t("receipts.notFound", { code: wanted || "—", n: receipts.length }));
      draw();
    }).catch(report);
  }

  // -- drawing ---------------------------------------------------------------------------------------------

  // The live poll on the sheet: an open one not yet answered or just answered here, else one seen open that closed.
  function sheetPoll() {
    if (!roles.mayVote) return null;
    const shown = votes.polls.filter((p) => p.mode === "live" && !dismissed.has(p.id)
      && (p.status === "open" || (p.status === "closed" && seenOpen.has(p.id))));
    return shown.find((p) => p.status === "open") || shown[0] || null;
  }

  function drawSheet() {
    const poll = sheetPoll();
    if (!poll) {
      sheetSignature = "";
      sheetSlot.replaceChildren();
      return;
    }
    if (sheet.pollId !== poll.id) sheet = { pollId: poll.id, chosen: null, error: null, folded: roles.lead };
    const state = { ...sheet, sending: sending.has(poll.id), retries: sending.get(poll.id)?.retries || 0 };
    const item = items.get(poll.item_id);
    // Drawn again only when what it shows changed: a tap in progress is not lost to another member's ballot.
    const signature = JSON.stringify([poll.id, poll.status, poll.my_vote, poll.result, state, currentLanguage(),
      state.folded || poll.my_vote ? [poll.cast, poll.eligible] : null, item && item.title]);
    if (signature === sheetSignature) return;
    sheetSignature = signature;
    sheetSlot.replaceChildren(voteSheet(poll, item, state, {
      choose: (choice) => {
        sheet.chosen = choice;
        drawSheet();
      },
      confirm: () => {
        if (sheet.chosen) cast(poll, { choice: sheet.chosen });
      },
      dismiss: () => {
        dismissed.add(poll.id);
        drawSheet();
      },
      fold: () => {
        sheet.folded = true;
        drawSheet();
      },
      unfold: () => {
        sheet.folded = false;
        drawSheet();
      },
    }));
  }

  function drawBanners() {
    const waiting = roles.mayVote ? votes.polls.filter((p) => p.mode === "written" && p.status === "open" && !p.my_vote)
      : [];
    banners.replaceChildren(...waiting.map((poll) => h("div", { class: "written-banner", role: "status",
      "data-testid": "written-banner", dataset: { pollId: poll.id } },
    h("span", { text: t("written.banner", { question: poll.question,
      time: poll.deadline ? formatShortDateTime(poll.deadline) : "—" }) }),
    h("button", { type: "button", class: "primary", "data-testid": "written-banner-open", text: t("written.answer"),
      onclick: () => list.querySelector(`[data-poll-id="${poll.id}"]`)?.scrollIntoView({ block: "center" }) }))));
  }

  function drawList() {
    const status = meeting ? meeting.status : null;
    head.replaceChildren(h("h2", { text: t("polls.title") }),
      ...(roles.lead && POSITIONS_OPEN.has(status) ? [consentButton] : []));
    if (roles.lead && POSITIONS_OPEN.has(status) && form.node.parentNode !== card) card.insertBefore(form.node, list);
    if (!(roles.lead && POSITIONS_OPEN.has(status))) form.node.remove();
    if (failed) {
      list.replaceChildren(h("li", { class: "muted small", text: t("polls.unavailable") }));
      return;
    }
    if (!loaded) return;
    if (!votes.polls.length) {
      list.replaceChildren(h("li", { class: "muted", "data-testid": "polls-none", text: t("polls.none") }));
      return;
    }
    const ctx = { rules, items, lead: roles.lead, manage: roles.manage, mayVote: roles.mayVote, drafts, notes,
      on: {
        open: (poll) => settled(post(`/api/polls/${poll.id}/open`)),
        close: (poll) => settled(post(`/api/polls/${poll.id}/close`)),
        answer: (poll, choice, comment) => cast(poll, comment ? { choice, comment } : { choice })
          .then(() => drafts.delete(`written.${poll.id}`)),
        record,
        checkReceipt,
        showSheet: (poll) => {
          dismissed.delete(poll.id);
          sheet = { pollId: poll.id, chosen: null, error: null, folded: false };
          drawSheet();
        },
        redraw: () => draw(),
      } };
    list.replaceChildren(...votes.polls.map((poll) => pollCard(poll, ctx)));
  }

  function drawItems() {
    const showing = meeting && POSITIONS_OPEN.has(meeting.status);
    const ctx = { mayPosition: showing && roles.mayPosition, lead: showing && roles.lead,
      consent: new Set(votes.consent), members: votes.members,
      on: { position, startPoll: (item) => form.startOn(item) } };
    for (const [id, slot] of itemNodes) {
      const item = items.get(id);
      slot.replaceChildren(...[item ? prepositionBar(item, votes.positions.get(id), ctx) : null].filter(Boolean));
    }
  }

  function draw() {
    if (!alive) return;
    drawSheet();
    drawBanners();
    drawList();
    drawItems();
  }

  // -- the page's side -------------------------------------------------------------------------------------

  return {
    node,
    // The item's pre-positions, a node that stays the same over the page's redraws.
    itemNode(item) {
      let slot = itemNodes.get(item.id);
      if (!slot) {
        slot = h("div", { class: "item-votes", dataset: { itemVotes: item.id } });
        itemNodes.set(item.id, slot);
      }
      return slot;
    },
    // The meeting state the page holds: who the viewer is in it, the agenda, the status.
    update(state) {
      meeting = state.meeting;
      items = new Map(state.items.map((i) => [i.id, i]));
      const mine = state.participants.filter((p) => p.can_vote && (p.user_id === me || p.substitute_id === me));
      roles = {
        lead: Boolean(meeting.can_chair || meeting.can_manage),
        manage: Boolean(meeting.can_manage),
        mayVote: mine.length > 0,
        mayPosition: mine.some((p) => p.role !== "chair") && !meeting.can_manage,
      };
      form.setItems(state.items);
      draw();
    },
    // A meeting-channel event; true when it was about votes.
    hear(event) {
      const before = event.type === "poll.updated" ? findPoll(votes, event.data.poll.id) : null;
      if (!applyVoteEvent(votes, event, me)) return false;
      if (event.type === "poll.updated") {
        const poll = findPoll(votes, event.data.poll.id);
        if (poll.mode === "live" && poll.status === "open") seenOpen.add(poll.id);
        // The outcome is news for the chair too: the folded sheet opens on it.
        if (before && before.status === "open" && poll.status === "closed" && sheet.pollId === poll.id) {
          sheet.folded = false;
        }
        if (poll.status !== "open") forgetSettledBallots([poll]);
      }
      if (event.type === "poll.cast" && roles.lead) later(`poll.${event.data.poll_id}`, () => refreshPoll(event.data.poll_id));
      if (event.type === "preposition.updated" && roles.lead) {
        later("prepositions", () => get(`/api/meetings/${meetingId}/prepositions`).then((answer) => {
          loadPositions(votes, answer);
          draw();
        }));
      }
      draw();
      return true;
    },
    reload,
    stop() {
      alive = false;
      for (const timer of timers.values()) clearTimeout(timer);
    },
  };
}
