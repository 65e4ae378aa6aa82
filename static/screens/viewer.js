// Reading a document page by page: page images drawn by the server for this screen's width, previous and next
// (buttons, arrow keys, a swipe), the outline, the versions, and the download when the classification allows it.
// Restricted and secret pages come watermarked with the reader's name; the screen says so.

import { ApiError, get } from "/static/api.js";
import { goBack, onLeave, report } from "/static/app.js";
import { classificationBadge } from "/static/components/classification-badge.js";
import { documentState, rejectionText } from "/static/components/document-list.js";
import { clear, h } from "/static/dom.js";
import { t } from "/static/i18n.js";
import { originalLink, signatureBadge } from "/static/record/signature-badge.js";

const RETRY_MS = 1000;
const SWIPE_PX = 60;

// The server draws pages in width buckets; asking for the screen's real pixels lets it pick the right one.
function imageWidth() {
  return Math.max(1, Math.round(window.innerWidth * (window.devicePixelRatio || 1)));
}

function pageUrl(doc, page, attempt) {
  const base = doc.image_url ? doc.image_url.replace("{page}", page) : `/api/documents/${doc.id}/pages/${page}.jpg`;
  const url = `${base}${base.includes("?") ? "&" : "?"}width=${imageWidth()}`;
  // A new attempt after "still processing" must not be served the failed answer again.
  return attempt ? `${url}&attempt=${attempt}` : url;
}

export async function showViewer(view, documentId) {
  let doc = await get(`/api/documents/${documentId}`);
  let page = 1;
  let attempt = 0;
  let retry = null;
  let left = false;
  onLeave(() => {
    left = true;
    clearTimeout(retry);
  });

  const image = h("img", { class: "page-image", "data-testid": "doc-page-image", alt: "", hidden: true });
  const notice = h("p", { class: "viewer-notice", role: "status", "data-testid": "doc-notice", hidden: true });
  const number = h("span", { class: "page-number", "data-testid": "doc-page-number", "aria-live": "polite" });
  const prev = h("button", { type: "button", class: "page-turn", "data-testid": "doc-prev",
    "aria-label": t("viewer.prev"), text: `‹ ${t("viewer.prevShort")}`, onclick: () => turn(-1) });
  const next = h("button", { type: "button", class: "page-turn", "data-testid": "doc-next",
    "aria-label": t("viewer.next"), text: `${t("viewer.nextShort")} ›`, onclick: () => turn(1) });
  const head = h("div", { class: "viewer-head" });
  const side = h("div", { class: "viewer-side" });

  const say = (text) => {
    notice.textContent = text;
    notice.hidden = !text;
  };
  const later = (then) => {
    if (left) return;
    clearTimeout(retry);
    retry = setTimeout(then, RETRY_MS);
  };
  // The file is still being checked (no pages yet) or its page is not drawn yet: ask again in a second.
  const reload = async () => {
    try {
      doc = await get(`/api/documents/${documentId}`);
    } catch (error) {
      report(error);
      return;
    }
    attempt += 1;
    drawFrame();
    showPage();
  };

  const showPage = () => {
    if (doc.state === "rejected") {
      image.hidden = true;
      say(t("document.rejected", { reason: rejectionText(doc) }));
      return;
    }
    if (!doc.pages) {
      image.hidden = true;
      say(t("viewer.processing"));
      later(reload);
      return;
    }
    page = Math.min(Math.max(1, page), doc.pages);
    number.textContent = `${page} / ${doc.pages}`;
    prev.disabled = page <= 1;
    next.disabled = page >= doc.pages;
    const size = doc.page_sizes && doc.page_sizes[page - 1];
    // The page's own proportions, so the screen does not jump when the image arrives.
    if (size) {
      image.width = Math.round(size[0]);
      image.height = Math.round(size[1]);
    }
    image.alt = t("viewer.pageAlt", { page, pages: doc.pages, title: doc.title });
    image.src = pageUrl(doc, page, attempt);
  };

  image.addEventListener("load", () => {
    image.hidden = false;
    say("");
    // The next page, fetched while this one is read (the server also draws ahead).
    if (page < doc.pages) new Image().src = pageUrl(doc, page + 1, 0);
  });
  image.addEventListener("error", async () => {
    // An <img> does not say why it failed: ask once more with fetch to tell "still processing" from a refusal.
    const failed = image.src;
    let answer = null;
    try {
      const response = await fetch(failed, { credentials: "same-origin", headers: { Accept: "application/json" } });
      answer = { status: response.status, body: await response.json().catch(() => null) };
    } catch {
      answer = null;
    }
    if (image.src !== failed || left) return;
    if (answer === null) {
      say(t("error.network"));
      later(reload);
    } else if (answer.status === 409 && answer.body && answer.body.error === "not_ready") {
      say(t("viewer.processing"));
      later(reload);
    } else if (answer.status >= 400) {
      image.hidden = true;
      const error = new ApiError(answer.body, answer.status);
      say(error.message);
      report(error);
    } else {
      later(reload); // it works now: a passing failure
    }
  });

  const turn = (step) => {
    if (!doc.pages) return;
    const to = Math.min(Math.max(1, page + step), doc.pages);
    if (to === page) return;
    page = to;
    showPage();
    window.scrollTo(0, 0);
  };
  const keys = (event) => {
    if (event.target.closest && event.target.closest("input, select, textarea")) return;
    if (event.key === "ArrowRight" || event.key === "PageDown") turn(1);
    else if (event.key === "ArrowLeft" || event.key === "PageUp") turn(-1);
    else return;
    event.preventDefault();
  };
  document.addEventListener("keydown", keys);
  onLeave(() => document.removeEventListener("keydown", keys));
  // A swipe across the page turns it, as on paper.
  let startX = null;
  image.addEventListener("pointerdown", (event) => {
    startX = event.clientX;
  });
  image.addEventListener("pointerup", (event) => {
    if (startX === null) return;
    const moved = event.clientX - startX;
    startX = null;
    if (Math.abs(moved) >= SWIPE_PX) turn(moved < 0 ? 1 : -1);
  });
  image.addEventListener("dragstart", (event) => event.preventDefault());

  const drawFrame = () => {
    clear(head).append(
      h("button", { type: "button", class: "secondary back", "data-testid": "doc-back", text: `← ${t("viewer.back")}`,
        // Opened from a link elsewhere: a paper not yet accepted belongs on its department's page, not the meeting's.
        onclick: () => goBack(doc.published ? `#/meetings/${doc.meeting_id}` : "#/submissions") }),
      h("div", { class: "page-title" },
        h("h1", { "data-testid": "doc-title", text: doc.title }),
        h("p", { class: "meeting-facts" },
          h("span", { text: t("document.version", { n: doc.version }) }),
          doc.pages ? h("span", { text: t("document.pages", { n: doc.pages }) }) : null,
          doc.state !== "ready" ? documentState(doc) : null)),
      h("div", { class: "head-actions" },
        classificationBadge(doc.classification),
        signatureBadge(doc),
        doc.may_download && doc.state === "ready" ? h("a", { class: "button", href: `/api/documents/${doc.id}/file`,
          download: doc.filename || `${doc.title}.pdf`, "data-testid": "doc-download", text: t("viewer.download") })
          : null,
        originalLink(doc)));
    const outline = doc.outline && doc.outline.length ? outlineSelect(doc.outline, (to) => {
      page = to;
      showPage();
    }) : null;
    const parts = [
      doc.watermarked ? h("p", { class: "watermark-notice", "data-testid": "doc-watermark",
        text: t("viewer.watermarked") }) : null,
      h("p", { class: "muted small class-rules", "data-testid": "doc-rules",
        text: t(`classification.${doc.classification}.rules`) }),
      outline, versionLinks(doc)];
    clear(side).append(...parts.filter(Boolean));
  };

  drawFrame();
  clear(view).append(
    h("div", { class: "viewer", "data-testid": "doc-viewer" },
      head,
      side,
      h("div", { class: "viewer-bar" }, prev, number, next),
      notice,
      h("div", { class: "page-frame" }, image)));
  showPage();
}

// The paper's other versions (the secretariat's replacements), each one tap away.
function versionLinks(doc) {
  if (!doc.versions || doc.versions.length < 2) return null;
  return h("nav", { class: "versions", "aria-label": t("viewer.versions") },
    h("span", { class: "muted small", text: t("viewer.versions") }),
    doc.versions.map((v) => (v.id === doc.id
      ? h("span", { class: "button current", "aria-current": "page", text: v.version })
      : h("a", { class: "button", href: `#/documents/${v.id}`, title: t("document.version", { n: v.version }),
        text: v.version }))));
}

function outlineSelect(outline, jump) {
  const select = h("select", { "data-testid": "doc-outline", "aria-label": t("viewer.outline") },
    h("option", { value: "", text: t("viewer.outline") }),
    outline.map((entry) => h("option", { value: entry.page,
      text: `${"  ".repeat(Math.max(0, entry.level - 1))}${entry.title} · ${entry.page}` })));
  select.addEventListener("change", () => {
    if (select.value) jump(Number(select.value));
    select.value = "";
  });
  return select;
}
