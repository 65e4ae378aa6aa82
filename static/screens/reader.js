// The tablet reader of a meeting's briefing pack (#/meetings/{id}/pack[/{documentId}/{page}]): one continuous
// reader across the agenda's documents, with the outline, thumbnails, zoom, large print, search, the copy for
// reading offline, and presenting: tablets that follow turn their page with the presenter's; and the member's
// annotations (ink, highlights, notes) over the page, kept on the tablet until the server has them.

import { ApiError, get } from "/static/api.js";
import { go, onLeave, report, session, toast } from "/static/app.js";
import { classificationBadge } from "/static/components/classification-badge.js";
import { h } from "/static/dom.js";
import { meetingFloor } from "/static/floor/meeting-floor.js";
import { t } from "/static/i18n.js";
import { live } from "/static/live.js";
import { voteCall } from "/static/votes/vote-call.js";
import { applyEvent } from "/static/meeting-state.js";
import { readerAnnotations } from "/static/reader/annotations.js";
import { readerConsole } from "/static/reader/console.js";
import { offlineCopy, registerWorker } from "/static/reader/offline-copy.js";
import { offlineMark } from "/static/reader/offline-mark.js";
import { outlinePanel } from "/static/reader/outline.js";
import { indexOf, packPages } from "/static/reader/pack.js";
import { clampZoom, pageView } from "/static/reader/page-view.js";
import { presenting } from "/static/reader/presenting.js";
import { searchBox, searchResults } from "/static/reader/search.js";
import { thumbnailPanel } from "/static/reader/thumbnails.js";
import { hearUser } from "/static/user-channel.js";

const ZOOM_STEPS = [1, 1.25, 1.5, 2, 3, 4];
const LARGE_PRINT_KEY = "ecabinet.largePrint";
// Who sees the strip of tablets: a newcomer among them makes every tablet say where it is.
const CONSOLE_ROLES = new Set(["chair", "secretary"]);
const PANELS = ["outline", "pages", "annotations", "search"];

// Without a network the reader still opens from the tablet's copy; the meeting's live state then waits.
const unlessOffline = (error) => {
  if (error instanceof ApiError) throw error;
  return null;
};

export async function showReader(view, meetingId, documentId = null, page = null) {
  const packPath = `/api/meetings/${meetingId}/pack`;
  const statePath = `/api/meetings/${meetingId}/state`;
  registerWorker();
  let [pack, state] = await Promise.all([get(packPath), get(statePath).catch(unlessOffline)]);
  let walk = packPages(pack);
  let index = (documentId && indexOf(walk, documentId, page)) ?? 0;
  let zoom = 1;
  let largePrint = localStorage.getItem(LARGE_PRINT_KEY) === "1";
  let boxes = null;
  let panelKind = "outline";
  let found = null;
  let left = false;
  const me = session.user.id;
  const copy = offlineCopy(meetingId);

  const at = () => walk.pages[index];
  const documentLabel = (id) => {
    const n = walk.documents.findIndex((doc) => doc.id === id);
    if (n < 0) return { short: "?", title: "" };
    return { short: t("reader.docShort", { n: n + 1 }), title: walk.documents[n].title };
  };

  // ---- the page -------------------------------------------------------------------------------------
  const pages = pageView({
    widths: () => pack.widths,
    fallbackWidth: () => copy.width,
    onTurn: (step) => turn(step),
    onZoom: (to) => setZoom(to),
  });

  // `how`: {user} when the reader moved by their own hand, {boxes} for a search hit, {zoom} from the presenter.
  const goTo = (to, how = {}) => {
    if (!walk.pages.length || to === null || to === undefined) return;
    index = Math.min(Math.max(0, to), walk.pages.length - 1);
    boxes = how.boxes || null;
    if (how.zoom) zoom = clampZoom(how.zoom);
    if (how.user) presenter.browsed();
    draw();
  };
  const turn = (step) => {
    if (index + step < 0 || index + step >= walk.pages.length) return;
    goTo(index + step, { user: true });
  };
  const open = (docId, pageNumber, how = { user: true }) => goTo(indexOf(walk, docId, pageNumber), how);
  // Zooming to read small print is not leaving the presenter: the next page they turn still comes.
  const setZoom = (to) => {
    zoom = clampZoom(to);
    draw();
  };
  const zoomStep = (direction) => {
    const next = direction > 0 ? ZOOM_STEPS.find((z) => z > zoom + 0.01)
      : [...ZOOM_STEPS].reverse().find((z) => z < zoom - 0.01);
    if (next) setZoom(next);
  };

  // ---- presenting and the chair's strip ------------------------------------------------------------
  const titleOf = (id) => walk.documents.find((doc) => doc.id === id)?.title;
  const meeting = state ? state.meeting : { id: meetingId, can_chair: false, can_manage: false };
  let notes = null;
  const presenter = presenting({
    meeting, me, presenter: state && state.presenter, titleOf,
    jump: (docId, pageNumber, presenterZoom) => open(docId, pageNumber, { zoom: presenterZoom }),
    refused: (message) => toast(message),
    changed: () => notes && notes.presentingChanged(),
  });
  // Annotations over the page, their tools and their panel.
  notes = readerAnnotations({
    meeting, me: session.user, presenter, toast,
    open: (docId, pageNumber) => open(docId, pageNumber),
    changed: () => {
      if (panelKind === "annotations") drawPanel();
    },
    showPanel: () => {
      panelKind = "annotations";
      draw();
    },
  });
  pages.sheet.append(notes.overlay);
  const strip = state && (meeting.can_chair || meeting.can_manage)
    ? readerConsole({ meetingId, participants: state.participants, me, documentLabel,
      refused: (message) => toast(message) })
    : null;
  if (strip && state.presenter) strip.presenter(state.presenter);
  // The floor: its banner and the speak button over the reader, the console folded beside the chair's strip.
  const floor = meetingFloor(meetingId, { me, report, folded: true });
  floor.update(state);

  // ---- the controls --------------------------------------------------------------------------------
  const prev = h("button", { type: "button", class: "page-turn", "data-testid": "reader-prev",
    "aria-label": t("viewer.prev"), text: `‹ ${t("viewer.prevShort")}`, onclick: () => turn(-1) });
  const next = h("button", { type: "button", class: "page-turn", "data-testid": "reader-next",
    "aria-label": t("viewer.next"), text: `${t("viewer.nextShort")} ›`, onclick: () => turn(1) });
  const pageInput = h("input", { type: "number", min: 1, class: "reader-page-input", "data-testid": "reader-page-input",
    inputmode: "numeric", "aria-label": t("reader.gotoLabel") });
  pageInput.addEventListener("change", () => {
    const wanted = Number(pageInput.value);
    if (Number.isInteger(wanted) && wanted >= 1) open(at().doc.id, wanted);
  });
  const position = h("span", { class: "page-number", "data-testid": "reader-position", "aria-live": "polite" });
  const overall = h("span", { class: "muted small", "data-testid": "reader-overall" });
  const zoomLevel = h("span", { class: "zoom-level", "data-testid": "zoom-level" });
  const largeToggle = h("button", { type: "button", "data-testid": "large-print", text: `Aa ${t("reader.largePrint")}`,
    onclick: () => {
      largePrint = !largePrint;
      localStorage.setItem(LARGE_PRINT_KEY, largePrint ? "1" : "0");
      draw();
    } });
  const search = searchBox(meetingId, {
    found: (answer) => {
      found = answer;
      panelKind = "search";
      draw();
    },
    failed: report,
  });
  const tabs = PANELS.map((kind) => h("button", { type: "button", class: "panel-tab",
    "data-testid": `panel-${kind}`, text: t(`reader.panel.${kind}`),
    onclick: () => {
      panelKind = panelKind === kind ? null : kind;
      draw();
    } }));
  const mark = offlineMark(copy, { start: () => copy.keep(pack, pages.width()),
    onlineOnly: pack.documents.filter((doc) => !doc.offline).length });

  const panel = h("aside", { class: "reader-panel", "data-testid": "reader-panel" });
  const docHead = h("div", { class: "reader-doc" });
  const empty = h("p", { class: "muted", "data-testid": "reader-empty", text: t("reader.empty") });
  const root = h("div", { class: "reader", "data-testid": "reader" },
    h("div", { class: "reader-head" },
      h("button", { type: "button", class: "secondary back", "data-testid": "reader-back",
        text: `← ${t("reader.back")}`, onclick: () => go(`#/meetings/${meetingId}`) }),
      h("div", { class: "page-title" },
        h("p", { class: "eyebrow", text: t("reader.title") }),
        h("h1", { "data-testid": "reader-title", text: pack.title })),
      mark.node),
    h("div", { class: "reader-tools" },
      h("div", { class: "tool-group" }, tabs),
      h("div", { class: "tool-group" }, prev,
        h("label", { class: "reader-goto" }, t("reader.page"), pageInput, position), next, overall),
      h("div", { class: "tool-group" },
        h("button", { type: "button", class: "icon", "data-testid": "zoom-out", "aria-label": t("reader.zoomOut"),
          text: "−", onclick: () => zoomStep(-1) }),
        zoomLevel,
        h("button", { type: "button", class: "icon", "data-testid": "zoom-in", "aria-label": t("reader.zoomIn"),
          text: "+", onclick: () => zoomStep(1) }),
        largeToggle),
      notes.tools,
      search.node),
    h("div", { class: "reader-live" }, presenter.node, strip ? strip.node : null, floor.console),
    h("div", { class: "reader-body" }, panel, h("div", { class: "reader-main" }, docHead, empty, pages.node)));

  const drawPanel = () => {
    panel.hidden = !panelKind || !walk.pages.length;
    tabs.forEach((tab, n) => tab.setAttribute("aria-pressed", String(PANELS[n] === panelKind)));
    tabs[PANELS.indexOf("search")].hidden = !found;
    if (panel.hidden) return;
    if (panelKind === "outline") panel.replaceChildren(outlinePanel(pack, walk, at(), open));
    else if (panelKind === "pages") panel.replaceChildren(thumbnailPanel(at(), open));
    else if (panelKind === "annotations") panel.replaceChildren(notes.panel());
    else if (found) {
      panel.replaceChildren(searchResults(found, (docId, pageNumber, hitBoxes) => {
        if (indexOf(walk, docId, pageNumber) === null) {
          toast(t("search.notInPack"));
          return;
        }
        largePrint = false;
        open(docId, pageNumber, { user: true, boxes: hitBoxes });
      }));
    }
  };

  const draw = () => {
    empty.hidden = walk.pages.length > 0;
    pages.node.hidden = !walk.pages.length;
    drawPanel();
    if (!walk.pages.length) {
      docHead.replaceChildren();
      return;
    }
    const { doc, page: pageNumber } = at();
    const item = walk.item.get(doc.item_id);
    docHead.replaceChildren(...[
      h("p", { class: "reader-item muted small" }, item ? `${item.item_number}. ${item.title}` : ""),
      h("div", { class: "reader-doc-line" },
        h("h2", { "data-testid": "reader-doc-title", text: doc.title }),
        h("span", { class: "muted small", text: t("reader.docOf", { n: walk.documents.indexOf(doc) + 1,
          total: walk.documents.length }) }),
        classificationBadge(doc.classification)),
      doc.watermarked ? h("p", { class: "watermark-notice", text: t("viewer.watermarked") }) : null].filter(Boolean));
    pageInput.value = pageNumber;
    pageInput.max = doc.pages;
    position.textContent = `${pageNumber} / ${doc.pages}`;
    overall.textContent = t("reader.overall", { n: index + 1, total: walk.pages.length });
    prev.disabled = index === 0;
    next.disabled = index === walk.pages.length - 1;
    zoomLevel.textContent = `${Math.round(zoom * 100)}%`;
    largeToggle.setAttribute("aria-pressed", String(largePrint));
    pages.show({ doc, page: pageNumber, zoom, largePrint, boxes });
    notes.tools.hidden = largePrint;
    notes.show(doc, pageNumber);
    presenter.shown(doc.id, pageNumber, zoom);
    // The address names the page, so that a reload (or a tablet back online) opens where the reader was.
    // Written after this task: replaceState costs milliseconds, and the page's image request starts only once
    // the task that set its src has ended.
    const address = `#/meetings/${meetingId}/pack/${doc.id}/${pageNumber}`;
    setTimeout(() => {
      if (location.hash.startsWith(`#/meetings/${meetingId}/pack`)) history.replaceState(null, "", address);
    }, 0);
  };

  // ---- keys ----------------------------------------------------------------------------------------
  const keys = (event) => {
    if (event.target.closest && event.target.closest("input, select, textarea")) return;
    if (event.key === "ArrowRight" || event.key === "PageDown") turn(1);
    else if (event.key === "ArrowLeft" || event.key === "PageUp") turn(-1);
    else if (event.key === "+" || event.key === "=") zoomStep(1);
    else if (event.key === "-") zoomStep(-1);
    else return;
    event.preventDefault();
  };
  document.addEventListener("keydown", keys);

  // ---- the pack changing, the room ----------------------------------------------------------------
  // A new or replaced paper: the reader shows the pack's current documents, and the offline copy follows it.
  const reloadPack = async () => {
    let fresh;
    try {
      fresh = await get(packPath);
    } catch (error) {
      report(error);
      return;
    }
    if (left || fresh.version === pack.version) return;
    const was = at();
    pack = fresh;
    walk = packPages(pack);
    index = (was && indexOf(walk, was.doc.id, was.page)) ?? Math.min(index, Math.max(0, walk.pages.length - 1));
    draw();
    if (copy.wanted) copy.keep(pack, pages.width());
  };
  const heardPresenter = () => {
    presenter.heard(state.presenter);
    if (strip) strip.presenter(state.presenter);
  };
  let online = new Set();
  const call = voteCall(meetingId, me);
  const stopFollowing = live.follow(`meeting:${meetingId}`, {
    since: state ? state.seq : null,
    epoch: state ? state.epoch : null,
    onEvent: (event) => {
      if (event.type.startsWith("annotation")) {
        notes.heard(event);
        return;
      }
      if (event.type.startsWith("poll.")) call.heard(event);
      if (event.type.startsWith("document.")) reloadPack();
      if (floor.hear(event)) return;
      if (!state || !applyEvent(state, event)) return;
      floor.update(state);
      if (event.type.startsWith("presenter.")) heardPresenter();
    },
    onVolatile: (message) => {
      if (message.type === "presenter.ink" || message.type === "presenter.pointer") notes.heardVolatile(message);
      if (message.type !== "presence") return;
      const now = new Set(message.data.online);
      if (strip) strip.online(now);
      // The chair (or secretary) has just opened the meeting: tell their strip where this tablet is.
      const arrived = state && state.participants.some((p) => CONSOLE_ROLES.has(p.role) && p.user_id !== me
        && now.has(p.user_id) && !online.has(p.user_id));
      online = now;
      if (arrived) presenter.announce();
    },
    onReset: async () => {
      state = await get(statePath);
      floor.update(state);
      floor.reload().catch(() => {});
      heardPresenter();
      reloadPack();
      return { since: state.seq, epoch: state.epoch };
    },
  });
  const stopHearing = hearUser((message) => {
    if (message.type.startsWith("annotation")) notes.heard(message);
    if (message.type !== "reader.position" || !strip) return;
    if (message.data.meeting_id === undefined || message.data.meeting_id === meetingId) strip.position(message.data);
  });
  onLeave(() => {
    left = true;
    document.removeEventListener("keydown", keys);
    stopFollowing();
    stopHearing();
    mark.stop();
    presenter.stop();
    notes.stop();
    floor.stop();
  });

  // Opened without a network: once it is back, open the screen again with the meeting's live state.
  if (!state) {
    const again = () => go(location.hash);
    window.addEventListener("online", again, { once: true });
    onLeave(() => window.removeEventListener("online", again));
  }

  view.append(call.element, floor.bar, root);
  draw();
  // Following the presenter from the start: a tablet opened (or back) mid-meeting lands on the presented page.
  if (state && state.presenter && state.presenter.document_id) heardPresenter();
  if (state) floor.reload().catch(() => {});
  // A tablet that downloaded the pack before keeps its copy current each time the reader opens.
  if (copy.wanted && navigator.onLine) copy.keep(pack, pages.width());
}
