// The geometry of annotations, in PDF points as the page is shown (origin top left): simplifying and drawing a
// stroke, the page's words from GET …/pages/{n}/text, a highlight snapped to those words, the text a note or a
// highlight is anchored to, and what a finger touches. Pure functions: no DOM, no network.

// A point closer than this to the line through its neighbours adds nothing visible to a stroke.
export const SIMPLIFY_PT = 0.5;
// The server keeps at most this many points per stroke.
export const INK_MAX_POINTS = 10000;
// The server accepts points on the page and this far around it.
export const PAGE_MARGIN_PT = 20;
export const NOTE_SIZE_PT = 24;
const ANCHOR_CONTEXT_CHARS = 32;
// A word further than this from the finger is not the one meant.
const WORD_REACH_PT = 36;

const round = (value) => Math.round(value * 100) / 100;

// A point on the page: [x, y] or [x, y, pressure], rounded to 0.01 pt as the server stores it.
export function pagePoint(x, y, pressure, width, height) {
  const px = round(Math.min(width + PAGE_MARGIN_PT, Math.max(-PAGE_MARGIN_PT, x)));
  const py = round(Math.min(height + PAGE_MARGIN_PT, Math.max(-PAGE_MARGIN_PT, y)));
  return pressure === undefined || pressure === null ? [px, py] : [px, py, round(Math.min(1, Math.max(0, pressure)))];
}

function distanceToSegment(p, a, b) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const length = dx * dx + dy * dy;
  if (!length) return Math.hypot(p[0] - a[0], p[1] - a[1]);
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

// Ramer–Douglas–Peucker: the fewest points that stay within `epsilon` of the stroke drawn (pressure kept on the
// points kept). Iterative, so a long stroke cannot overflow the stack.
export function simplify(points, epsilon = SIMPLIFY_PT) {
  if (points.length <= 2) return points.slice();
  const keep = new Uint8Array(points.length);
  keep[0] = 1;
  keep[points.length - 1] = 1;
  const spans = [[0, points.length - 1]];
  while (spans.length) {
    const [first, last] = spans.pop();
    let worst = -1;
    let far = 0;
    for (let i = first + 1; i < last; i += 1) {
      const d = distanceToSegment(points[i], points[first], points[last]);
      if (d > far) {
        far = d;
        worst = i;
      }
    }
    if (worst > 0 && far > epsilon) {
      keep[worst] = 1;
      spans.push([first, worst], [worst, last]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

// The points of a finished stroke as saved: simplified, at least two (a dot is a tiny dash), at most the server's
// limit (simplified harder until it fits).
export function strokeToSave(points) {
  if (!points.length) return [];
  let kept = simplify(points);
  for (let epsilon = SIMPLIFY_PT * 2; kept.length > INK_MAX_POINTS; epsilon *= 2) kept = simplify(points, epsilon);
  if (kept.length === 1) {
    const [x, y, ...rest] = kept[0];
    kept = [kept[0], [round(x + 0.5), round(y + 0.5), ...rest]];
  }
  return kept;
}

const fmt = (n) => String(round(n));

// A smooth path through the points: quadratic curves whose ends are the midpoints between points and whose
// controls are the points themselves (the stroke passes near every point, without corners).
export function smoothPath(points) {
  if (!points.length) return "";
  if (points.length === 1) return `M${fmt(points[0][0])} ${fmt(points[0][1])}l0.01 0`;
  if (points.length === 2) {
    return `M${fmt(points[0][0])} ${fmt(points[0][1])}L${fmt(points[1][0])} ${fmt(points[1][1])}`;
  }
  const mid = (a, b) => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  let d = `M${fmt(points[0][0])} ${fmt(points[0][1])}`;
  let m = mid(points[0], points[1]);
  d += `L${fmt(m[0])} ${fmt(m[1])}`;
  for (let i = 1; i < points.length - 1; i += 1) {
    m = mid(points[i], points[i + 1]);
    d += `Q${fmt(points[i][0])} ${fmt(points[i][1])} ${fmt(m[0])} ${fmt(m[1])}`;
  }
  const end = points[points.length - 1];
  return `${d}L${fmt(end[0])} ${fmt(end[1])}`;
}

// How a stroke is drawn: one path of the base width, or (with a pen's pressure) one short curve per point whose
// width follows the pressure there; round caps join the pieces into one line.
export function inkPieces(points, baseWidth) {
  const pressured = points.length > 1 && points.every((p) => p.length === 3);
  if (!pressured) return [{ d: smoothPath(points), width: baseWidth }];
  const widthAt = (p) => round(baseWidth * (0.35 + 1.3 * p[2]));
  const mid = (a, b) => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  const pieces = [];
  let from = points[0];
  for (let i = 1; i < points.length; i += 1) {
    const last = i === points.length - 1;
    const to = last ? points[i] : mid(points[i], points[i + 1]);
    const d = last || i === 1
      ? `M${fmt(from[0])} ${fmt(from[1])}L${fmt(to[0])} ${fmt(to[1])}`
      : `M${fmt(from[0])} ${fmt(from[1])}Q${fmt(points[i][0])} ${fmt(points[i][1])} ${fmt(to[0])} ${fmt(to[1])}`;
    pieces.push({ d, width: widthAt(points[i]) });
    from = to;
  }
  return pieces;
}

// The boxes of GET …/pages/{n}/text: base64 of little-endian float32 (x0, y0, x1, y1) per word.
export function decodeBoxes(base64) {
  if (!base64) return [];
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  const boxes = [];
  for (let at = 0; at + 16 <= bytes.length; at += 16) {
    boxes.push([0, 4, 8, 12].map((offset) => view.getFloat32(at + offset, true)));
  }
  return boxes;
}

// The page's words in reading order: {text, box, line, start, end}, `start`/`end` being offsets (in code points)
// in the page's text. The n-th box belongs to the n-th word of the text split at spaces and line breaks.
export function pageWords(text, boxes) {
  const words = [];
  const chars = [...(text || "")];
  let line = 0;
  let start = 0;
  let n = 0;
  for (let i = 0; i <= chars.length; i += 1) {
    const c = chars[i];
    if (i < chars.length && c !== " " && c !== "\n") continue;
    if (i > start && n < boxes.length) {
      words.push({ text: chars.slice(start, i).join(""), box: boxes[n], line, start, end: i });
    }
    n += 1;
    if (c === "\n") line += 1;
    start = i + 1;
  }
  return words;
}

const boxDistance = ([x0, y0, x1, y1], x, y) => Math.hypot(Math.max(x0 - x, 0, x - x1), Math.max(y0 - y, 0, y - y1));

// The index of the word under (x, y), or the nearest within reach; -1 when none is.
export function wordAt(words, x, y, reach = WORD_REACH_PT) {
  let best = -1;
  let nearest = reach;
  words.forEach((word, i) => {
    const d = boxDistance(word.box, x, y);
    if (d < nearest) {
      nearest = d;
      best = i;
    }
  });
  return best;
}

const union = (boxes) => [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])),
  Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))].map(round);

// The quote and some text on each side of it, to find the place again in a new version of the paper.
export function anchorOf(text, start, end, quote) {
  const chars = [...(text || "")];
  return {
    quote,
    prefix: chars.slice(Math.max(0, start - ANCHOR_CONTEXT_CHARS), start).join(""),
    suffix: chars.slice(end, end + ANCHOR_CONTEXT_CHARS).join(""),
  };
}

// A highlight over the words from the `first`-th to the `last`-th (either way round) in reading order:
// {geometry: {rect, rects (one per line)}, anchor: {quote, prefix, suffix}}.
export function highlightOf(text, words, first, last) {
  const [a, b] = first <= last ? [first, last] : [last, first];
  const chosen = words.slice(a, b + 1);
  if (!chosen.length) return null;
  const lines = new Map();
  for (const word of chosen) {
    if (!lines.has(word.line)) lines.set(word.line, []);
    lines.get(word.line).push(word.box);
  }
  const rects = [...lines.values()].map(union);
  const quote = chosen.map((word) => word.text).join(" ");
  const anchor = anchorOf(text, chosen[0].start, chosen[chosen.length - 1].end, quote);
  return { geometry: { rect: union(rects), rects }, anchor };
}

// A highlight without words to snap to (a scanned page): the rectangle dragged.
export function rectOf(a, b) {
  const rect = [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1])].map(round);
  if (rect[2] - rect[0] < 2 || rect[3] - rect[1] < 2) return null;
  return { geometry: { rect, rects: [rect] }, anchor: { quote: "", prefix: "", suffix: "" } };
}

// A note placed at (x, y): its square there, and the word under or nearest the point as its anchor.
export function noteAt(text, words, x, y, width, height) {
  const left = Math.min(Math.max(x, -PAGE_MARGIN_PT), width + PAGE_MARGIN_PT - NOTE_SIZE_PT);
  const top = Math.min(Math.max(y, -PAGE_MARGIN_PT), height + PAGE_MARGIN_PT - NOTE_SIZE_PT);
  const rect = [left, top, left + NOTE_SIZE_PT, top + NOTE_SIZE_PT].map(round);
  const near = wordAt(words, x, y, WORD_REACH_PT * 2);
  const anchor = near < 0 ? { quote: "", prefix: "", suffix: "" }
    : anchorOf(text, words[near].start, words[near].end, words[near].text);
  return { geometry: { rect }, anchor };
}

// Whether (x, y) touches the annotation, `slack` points being the finger's width.
export function touches(annotation, x, y, slack) {
  const geometry = annotation.geometry || {};
  if (annotation.kind === "ink") {
    const points = geometry.points || [];
    for (let i = 0; i < points.length; i += 1) {
      const d = i === 0 ? Math.hypot(points[0][0] - x, points[0][1] - y)
        : distanceToSegment([x, y], points[i - 1], points[i]);
      if (d <= slack) return true;
    }
    return false;
  }
  const rects = geometry.rects || (geometry.rect ? [geometry.rect] : []);
  return rects.some((rect) => boxDistance(rect, x, y) <= slack / 2);
}

// The rectangle that holds the annotation (for placing its popover).
export function boundsOf(annotation) {
  const geometry = annotation.geometry || {};
  if (geometry.rect) return geometry.rect;
  const points = geometry.points || [];
  if (!points.length) return [0, 0, 0, 0];
  return union(points.map(([x, y]) => [x, y, x, y]));
}
