// One page of the reader: the server's image of it at the frame's width (a sharper one once zoomed in), a
// search hit drawn over it, swipe and pinch; or, in large print, the page's own text reflowed at a size older
// members read comfortably.

import { get } from "/static/api.js";
import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";
import { bucket, imageUrl, textUrl } from "/static/reader/pack.js";

export const ZOOM_MIN = 1;
export const ZOOM_MAX = 4;
const SWIPE_PX = 60;

export function clampZoom(zoom) {
  return Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, Math.round(zoom * 100) / 100));
}

// `onTurn(step)`: a swipe; `onZoom(zoom)`: a pinch ended. `widths()`: the pack's widths; `fallbackWidth()`:
// the width of the offline copy, tried when an image at another width cannot be had.
export function pageView({ onTurn, onZoom, widths, fallbackWidth }) {
  const image = h("img", { class: "reader-image", "data-testid": "reader-image", alt: "", draggable: "false" });
  const hits = h("div", { class: "reader-hits", "aria-hidden": "true" });
  const sheet = h("div", { class: "reader-sheet", "data-testid": "reader-sheet" }, image, hits);
  const text = h("article", { class: "reader-text", "data-testid": "reader-text", hidden: true });
  const notice = h("p", { class: "viewer-notice", role: "status", "data-testid": "reader-notice", hidden: true });
  const frame = h("div", { class: "reader-frame", "data-testid": "reader-frame" }, sheet, text);
  let shown = null;
  let tries = [];

  const say = (message) => {
    notice.textContent = message;
    notice.hidden = !message;
  };

  // The frame's width in device pixels: what the server should draw at zoom 1 (before the frame is laid out,
  // most of the window).
  const frameWidth = () => (frame.clientWidth || window.innerWidth * 0.7) * (window.devicePixelRatio || 1);

  const loadImage = () => {
    const { doc, page, zoom } = shown;
    const base = bucket(widths(), frameWidth());
    const sharp = bucket(widths(), frameWidth() * zoom);
    // The width the tablet is most likely to hold first, so a page shows at once offline; the sharper one after.
    tries = [...new Set([base, fallbackWidth(), sharp].filter(Boolean))].map((w) => imageUrl(doc, page, w));
    const wanted = imageUrl(doc, page, sharp);
    image.dataset.sharp = wanted;
    if (image.getAttribute("src") !== wanted) image.src = tries.shift();
  };

  image.addEventListener("load", () => {
    say("");
    image.hidden = false;
    const sharp = image.dataset.sharp;
    if (!sharp || image.getAttribute("src") === sharp) return;
    // Zoomed in: fetch the sharper drawing aside and swap it in only once it has arrived.
    const better = new Image();
    better.onload = () => {
      if (image.dataset.sharp === sharp) image.src = sharp;
    };
    better.src = sharp;
  });
  image.addEventListener("error", () => {
    const next = tries.shift();
    if (next) {
      image.src = next;
      return;
    }
    image.hidden = true;
    say(shown && !shown.doc.offline && !navigator.onLine ? t("reader.notOffline") : t("reader.pageMissing"));
  });

  const drawHits = (doc, page, boxes) => {
    const size = doc.page_sizes && doc.page_sizes[page - 1];
    hits.replaceChildren();
    if (!boxes || !size) return;
    // Points on the page as shown → a share of the image, which holds whatever its pixel size.
    const [width, height] = size;
    for (const [x0, y0, x1, y1] of boxes) {
      const hit = h("span", { class: "reader-hit", "data-testid": "reader-hit" });
      // Through the style object: the CSP refuses style attributes.
      Object.assign(hit.style, { left: `${(100 * x0) / width}%`, top: `${(100 * y0) / height}%`,
        width: `${(100 * (x1 - x0)) / width}%`, height: `${(100 * (y1 - y0)) / height}%` });
      hits.append(hit);
    }
  };

  const drawText = async (doc, page) => {
    text.replaceChildren(h("p", { class: "muted", text: t("reader.textLoading") }));
    let body;
    try {
      body = await get(textUrl(doc, page));
    } catch {
      if (shown && shown.doc === doc && shown.page === page) {
        text.replaceChildren(h("p", { class: "muted", text: t("reader.textMissing") }));
      }
      return;
    }
    if (!shown || shown.doc !== doc || shown.page !== page) return;
    const paragraphs = reflow(body.text || "");
    text.replaceChildren(...(paragraphs.length ? paragraphs.map((p) => h("p", { text: p }))
      : [h("p", { class: "muted", "data-testid": "reader-no-text", text: t("reader.noText") })]));
  };

  const applyZoom = (zoom) => {
    sheet.style.width = `${zoom * 100}%`;
    text.style.fontSize = `${1.5 * zoom}rem`;
  };

  // {doc, page, zoom, largePrint, boxes}: what to show now.
  const show = (next) => {
    const before = shown;
    shown = next;
    const { doc, page, zoom, largePrint, boxes } = next;
    const size = doc.page_sizes && doc.page_sizes[page - 1];
    if (size) sheet.style.aspectRatio = `${size[0]} / ${size[1]}`;
    applyZoom(zoom);
    sheet.hidden = largePrint;
    text.hidden = !largePrint;
    image.alt = t("viewer.pageAlt", { page, pages: doc.pages, title: doc.title });
    drawHits(doc, page, boxes);
    if (largePrint) {
      say("");
      if (!before || before.doc !== doc || before.page !== page || !before.largePrint) drawText(doc, page);
    } else {
      loadImage();
    }
    const turned = !before || before.doc !== doc || before.page !== page;
    if (turned) frame.scrollTo(0, 0);
    const hit = hits.firstElementChild;
    if (hit) requestAnimationFrame(() => hit.scrollIntoView({ block: "center", inline: "center" }));
    else if (turned) window.scrollTo(0, 0);
  };

  // A new frame width (the tablet turned, the side panel closed): the drawing that fits it.
  new ResizeObserver(() => {
    if (shown && !shown.largePrint) loadImage();
  }).observe(frame);

  // Pointers on the page: one finger (or the mouse) swipes to turn a page at zoom 1; two fingers pinch.
  const pointers = new Map();
  let pinch = null;
  let swipe = null;
  const spread = () => {
    const [a, b] = [...pointers.values()];
    return Math.hypot(a.x - b.x, a.y - b.y) || 1;
  };
  frame.addEventListener("pointerdown", (event) => {
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (pointers.size === 2 && shown) {
      pinch = { spread: spread(), zoom: shown.zoom, now: shown.zoom };
      swipe = null;
    } else if (pointers.size === 1) {
      swipe = { x: event.clientX, y: event.clientY };
    }
  });
  frame.addEventListener("pointermove", (event) => {
    if (!pointers.has(event.pointerId)) return;
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (pinch && pointers.size === 2) {
      pinch.now = clampZoom((pinch.zoom * spread()) / pinch.spread);
      applyZoom(pinch.now);
    }
  });
  const lift = (event) => {
    if (!pointers.delete(event.pointerId)) return;
    if (pinch) {
      if (pointers.size < 2) {
        const zoom = pinch.now;
        pinch = null;
        onZoom(zoom);
      }
      return;
    }
    if (swipe && pointers.size === 0 && shown && shown.zoom === 1) {
      const dx = event.clientX - swipe.x;
      const dy = event.clientY - swipe.y;
      if (Math.abs(dx) >= SWIPE_PX && Math.abs(dx) > 2 * Math.abs(dy)) onTurn(dx < 0 ? 1 : -1);
    }
    swipe = null;
  };
  frame.addEventListener("pointerup", lift);
  frame.addEventListener("pointercancel", (event) => {
    swipe = null;
    lift(event);
  });

  // `width()`: the drawing width that fits the frame at zoom 1 (the width an offline copy keeps).
  // `sheet`: the page as drawn, for what is laid over it (annotations).
  return { node: h("div", { class: "reader-page" }, notice, frame), sheet, show,
    width: () => bucket(widths(), frameWidth()) };
}

// The page's lines joined into paragraphs: a line that ends a sentence (or a short heading line) ends one.
export function reflow(text) {
  const paragraphs = [];
  let current = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) {
      if (current.length) paragraphs.push(current.join(" "));
      current = [];
      continue;
    }
    current.push(line);
    if (/[.:;!?…]$/.test(line) || line.length < 40) {
      paragraphs.push(current.join(" "));
      current = [];
    }
  }
  if (current.length) paragraphs.push(current.join(" "));
  return paragraphs;
}
