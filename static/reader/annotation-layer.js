// The annotations drawn over the reader's page: an SVG whose viewBox is the page in PDF points, so that ink,
// highlights and notes stay on their words at every zoom. With a drawing tool chosen it takes the pointer (no
// page swipe under the pen) and turns gestures into what the reader saves; otherwise only notes and highlights
// answer a tap. It also shows the presenter's stroke being drawn and their pointer on following tablets.

import { t } from "/static/i18n.js";
import { highlightOf, inkPieces, pagePoint, rectOf, smoothPath, wordAt } from "/static/reader/ink.js";

const SVG = "http://www.w3.org/2000/svg";
const PEN_WIDTH_PT = 1.8;
const TAP_PX = 10; // a finger moving less than this is a tap
const ERASE_SLACK_PX = 14;
// A stroke's end is read again from the finger's recent positions: the browser coalesces moves between frames.
const MIN_STEP_PT = 0.3;

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.setAttribute("class", value);
    else if (key === "text") el.textContent = value;
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) if (child) el.append(child);
  return el;
}

export const DRAWING_TOOLS = new Set(["pen", "highlight", "note", "eraser", "pointer"]);

// `on`: {stroke(points), strokeMoved(points), highlight({geometry, anchor}), note(x, y), erase(x, y, slackPt),
// point([x, y] | null), select(uuid)}; `words()`: {text, words} of the page shown, or null while unknown;
// `color()`: the colour of the tool in hand. A tap with the note tool on a note already there opens it (the
// reader decides, as it knows where notes are).
export function annotationLayer({ on, words, color }) {
  const drawn = svg("g", { class: "annotations-drawn" });
  const preview = svg("g", { class: "annotations-preview" });
  const working = svg("g", { class: "annotations-working" });
  const dot = svg("circle", { class: "presenter-pointer", r: 7, cx: -100, cy: -100,
    "data-testid": "presenter-pointer" });
  dot.setAttribute("visibility", "hidden");
  const root = svg("svg", { class: "annotation-layer", "data-testid": "annotation-layer",
    preserveAspectRatio: "none", "aria-label": t("annotate.layer") }, drawn, preview, working, dot);
  let size = [595, 842];
  let tool = "read";
  let gesture = null;
  const strokes = new Map(); // presenter's strokes being drawn: stroke id → {points, path, timer}

  const toPage = (event) => {
    const box = root.getBoundingClientRect();
    const x = ((event.clientX - box.left) / (box.width || 1)) * size[0];
    const y = ((event.clientY - box.top) / (box.height || 1)) * size[1];
    const pressure = event.pointerType === "pen" ? (event.pressure || 0.5) : null;
    return pagePoint(x, y, pressure, size[0], size[1]);
  };
  const pxToPt = (px) => (px * size[0]) / (root.getBoundingClientRect().width || 1);

  const drawWorking = (...nodes) => working.replaceChildren(...nodes);
  const highlightNodes = (found, fill) => (found ? found.geometry.rects.map(([x0, y0, x1, y1]) => svg("rect", {
    class: "highlight-rect", x: x0, y: y0, width: x1 - x0, height: y1 - y0, fill })) : []);

  const start = (event) => {
    // A stylus coming down while a hand rests on the screen: the pen is what the member writes with.
    if (gesture && event.pointerType === "pen" && gesture.pointerType === "touch") {
      gesture = null;
      drawWorking();
    }
    if (tool === "read" || gesture) return;
    if (event.pointerType === "mouse" && event.button !== 0) return;
    // The page under the pen does not turn or scroll.
    event.stopPropagation();
    event.preventDefault();
    try {
      root.setPointerCapture(event.pointerId);
    } catch {
      // a pointer the browser no longer tracks (lifted already): the gesture ends with it
    }
    const at = toPage(event);
    gesture = { id: event.pointerId, pointerType: event.pointerType, tool, points: [at],
      from: [event.clientX, event.clientY], moved: 0 };
    if (tool === "pen") {
      gesture.line = svg("polyline", { class: "ink-working", fill: "none", stroke: color(),
        "stroke-width": PEN_WIDTH_PT, "stroke-linecap": "round", "stroke-linejoin": "round" });
      gesture.line.setAttribute("points", `${at[0]},${at[1]}`);
      drawWorking(gesture.line);
      on.strokeMoved(gesture.points);
    } else if (tool === "highlight") {
      const page = words();
      gesture.page = page && page.words.length ? page : null;
      gesture.first = gesture.page ? wordAt(page.words, at[0], at[1]) : -1;
      gesture.last = gesture.first;
      move(event);
    } else if (tool === "eraser") {
      on.erase(at[0], at[1], pxToPt(ERASE_SLACK_PX));
    } else if (tool === "pointer") {
      on.point(at.slice(0, 2));
    }
  };

  const move = (event) => {
    if (!gesture || event.pointerId !== gesture.id) return;
    event.preventDefault();
    const travelled = Math.hypot(event.clientX - gesture.from[0], event.clientY - gesture.from[1]);
    gesture.moved = Math.max(gesture.moved, travelled);
    const samples = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    const moves = (samples.length ? samples : [event]).map(toPage);
    const at = moves[moves.length - 1];
    if (gesture.tool === "pen") {
      for (const point of moves) {
        const last = gesture.points[gesture.points.length - 1];
        if (Math.hypot(point[0] - last[0], point[1] - last[1]) < MIN_STEP_PT) continue;
        gesture.points.push(point);
      }
      gesture.line.setAttribute("points", gesture.points.map((p) => `${p[0]},${p[1]}`).join(" "));
      on.strokeMoved(gesture.points);
    } else if (gesture.tool === "highlight") {
      let found = null;
      if (gesture.page && gesture.first >= 0) {
        const near = wordAt(gesture.page.words, at[0], at[1]);
        if (near >= 0) gesture.last = near;
        found = highlightOf(gesture.page.text, gesture.page.words, gesture.first, gesture.last);
      } else {
        found = rectOf(gesture.points[0], at);
      }
      gesture.found = found;
      drawWorking(...highlightNodes(found, color()));
    } else if (gesture.tool === "eraser") {
      for (const point of moves) on.erase(point[0], point[1], pxToPt(ERASE_SLACK_PX));
    } else if (gesture.tool === "pointer") {
      on.point(at.slice(0, 2));
    }
  };

  const end = (event, cancelled = false) => {
    if (!gesture || event.pointerId !== gesture.id) return;
    const done = gesture;
    gesture = null;
    drawWorking();
    if (done.tool === "pointer") on.point(null);
    if (cancelled) return;
    if (done.tool === "pen") on.stroke(done.points);
    else if (done.tool === "highlight" && done.found) on.highlight(done.found);
    else if (done.tool === "note" && done.moved < TAP_PX) on.note(done.points[0][0], done.points[0][1]);
  };

  root.addEventListener("pointerdown", start);
  root.addEventListener("pointermove", move);
  root.addEventListener("pointerup", (event) => end(event));
  root.addEventListener("pointercancel", (event) => end(event, true));
  // Reading: a tap (not a swipe) on a note or a highlight opens it.
  let down = null;
  root.addEventListener("pointerdown", (event) => {
    if (tool === "read") down = [event.clientX, event.clientY];
  }, { capture: true });
  root.addEventListener("click", (event) => {
    if (tool !== "read") return;
    const hit = event.target.closest && event.target.closest(".annotation");
    if (!hit || (down && Math.hypot(event.clientX - down[0], event.clientY - down[1]) >= TAP_PX)) return;
    on.select(hit.dataset.uuid);
  });

  const annotationNode = (annotation, { mine, selected }) => {
    const { kind, geometry, uuid } = annotation;
    const fill = annotation.color || (kind === "ink" ? "#1565c0" : "#f2c200");
    const title = mine ? null : svg("title", { text: t("annotate.by", { name: annotation.author_name || "" }) });
    const cls = `annotation ${kind}${mine ? " mine" : " theirs"}${selected ? " selected" : ""}`
      + `${annotation.pending ? " pending" : ""}`;
    const attrs = { class: cls, "data-uuid": uuid, "data-testid": `annotation-${kind}`,
      "data-author": annotation.author_name || "" };
    if (kind === "ink") {
      return svg("g", attrs, title, inkPieces(geometry.points || [], PEN_WIDTH_PT).map((piece) => svg("path", {
        d: piece.d, fill: "none", stroke: fill, "stroke-width": piece.width, "stroke-linecap": "round",
        "stroke-linejoin": "round" })));
    }
    if (kind === "highlight") {
      return svg("g", attrs, title, highlightNodes({ geometry: { rects: geometry.rects || [geometry.rect] } }, fill));
    }
    const [x0, y0, x1, y1] = geometry.rect;
    const w = x1 - x0;
    return svg("g", attrs, title,
      svg("rect", { class: "note-icon", x: x0, y: y0, width: w, height: y1 - y0, rx: 3, fill }),
      [0.3, 0.5, 0.7].map((at) => svg("line", { class: "note-line", x1: x0 + w * 0.22, x2: x0 + w * 0.78,
        y1: y0 + (y1 - y0) * at, y2: y0 + (y1 - y0) * at })));
  };

  return {
    node: root,
    // The page shown: its size in points, and the annotations to draw on it (`mine(annotation)`).
    draw(pageSize, annotations, { mine, selected = null }) {
      if (pageSize[0] !== size[0] || pageSize[1] !== size[1]) {
        size = pageSize;
        root.setAttribute("viewBox", `0 0 ${size[0]} ${size[1]}`);
      }
      if (!root.getAttribute("viewBox")) root.setAttribute("viewBox", `0 0 ${size[0]} ${size[1]}`);
      // Highlights under ink, notes on top, so that a note is always there to tap.
      const order = { highlight: 0, ink: 1, note: 2 };
      const sorted = [...annotations].sort((a, b) => order[a.kind] - order[b.kind]);
      drawn.replaceChildren(...sorted.map((a) => annotationNode(a, { mine: mine(a), selected: a.uuid === selected })));
    },
    setTool(next) {
      tool = next;
      gesture = null;
      drawWorking();
      root.classList.toggle("drawing", DRAWING_TOOLS.has(tool));
      root.dataset.tool = tool;
    },
    // The page's words are known (a highlight can snap to them).
    wordsReady(count) {
      if (count === null) delete root.dataset.words;
      else root.dataset.words = String(count);
    },
    // The presenter's stroke being drawn (another tablet's): more points, or its end.
    previewInk(stroke, points, finished) {
      let shown = strokes.get(stroke);
      if (!shown) {
        shown = { points: [], path: svg("path", { class: "ink-preview", fill: "none", "data-testid": "presenter-ink",
          "stroke-width": PEN_WIDTH_PT, "stroke-linecap": "round", "stroke-linejoin": "round" }) };
        strokes.set(stroke, shown);
        preview.append(shown.path);
      }
      shown.points.push(...points);
      shown.path.setAttribute("d", smoothPath(shown.points));
      clearTimeout(shown.timer);
      // The saved annotation's event replaces the preview; should it not come (the presenter went offline), the
      // preview goes by itself.
      shown.timer = setTimeout(() => this.dropPreview(stroke), finished ? 4000 : 8000);
    },
    dropPreview(stroke) {
      const shown = strokes.get(stroke);
      if (!shown) return;
      clearTimeout(shown.timer);
      shown.path.remove();
      strokes.delete(stroke);
    },
    clearPreviews() {
      for (const stroke of [...strokes.keys()]) this.dropPreview(stroke);
      this.pointer(null);
    },
    pointer(point) {
      clearTimeout(dot.timer);
      if (!point) {
        dot.setAttribute("visibility", "hidden");
        return;
      }
      dot.setAttribute("cx", point[0]);
      dot.setAttribute("cy", point[1]);
      dot.setAttribute("visibility", "visible");
      dot.timer = setTimeout(() => dot.setAttribute("visibility", "hidden"), 10000);
    },
    pageToPercent([x0, y0, x1, y1]) {
      return { left: (100 * x0) / size[0], top: (100 * y0) / size[1], right: (100 * x1) / size[0],
        bottom: (100 * y1) / size[1] };
    },
  };
}
