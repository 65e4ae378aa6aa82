"""Annotations meeting the PDF itself, in the sandbox (these run in a PDF worker, never in the server).

`reanchor` carries a paper's annotations over to its new version: each is attached to the words it sits on
(its quote, with some words of context either side), found again in the new version's text, wherever that
text moved, and placed there; those whose words are gone are returned as orphaned. `export` writes a copy
for download, cleaned and stamped as `pdf_work.stamp` does, carrying the annotations as real PDF annotations
(ink, highlight, text notes) and ending with a summary of the notes.

Geometry is in PDF points as the page is shown (rotation applied, origin top left), as the reader draws it.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import pymupdf

# Words of context kept either side of a quote, and how many must agree for a match to count as the same place.
CONTEXT_WORDS = 6
# An ink stroke or a note with no words under it is attached to the nearest words on its page, this many.
LANDMARK_WORDS = 4
# How far around an annotation's box its words are looked for, in points.
REACH_PT = 2.0
NOTE_ICON_PT = 18.0
_PUNCTUATION = re.compile(r"^\W+|\W+$")


@dataclass(frozen=True)
class Word:
    box: tuple[float, float, float, float]
    text: str
    token: str
    line: tuple[int, int]


def _token(word: str) -> str:
    """A word as matched: composed, case folded, without punctuation around it ("(Tờ" matches "tờ")."""
    folded = unicodedata.normalize("NFC", word).casefold()
    return _PUNCTUATION.sub("", folded) or folded


def page_words(page: pymupdf.Page) -> list[Word]:
    """A page's words in reading order with their boxes, as the page is shown (as `pdf_work.page_text`)."""
    shown = page.get_displaylist()
    raw = pymupdf.TextPage(shown.get_textpage(flags=pymupdf.TEXTFLAGS_WORDS)).extractWORDS()
    return [Word((w[0], w[1], w[2], w[3]), w[4], _token(w[4]), (w[5], w[6])) for w in raw]


def _bounds(kind: str, geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    if kind == "ink":
        xs = [p[0] for p in geometry["points"]]
        ys = [p[1] for p in geometry["points"]]
        return min(xs), min(ys), max(xs), max(ys)
    x0, y0, x1, y1 = geometry["rect"]
    return x0, y0, x1, y1


def _touches(box: tuple[float, float, float, float], area: tuple[float, float, float, float]) -> bool:
    return not (
        box[2] < area[0] - REACH_PT
        or box[0] > area[2] + REACH_PT
        or box[3] < area[1] - REACH_PT
        or box[1] > area[3] + REACH_PT
    )


def _union(boxes: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def _distance(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    dx = max(a[0] - b[2], b[0] - a[2], 0.0)
    dy = max(a[1] - b[3], b[1] - a[3], 0.0)
    return float(dx * dx + dy * dy)


def _find(words: list[Word], tokens: list[str]) -> list[int]:
    """Where a run of tokens starts among the words (every place)."""
    n = len(tokens)
    first = tokens[0]
    return [i for i, w in enumerate(words) if w.token == first and [x.token for x in words[i : i + n]] == tokens]


@dataclass
class Anchor:
    """Where an annotation sits among its page's words: the run of words it covers (start, length) and the
    words of context either side, as tokens."""

    tokens: list[str]
    before: list[str]
    after: list[str]
    box: tuple[float, float, float, float]


def locate(words: list[Word], kind: str, geometry: dict[str, Any], quote: str) -> Anchor | None:
    """The words an annotation is attached to on its own page: its quote found nearest to it, else the words
    under it, else (ink or a note in a margin) the nearest words; None on a page without words."""
    if not words:
        return None
    area = _bounds(kind, geometry)
    quoted = [_token(w) for w in quote.split()]
    start, length = -1, 0
    if quoted:
        places = _find(words, quoted)
        if places:
            start = min(places, key=lambda i: _distance(_union([w.box for w in words[i : i + len(quoted)]]), area))
            length = len(quoted)
    if start < 0:
        under = [i for i, w in enumerate(words) if _touches(w.box, area)]
        if under:
            start, length = under[0], under[-1] - under[0] + 1
    if start < 0:
        nearest = min(range(len(words)), key=lambda i: _distance(words[i].box, area))
        start = max(0, min(nearest - LANDMARK_WORDS // 2, len(words) - LANDMARK_WORDS))
        length = min(LANDMARK_WORDS, len(words))
    run = words[start : start + length]
    return Anchor(
        tokens=[w.token for w in run],
        before=[w.token for w in words[max(0, start - CONTEXT_WORDS) : start]],
        after=[w.token for w in words[start + length : start + length + CONTEXT_WORDS]],
        box=_union([w.box for w in run]),
    )


def _agreement(words: list[Word], start: int, anchor: Anchor) -> int:
    """How many context words agree around a match (nearest first, stopping at the first that differs)."""
    score = 0
    for offset, token in enumerate(reversed(anchor.before), 1):
        if start - offset < 0 or words[start - offset].token != token:
            break
        score += 1
    end = start + len(anchor.tokens)
    for offset, token in enumerate(anchor.after):
        if end + offset >= len(words) or words[end + offset].token != token:
            break
        score += 1
    return score


def _line_rects(run: list[Word]) -> list[list[float]]:
    lines: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}
    for word in run:
        lines.setdefault(word.line, []).append(word.box)
    return [[round(v, 2) for v in _union(boxes)] for boxes in lines.values()]


def _moved(kind: str, geometry: dict[str, Any], dx: float, dy: float, width: float, height: float) -> dict[str, Any]:
    """Geometry shifted by (dx, dy), kept on the page."""

    def x(v: float) -> float:
        return round(min(max(v + dx, 0.0), width), 2)

    def y(v: float) -> float:
        return round(min(max(v + dy, 0.0), height), 2)

    if kind == "ink":
        return {"points": [[x(p[0]), y(p[1]), *p[2:]] for p in geometry["points"]]}
    x0, y0, x1, y1 = geometry["rect"]
    moved: dict[str, Any] = {"rect": [x(x0), y(y0), max(x(x1), x(x0) + 1), max(y(y1), y(y0) + 1)]}
    return moved


def _quote_text(run: list[Word]) -> str:
    return " ".join(w.text for w in run)


def reanchor(old_path: str, new_path: str, annotations: list[dict[str, Any]]) -> dict[str, Any]:
    """Place annotations of the old version on the new one: `annotations` are {uuid, page, kind, geometry,
    anchor}; the answer is {"placed": [{uuid, page, geometry, anchor}], "orphaned": [uuid, …]}.

    A match is the annotation's run of words found in the new version, on any page; among several, the one
    whose context agrees most, then the one nearest its old page. A highlight takes the boxes of the words
    found; ink and notes move with their words. A page without any words (a scan) keeps its annotations
    where they were when the new version has that page, of the same size, also without words.
    """
    from ecabinet import pdf_work

    old, new = pdf_work.open_pdf(old_path), pdf_work.open_pdf(new_path)
    old_words: dict[int, list[Word]] = {}
    new_words = [page_words(page) for page in new.pages()]
    index: dict[str, list[tuple[int, int]]] = {}
    for number, words in enumerate(new_words):
        for i, word in enumerate(words):
            index.setdefault(word.token, []).append((number, i))
    placed, orphaned = [], []
    for item in annotations:
        number = int(item["page"]) - 1
        if not 0 <= number < old.page_count:
            orphaned.append(item["uuid"])
            continue
        if number not in old_words:
            old_words[number] = page_words(old[number])
        kind, geometry = item["kind"], item["geometry"]
        anchor = locate(old_words[number], kind, geometry, str(item.get("anchor", {}).get("quote", "")))
        if anchor is None:
            kept = _kept_in_place(old[number], new, number, new_words)
            if kept:
                placed.append({"uuid": item["uuid"], "page": number + 1, "geometry": geometry, "anchor": {}})
            else:
                orphaned.append(item["uuid"])
            continue
        best: tuple[int, int, int, int] | None = None  # (-agreement, page distance, page, start)
        for page, start in index.get(anchor.tokens[0], []):
            words = new_words[page]
            if [w.token for w in words[start : start + len(anchor.tokens)]] != anchor.tokens:
                continue
            rank = (-_agreement(words, start, anchor), abs(page - number), page, start)
            if best is None or rank < best:
                best = rank
        if best is None:
            orphaned.append(item["uuid"])
            continue
        _, _, page, start = best
        words = new_words[page]
        run = words[start : start + len(anchor.tokens)]
        box = _union([w.box for w in run])
        width, height = new[page].rect.width, new[page].rect.height
        if kind == "highlight":
            rects = _line_rects(run)
            shaped: dict[str, Any] = {"rect": [round(v, 2) for v in box], "rects": rects}
        else:
            shaped = _moved(kind, geometry, box[0] - anchor.box[0], box[1] - anchor.box[1], width, height)
        context_before = words[max(0, start - CONTEXT_WORDS) : start]
        context_after = words[start + len(run) : start + len(run) + CONTEXT_WORDS]
        placed.append(
            {
                "uuid": item["uuid"],
                "page": page + 1,
                "geometry": shaped,
                "anchor": {
                    "quote": _quote_text(run)[:2000],
                    "prefix": _quote_text(context_before)[-200:],
                    "suffix": _quote_text(context_after)[:200],
                },
            }
        )
    return {"placed": placed, "orphaned": orphaned}


def _kept_in_place(old_page: pymupdf.Page, new: pymupdf.Document, number: int, new_words: list[list[Word]]) -> bool:
    """A page without words (a scan): its annotations stay where they were if the new version's page is the same
    size and has no words either; nothing else can say where they belong."""
    if number >= new.page_count or new_words[number]:
        return False
    a, b = old_page.rect, new[number].rect
    return abs(a.width - b.width) < 1 and abs(a.height - b.height) < 1


# ---- export ------------------------------------------------------------------------------------------

KIND_LABELS = {"ink": "Nét viết", "highlight": "Tô sáng", "note": "Ghi chú"}
SUMMARY_CSS = """
body { font-family: NotoSans; font-size: 10pt; }
h1 { font-size: 14pt; font-weight: bold; margin: 0 0 4pt 0; }
p.sub { color: #555555; margin: 0 0 10pt 0; }
h2 { font-size: 11pt; font-weight: bold; margin: 10pt 0 4pt 0; }
div.entry { margin: 0 0 6pt 0; }
span.meta { color: #555555; }
span.quote { font-style: italic; }
"""


def _rgb(color: str, default: tuple[float, float, float]) -> tuple[float, float, float]:
    if len(color) == 7 and color.startswith("#"):
        return int(color[1:3], 16) / 255, int(color[3:5], 16) / 255, int(color[5:7], 16) / 255
    return default


def _to_page(page: pymupdf.Page, x: float, y: float) -> tuple[float, float]:
    """A point as the page is shown, in the page's own (unrotated) space, where annotations are written."""
    point = pymupdf.Point(x, y) * page.derotation_matrix
    return point.x, point.y


def _quad(page: pymupdf.Page, rect: list[float]) -> pymupdf.Quad:
    """A line of highlighted text, its corners kept (the upper left stays where the line starts as shown)."""
    return pymupdf.Rect(rect).quad * page.derotation_matrix


def _annotate(page: pymupdf.Page, item: dict[str, Any]) -> None:
    kind, geometry = item["kind"], item["geometry"]
    info = {"title": item.get("author", ""), "content": item.get("body", "")}
    if kind == "ink":
        points = geometry["points"]
        annot = page.add_ink_annot([[_to_page(page, p[0], p[1]) for p in points]])
        pressures = [p[2] for p in points if len(p) > 2]
        width = 1.5 * (0.5 + sum(pressures) / len(pressures)) if pressures else 1.5
        annot.set_border(width=round(width, 2))
        annot.set_colors(stroke=_rgb(item.get("color", ""), (0.1, 0.2, 0.7)))
    elif kind == "highlight":
        rects = geometry.get("rects") or [geometry["rect"]]
        annot = page.add_highlight_annot(quads=[_quad(page, r) for r in rects])
        annot.set_colors(stroke=_rgb(item.get("color", ""), (1.0, 0.85, 0.1)))
    else:
        x0, y0 = geometry["rect"][0], geometry["rect"][1]
        annot = page.add_text_annot(_to_page(page, x0, y0), item.get("body", ""), icon="Note")
        annot.set_colors(stroke=_rgb(item.get("color", ""), (1.0, 0.8, 0.2)))
    annot.set_info(info)
    annot.update()


def _summary(title: str, line: str, items: list[dict[str, Any]], orphaned: list[dict[str, Any]]) -> bytes:
    """The pages that end the copy: every annotation with a text, page by page, and those not placed."""
    from ecabinet import official_pdf

    def entry(item: dict[str, Any], where: str) -> str:
        quote = str(item.get("anchor", {}).get("quote", ""))
        stamp = item.get("edited_at", "")
        when = ""
        if stamp:
            when = (
                dt.datetime.fromisoformat(stamp)
                .astimezone(dt.timezone(dt.timedelta(hours=7)))
                .strftime("%d/%m/%Y %H:%M")
            )
        meta = " · ".join(
            p for p in (where, KIND_LABELS.get(item["kind"], item["kind"]), item.get("author", ""), when) if p
        )
        parts = [f'<span class="meta">{html.escape(meta)}</span>']
        if quote:
            parts.append(f'<br/><span class="quote">“{html.escape(quote)}”</span>')
        if item.get("body"):
            parts.append("<br/>" + html.escape(item["body"]).replace("\n", "<br/>"))
        return '<div class="entry">' + "".join(parts) + "</div>"

    noted = [i for i in items if i.get("body") or i.get("anchor", {}).get("quote")]
    body = [
        f"<h1>Tổng hợp ghi chú: {html.escape(title)}</h1>",
        f'<p class="sub">{html.escape(line)} · {len(items)} ghi chú trên trang</p>',
    ]
    body += [entry(i, f"Trang {i['page']}") for i in noted]
    if orphaned:
        body.append("<h2>Không đặt lại được trên bản mới</h2>")
        body += [entry(i, f"Trang {i['page']} (bản trước)") for i in orphaned]
    story = pymupdf.Story(
        "<body>" + "".join(body) + "</body>",
        user_css=official_pdf.font_css() + SUMMARY_CSS,
        archive=official_pdf.font_archive(),
    )
    buffer = io.BytesIO()
    writer = pymupdf.DocumentWriter(buffer)
    page = pymupdf.paper_rect("a4")
    area = pymupdf.Rect(page.x0 + 56, page.y0 + 56, page.x1 - 56, page.y1 - 56)
    more = True
    while more:
        device = writer.begin_page(page)
        more, _ = story.place(area)
        story.draw(device)
        writer.end_page()
    writer.close()
    return buffer.getvalue()


def export(path: str, out: str, line: str, title: str, annotations: list[dict[str, Any]]) -> dict[str, Any]:
    """A copy for download carrying annotations: cleaned and stamped with `line` as `pdf_work.stamp` does, each
    annotation written as a PDF annotation on its page (the orphaned ones only in the summary), and a summary of
    the notes at the end. `annotations` are {page, kind, geometry, anchor, body, color, author, edited_at,
    orphaned}. Pages, annotations written and bytes."""
    from ecabinet import pdf_work

    doc = pdf_work.open_pdf(path)
    pdf_work.clean(doc)
    placed = [a for a in annotations if not a.get("orphaned") and 1 <= int(a["page"]) <= doc.page_count]
    orphaned = [a for a in annotations if a not in placed]
    by_page: dict[int, list[dict[str, Any]]] = {}
    for item in placed:
        by_page.setdefault(int(item["page"]), []).append(item)
    pages = doc.page_count
    for number in range(1, pages + 1):
        page = doc[number - 1]
        pdf_work.watermark_page(page, line)
        for item in by_page.get(number, []):
            _annotate(page, item)
    summary = pymupdf.open("pdf", _summary(title, line, placed, orphaned))
    summary.subset_fonts()  # the layout embeds whole fonts (450 KB each); only the glyphs used are kept
    doc.insert_pdf(summary)
    buffer = io.BytesIO()
    doc.save(buffer, garbage=3, deflate=True)
    pdf_work.write_atomically(out, buffer.getvalue())
    return {"pages": pages, "summary_pages": summary.page_count, "annotations": len(placed), "bytes": buffer.tell()}
