"""Vietnamese administrative documents (biên bản, giấy mời) drawn as PDF, laid out as Decree 30/2020/NĐ-CP
prescribes.

The server builds an `OfficialDocument` (`official_document.py`, pure) and hands its spec to the PDF sandbox,
whose worker runs `compose`. PyMuPDF is imported only inside the functions that draw.

Decree 30 prescribes Times New Roman; no Times clone with every Vietnamese italic is available here, so the
Noto Sans family from pymupdf-fonts is used (it covers every Vietnamese letter in all four styles).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import html
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ecabinet.official_document import Block, OfficialDocument, SignatureBlock, date_line, from_spec, to_spec

if TYPE_CHECKING:
    import pymupdf


PT_PER_MM = 72 / 25.4
PAGE_WIDTH_PT = 595.28  # A4
PAGE_HEIGHT_PT = 841.89
MARGIN_TOP_MM = 20
MARGIN_BOTTOM_MM = 20
MARGIN_LEFT_MM = 30
MARGIN_RIGHT_MM = 15
SIGNATURE_SPACE_MM = 25
BODY_PT = 13
ISSUER_PT = 12
NATION_PT = 12
MOTTO_PT = 13
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PAGE_NUMBER_PT = 13
# Decree 30 puts the page number in the top margin; its baseline sits a little above the text area.
PAGE_NUMBER_BASELINE_MM = 13
LINE_WIDTH_PT = 0.6
HEADER_LINE_GAP_PT = 2
GRID_LINE_PT = 0.5
GRID_PADDING_PT = 4
DRAFT_MARK = "DỰ THẢO"
DRAFT_PT = 11
DRAFT_COLOR = (0.75, 0.05, 0.05)
# A long table may need one layout pass per page it spans in the worst case; past this the rest of its
# pages simply go without a repeated header row.
MAX_LAYOUT_PASSES = 60
MAX_PAGES = 1000
RECIPIENT_PT = 11
# Recipients beside a signature block take at most this many lines (about half a page of 11 pt).
RECIPIENTS_BESIDE_LINES = 24
# A table cell longer than this many lines is cut over several rows, as MuPDF never breaks a row across
# pages; a page holds about 45 lines, which leaves room for the header row and words wider than a column.
ROW_PIECE_LINES = 38
# Column widths are measured on a table's first rows; a later, longer word wraps inside its cell.
MEASURED_ROWS = 200
CREATOR = "eCabinet"

# Noto Sans in the four styles CSS asks for: (pymupdf-fonts name, font-weight, font-style).
FONTS = (
    ("notos", "normal", "normal"),
    ("notosbo", "bold", "normal"),
    ("notosit", "normal", "italic"),
    ("notosbi", "bold", "italic"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# The sandbox job.


class TooManyPages(Exception):
    """The layout ran past MAX_PAGES (far more text than a minutes holds, or a line that never fits a page)."""


def compose(spec: dict[str, Any], out: str) -> dict[str, Any]:
    """The sandbox job: write the document a spec describes as a PDF to `out` (atomically); pages and bytes."""
    # pdf_work imports this module for its JOBS table, so it is imported here, when a worker runs the job.
    from ecabinet import pdf_work

    try:
        document = from_spec(spec)
    except ValueError as exc:
        raise pdf_work.Rejection("bad_spec", f"The document cannot be composed: {exc}.") from exc
    try:
        data, pages = _draw(document)
    except TooManyPages as exc:
        raise pdf_work.Rejection("too_many_pages", str(exc)) from exc
    pdf_work.write_atomically(out, data)
    return {"pages": pages, "bytes": len(data)}


def render(document: OfficialDocument) -> bytes:
    """The document as PDF bytes (PyMuPDF: for the sandbox's workers and tests, never the server process)."""
    return _draw(document)[0]


# Layout. The body is HTML laid out by MuPDF's Story; the lines of the header, page numbers and the
# draft mark are drawn afterwards, where the layout put things.

_MARGIN_TOP_PT = MARGIN_TOP_MM * PT_PER_MM
_MARGIN_BOTTOM_PT = MARGIN_BOTTOM_MM * PT_PER_MM
_MARGIN_LEFT_PT = MARGIN_LEFT_MM * PT_PER_MM
_MARGIN_RIGHT_PT = MARGIN_RIGHT_MM * PT_PER_MM
_SIGNATURE_SPACE_PT = SIGNATURE_SPACE_MM * PT_PER_MM
_AREA_WIDTH_PT = PAGE_WIDTH_PT - _MARGIN_LEFT_PT - _MARGIN_RIGHT_PT
_AREA_HEIGHT_PT = PAGE_HEIGHT_PT - _MARGIN_TOP_PT - _MARGIN_BOTTOM_PT
_CELL_EXTRA_PT = 2 * GRID_PADDING_PT + GRID_LINE_PT
# The note ("Đã ký") sits in the middle of the signature space, in a line of fixed height, so that a
# signature with a note and one without put their names at the same height.
_NOTE_LINE_PT = 16
_HALF_SPACE_PT = (_SIGNATURE_SPACE_PT - _NOTE_LINE_PT) / 2

CSS = f"""
body {{font-family: NotoSans; font-size: {BODY_PT}pt; margin: 0; padding: 0;}}
p {{margin: 0; padding: 0;}}
table {{border-collapse: collapse; width: 100%; margin: 0; padding: 0;}}
td, th {{padding: 0; vertical-align: top; font-weight: normal;}}
.masthead td {{text-align: center;}}
.masthead .left {{width: {0.4 * _AREA_WIDTH_PT:.1f}pt;}}
.masthead .right {{width: {0.6 * _AREA_WIDTH_PT:.1f}pt;}}
.parent {{font-size: {ISSUER_PT}pt;}}
.issuer {{font-size: {ISSUER_PT}pt; font-weight: bold;}}
.nation {{font-size: {NATION_PT}pt; font-weight: bold;}}
.motto {{font-size: {MOTTO_PT}pt; font-weight: bold;}}
.number, .date {{font-size: 13pt; padding-top: 8pt;}}
.number {{white-space: pre;}}
.date {{font-style: italic;}}
.title {{font-size: 14pt; font-weight: bold; text-align: center; margin-top: 20pt;}}
.subtitle {{font-size: 14pt; font-weight: bold; text-align: center;}}
.body {{margin-top: 14pt;}}
.heading {{font-weight: bold; text-indent: 1cm; margin-top: 6pt; margin-bottom: 6pt;}}
.paragraph, .item {{text-align: justify; text-indent: 1cm; margin-bottom: 6pt;}}
.grid {{margin-bottom: 6pt;}}
.grid td, .grid th {{border: {GRID_LINE_PT}pt solid black; padding: 2pt {GRID_PADDING_PT}pt;}}
.grid td {{overflow-wrap: break-word;}}
.grid td.cut {{border-bottom: none;}}
.grid td.more {{border-top: none;}}
.grid th {{font-weight: bold; text-align: center; vertical-align: middle;}}
.signatures {{margin-top: 12pt;}}
.signatures td {{text-align: center; width: {0.5 * _AREA_WIDTH_PT:.1f}pt;}}
.role, .name {{font-weight: bold;}}
.note {{font-style: italic; line-height: {_NOTE_LINE_PT}pt; padding-top: {_HALF_SPACE_PT:.1f}pt;}}
.name {{padding-top: {_SIGNATURE_SPACE_PT:.1f}pt;}}
.name.noted {{padding-top: {_HALF_SPACE_PT:.1f}pt;}}
.signatures td.recipients {{text-align: left;}}
.recipients-below {{margin-top: 12pt;}}
.recipients-label {{font-size: 12pt; font-weight: bold; font-style: italic;}}
.recipient {{font-size: {RECIPIENT_PT}pt;}}
.page-break {{page-break-before: always;}}
"""


@dataclass(frozen=True)
class _Table:
    """A table as it is laid out: its columns' widths in points, and its rows, a tall row cut into several."""

    rows: tuple[tuple[str, ...], ...]  # the header row first
    widths: tuple[float, ...]
    continued: frozenset[int]  # rows that go on with the text of the row above


@dataclass(frozen=True)
class _Plan:
    """Where the layout must start a new page: before some blocks, and inside tables under a repeated header."""

    breaks: frozenset[int] = frozenset()
    # A table's block number → the rows that begin a page, each under a repeated header row.
    splits: tuple[tuple[int, tuple[int, ...]], ...] = ()

    def table_splits(self, number: int) -> tuple[int, ...]:
        return dict(self.splits).get(number, ())

    def split(self, number: int, starts: tuple[int, ...]) -> _Plan:
        return dataclasses.replace(self, splits=tuple(sorted({**dict(self.splits), number: starts}.items())))


# Where the layout put each element with an id: (page from 1, (x0, y0, x1, y1)) where it begins.
_Positions = dict[str, tuple[int, tuple[float, float, float, float]]]


def _draw(document: OfficialDocument) -> tuple[bytes, int]:
    import pymupdf

    tables = {number: _table(block) for number, block in enumerate(document.blocks) if block.kind == "table"}
    plan = _Plan()
    # Each pass lays the document out; a pass that asks for no new page break is the result.
    for _ in range(MAX_LAYOUT_PASSES):
        data, positions = _lay_out(_html(document, tables, plan))
        better = _replan(document, tables, plan, positions)
        if better is None:
            break
        plan = better
    doc = pymupdf.open("pdf", data)
    for index in range(doc.page_count):
        # The layout's pages leave a transformation in force after their content; wrapped, they cannot
        # turn what is drawn next upside down.
        doc[index].wrap_contents()
    _draw_header_lines(doc[0], document, positions)
    for index in range(doc.page_count):
        if index > 0:
            _draw_page_number(doc[index], index + 1)
        if document.draft:
            _draw_draft_mark(doc[index])
    doc.set_metadata(
        {
            "title": f"{_clean(document.title)} {_clean(document.subtitle)}".strip(),
            "author": " ".join(_clean(document.issuer).split()),
            "subject": _clean(document.subtitle),
            "creator": CREATOR,
            "producer": CREATOR,
        }
    )
    doc.set_language("vi")
    # The file's ID comes from its spec rather than the clock, so the same spec always gives the same bytes.
    spec = json.dumps(to_spec(document), ensure_ascii=False, sort_keys=True).encode()
    identity = hashlib.sha256(spec).hexdigest()[:32]
    doc.xref_set_key(-1, "ID", f"[<{identity}><{identity}>]")
    # The layout and the marks embed whole fonts (450 KB each); only the glyphs used are kept.
    doc.subset_fonts()
    return doc.tobytes(garbage=3, deflate=True, no_new_id=True), doc.page_count


def _lay_out(markup: str) -> tuple[bytes, _Positions]:
    import pymupdf

    story = pymupdf.Story(markup, user_css=font_css() + CSS, archive=font_archive())
    buffer = io.BytesIO()
    writer = pymupdf.DocumentWriter(buffer)
    page = pymupdf.Rect(0, 0, PAGE_WIDTH_PT, PAGE_HEIGHT_PT)
    area = pymupdf.Rect(
        _MARGIN_LEFT_PT, _MARGIN_TOP_PT, PAGE_WIDTH_PT - _MARGIN_RIGHT_PT, PAGE_HEIGHT_PT - _MARGIN_BOTTOM_PT
    )
    positions: _Positions = {}

    def next_page(number: int, _filled: Any) -> tuple[Any, Any, None]:
        # MuPDF asks for page after page, forever, when something can never fit on one (a table row taller
        # than a page); tall rows are cut beforehand, and this bounds whatever else does it.
        if number >= MAX_PAGES:
            raise TooManyPages(f"The document runs past {MAX_PAGES} pages.")
        return page, area, None

    def record(position: Any) -> None:
        if position.id and position.open_close & 1 and position.id not in positions:
            positions[position.id] = (position.page_num, tuple(position.rect))

    story.write(writer, next_page, positionfn=record)
    writer.close()
    return buffer.getvalue(), positions


@functools.cache
def font_archive() -> pymupdf.Archive:
    import pymupdf

    archive = pymupdf.Archive()
    for name, _, _ in FONTS:
        archive.add(_font(name).buffer, f"{name}.ttf")
    return archive


@functools.cache
def _font(name: str) -> pymupdf.Font:
    import pymupdf

    return pymupdf.Font(name)


@functools.cache
def _advance(font: str, char: str) -> float:
    return float(_font(font).text_length(char, 1))


def _width(text: str, font: str, size: float) -> float:
    """How wide a text is set (PyMuPDF's own text_length goes through MuPDF for each letter: 50 µs a letter)."""
    return size * sum(_advance(font, char) for char in text)


def font_css() -> str:
    return "".join(
        f"@font-face {{font-family: NotoSans; src: url({name}.ttf); font-weight: {weight}; font-style: {style};}}\n"
        for name, weight, style in FONTS
    )


def _clean(text: str) -> str:
    """Text as it is printed: composed Unicode (as a Vietnamese keyboard types it), no control characters."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    return _CONTROL.sub("", text)


def _text(text: str) -> str:
    """Data as HTML: escaped, so that markup in an agenda title is printed, never obeyed; lines kept."""
    # MuPDF's Story decodes character references twice ("&amp;lt;" prints "<"), so "&" is escaped twice;
    # tests/test_official_pdf.py prints typed entities and markup back to catch a MuPDF that stops doing so.
    return "<br/>".join(html.escape(line, quote=True).replace("&", "&amp;") for line in _clean(text).split("\n"))


def _html(document: OfficialDocument, tables: dict[int, _Table], plan: _Plan) -> str:
    parts = [_masthead(document)]
    parts.append(f'<p class="title" id="title">{_text(document.title.upper())}</p>')
    if document.subtitle.strip():
        parts.append(f'<p class="subtitle" id="subtitle">{_text(document.subtitle)}</p>')
    parts.append('<div class="body">')
    for number, block in enumerate(document.blocks):
        brk = " page-break" if number in plan.breaks else ""
        if block.kind == "table":
            parts.append(_table_html(number, tables[number], plan.table_splits(number)))
        elif block.kind == "list":
            tags = [f'<p class="item{brk}" id="b{number}">'] + ['<p class="item">'] * (len(block.items) - 1)
            parts.extend(f"{tag}- {_text(item)}</p>" for tag, item in zip(tags, block.items, strict=False))
        else:
            parts.append(f'<p class="{block.kind}{brk}" id="b{number}">{_text(block.text)}</p>')
    # An empty element where the body ends tells on which page it ends (a split element only reports its start).
    parts.append('</div><div id="body-end"></div>')
    parts.append(_closing(document))
    return f"<html><body>{''.join(parts)}</body></html>"


def _masthead(document: OfficialDocument) -> str:
    parent = f'<p class="parent">{_text(document.issuer_parent.upper())}</p>' if document.issuer_parent else ""
    return (
        '<table class="masthead"><tr>'
        f'<td class="left">{parent}<p class="issuer" id="issuer">{_text(document.issuer.upper())}</p></td>'
        f'<td class="right"><p class="nation">{NATION}</p><p class="motto" id="motto">{MOTTO}</p></td>'
        "</tr><tr>"
        f'<td class="left"><p class="number">Số: {_text(document.number)}</p></td>'
        f'<td class="right"><p class="date">{_text(date_line(document.place, document.date))}</p></td>'
        "</tr></table>"
    )


def _table_html(number: int, table: _Table, splits: tuple[int, ...]) -> str:
    """A table; its header row has the id `b{number}`, its other rows `b{number}-{row}`."""
    # MuPDF reads a cell's width in points (not percent), without its padding and border.
    header = "".join(
        f'<th style="width: {max(1.0, width - _CELL_EXTRA_PT):.1f}pt">{_text(cell)}</th>'
        for cell, width in zip(table.rows[0], table.widths, strict=True)
    )
    # MuPDF does not repeat a header row on the next page, so a table that spans pages is written as one
    # table per page, each under a copy of the header row; `splits` says where the pages begin.
    starts = sorted({1, *splits}) if len(table.rows) > 1 else [1]
    parts = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(table.rows)
        # MuPDF breaks the page before a block, not before a table: the table goes into one.
        div = '<div class="page-break">' if start in splits else "<div>"
        header_id = f"b{number}" if index == 0 else f"b{number}-h{start}"
        parts.append(f'{div}<table class="grid"><tr id="{header_id}">{header}</tr>')
        for row in range(start, end):
            # A row cut in pieces reads as one: no rule between its pieces.
            css = " ".join(
                name for name, on in (("more", row in table.continued), ("cut", row + 1 in table.continued)) if on
            )
            cells = "".join(f'<td class="{css}">{_text(cell)}</td>' for cell in table.rows[row])
            parts.append(f'<tr id="b{number}-{row}">{cells}</tr>')
        parts.append("</table></div>")
    return "".join(parts)


def _table(block: Block) -> _Table:
    widths = _column_widths(block)
    rows: list[tuple[str, ...]] = [block.rows[0]]
    continued: set[int] = set()
    for row in block.rows[1:]:
        # MuPDF never breaks a table row across pages: a row taller than a page is cut into rows that fit.
        pieces = [_cell_pieces(_clean(cell), width - _CELL_EXTRA_PT) for cell, width in zip(row, widths, strict=True)]
        for index in range(max(map(len, pieces))):
            if index:
                continued.add(len(rows))
            rows.append(tuple(cell[index] if index < len(cell) else "" for cell in pieces))
    return _Table(tuple(rows), tuple(widths), frozenset(continued))


def _cell_pieces(text: str, width: float) -> list[str]:
    """A cell's text in pieces of at most ROW_PIECE_LINES lines, wrapped (as MuPDF wraps) in `width` points."""
    if _width(text, "notos", BODY_PT) < width * ROW_PIECE_LINES / 2 and text.count("\n") < ROW_PIECE_LINES / 2:
        return [text]
    space = _width(" ", "notos", BODY_PT)
    lines: list[str] = []  # each line ends with the space or line break that follows it
    for paragraph in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for word in paragraph.split():
            size = _width(word, "notos", BODY_PT)
            if line and used + space + size > width:
                lines.append(" ".join(line) + " ")
                line, used = [], 0.0
            used += size + (space if line else 0.0)
            line.append(word)
        lines.append(" ".join(line) + "\n")
    pieces = ("".join(lines[i : i + ROW_PIECE_LINES]).strip() for i in range(0, len(lines), ROW_PIECE_LINES))
    return [piece for piece in pieces if piece] or [""]


def _column_widths(block: Block) -> list[float]:
    """Each column's width in points: as the block's widths (or its text) weigh it, never below its longest word.

    Fixed widths also keep every page of a split table in the same columns.
    """
    sample = block.rows[:MEASURED_ROWS]
    columns = range(len(block.rows[0]))
    # Without widths, a column weighs as its longest text (capped: a long text wraps rather than squeezes).
    weights = block.widths or tuple(min(40, max(len(row[c]) for row in sample)) + 3.0 for c in columns)
    least = [
        _CELL_EXTRA_PT
        + max(_longest_word(row[c], "notosbo" if number == 0 else "notos") for number, row in enumerate(sample))
        for c in columns
    ]
    # Columns too narrow for their longest word get just that; the others share what is left by weight.
    narrow: set[int] = set()
    while free := [c for c in columns if c not in narrow]:
        room = _AREA_WIDTH_PT - sum(least[c] for c in narrow)
        weight = sum(weights[c] for c in free)
        squeezed = {c for c in free if room * weights[c] / weight < least[c]}
        if not squeezed:
            return [room * weights[c] / weight if c in free else least[c] for c in columns]
        narrow |= squeezed
    return least


def _longest_word(text: str, font: str) -> float:
    # A word wider than half the text area is broken in its cell rather than given the whole table.
    longest = max((_width(word, font, BODY_PT) for word in _clean(text).split()), default=0.0)
    return min(longest, _AREA_WIDTH_PT / 2)


def _closing(document: OfficialDocument) -> str:
    """The signature blocks, and the recipients at the bottom left: beside a single signature, or below."""
    signatures = [f"<td>{_signature_html(index, s)}</td>" for index, s in enumerate(document.signatures)]
    recipients = _recipients_html(document.recipients)
    # MuPDF never breaks a table row across pages (and loses what overflows one), so a long list of
    # recipients goes below the signatures, where it can run on to the next page.
    column = _AREA_WIDTH_PT / 2
    lines = sum(math.ceil(max(1.0, _width(f"- {r}", "notos", RECIPIENT_PT)) / column) for r in document.recipients)
    beside = lines < RECIPIENTS_BESIDE_LINES
    if len(signatures) < 2 and (beside or not signatures):
        signatures.insert(0, f'<td class="recipients">{recipients}</td>')
        recipients = ""
    elif len(signatures) == 1:
        signatures.insert(0, "<td></td>")
    below = f'<div class="recipients-below">{recipients}</div>' if recipients else ""
    # One table row: MuPDF moves a row to the next page whole, so no signature is split from its name.
    return f'<table class="signatures"><tr>{"".join(signatures)}</tr></table>{below}' if signatures else below


def _signature_html(index: int, signature: SignatureBlock) -> str:
    noted = bool(signature.note.strip())
    note = f'<p class="note">{_text(signature.note)}</p>' if noted else ""
    return (
        f'<p class="role" id="sig{index}-role">{_text(signature.role.upper())}</p>{note}'
        f'<p class="name{" noted" if noted else ""}" id="sig{index}-name">{_text(signature.name)}</p>'
    )


def _recipients_html(recipients: Iterable[str]) -> str:
    lines = [f'<p class="recipient">- {_text(recipient)}</p>' for recipient in recipients]
    if not lines:
        return ""
    return f'<p class="recipients-label" id="recipients">Nơi nhận:</p>{"".join(lines)}'


def _replan(document: OfficialDocument, tables: dict[int, _Table], plan: _Plan, positions: _Positions) -> _Plan | None:
    """The plan for the next pass, or None when this layout needs no other page break."""

    def page(element: str) -> int | None:
        return positions[element][0] if element in positions else None

    for number, block in enumerate(document.blocks):
        if block.kind == "heading" and number + 1 < len(document.blocks) and number not in plan.breaks:
            # A heading left alone at the foot of a page goes to the next one, with what it heads.
            here, after = page(f"b{number}"), page(f"b{number + 1}")
            if here is not None and after is not None and here != after:
                return dataclasses.replace(plan, breaks=plan.breaks | {number})
        if block.kind == "table":
            better = _replan_table(number, tables[number], plan.table_splits(number), positions)
            if better is not None:
                return plan.split(number, better)
    # Signatures alone on a page: the last block goes over with them, when it fits on that one page.
    last, end, signed = len(document.blocks) - 1, page("body-end"), page("sig0-role")
    alone = signed is not None and end is not None and signed != end
    if alone and last >= 0 and last not in plan.breaks and page(f"b{last}") == end:
        return dataclasses.replace(plan, breaks=plan.breaks | {last})
    return None


def _replan_table(number: int, table: _Table, splits: tuple[int, ...], positions: _Positions) -> tuple[int, ...] | None:
    """New page starts for a table that MuPDF broke across pages where no header row was repeated."""
    rows = len(table.rows)
    previous = f"b{number}"
    for row in range(1, rows):
        current = f"b{number}-{row}"
        if current not in positions or previous not in positions:
            return None
        if row not in splits and positions[current][0] != positions[previous][0]:
            # The rows after this one were laid out without a header above them: from here on, where each
            # page begins is worked out from the rows' heights, and the next pass checks the result.
            kept = tuple(start for start in splits if start < row)
            header = _height(positions[f"b{number}"][1])
            heights = [_height(positions[f"b{number}-{r}"][1]) for r in range(row, rows)]
            return (*kept, row, *(row + offset for offset in _page_starts(heights, header)))
        previous = current
    return None


def _height(rect: tuple[float, float, float, float]) -> float:
    return rect[3] - rect[1]


def _page_starts(heights: Sequence[float], header: float) -> list[int]:
    """Which rows (offsets from the first, itself at the top of a page) begin a later page."""
    starts = []
    used = header
    for offset, height in enumerate(heights):
        if offset and used + height > _AREA_HEIGHT_PT:
            starts.append(offset)
            used = header
        used += height
    return starts


def _draw_header_lines(page: pymupdf.Page, document: OfficialDocument, positions: _Positions) -> None:
    """The rule under the issuer (1/3 to 1/2 of its line) and under the motto (as long as its line)."""
    if "issuer" in positions:
        rect = positions["issuer"][1]
        longest = max(_width(line, "notosbo", ISSUER_PT) for line in _clean(document.issuer.upper()).split("\n"))
        _centred_line(page, (rect[0] + rect[2]) / 2, rect[3] + HEADER_LINE_GAP_PT, 0.4 * longest)
    if "motto" in positions:
        rect = positions["motto"][1]
        _centred_line(page, (rect[0] + rect[2]) / 2, rect[3] + HEADER_LINE_GAP_PT, _width(MOTTO, "notosbo", MOTTO_PT))


def _centred_line(page: pymupdf.Page, centre: float, y: float, length: float) -> None:
    import pymupdf

    page.draw_line(
        pymupdf.Point(centre - length / 2, y),
        pymupdf.Point(centre + length / 2, y),
        color=(0, 0, 0),
        width=LINE_WIDTH_PT,
    )


def _write(page: pymupdf.Page, x: float, baseline: float, text: str, font: str, size: float, color: Any) -> None:
    import pymupdf

    writer = pymupdf.TextWriter(page.rect, color=color)
    writer.append(pymupdf.Point(x, baseline), text, font=_font(font), fontsize=size)
    writer.write_text(page)


def _draw_page_number(page: pymupdf.Page, number: int) -> None:
    text = str(number)
    width = _width(text, "notos", PAGE_NUMBER_PT)
    centre = (_MARGIN_LEFT_PT + PAGE_WIDTH_PT - _MARGIN_RIGHT_PT) / 2
    _write(page, centre - width / 2, PAGE_NUMBER_BASELINE_MM * PT_PER_MM, text, "notos", PAGE_NUMBER_PT, (0, 0, 0))


def _draw_draft_mark(page: pymupdf.Page) -> None:
    """A boxed "DỰ THẢO" in the top margin, on the right, as drafts are marked."""
    import pymupdf

    width = _width(DRAFT_MARK, "notosbo", DRAFT_PT)
    right = PAGE_WIDTH_PT - _MARGIN_RIGHT_PT
    box = pymupdf.Rect(right - width - 12, 6 * PT_PER_MM, right, 6 * PT_PER_MM + DRAFT_PT + 9)
    page.draw_rect(box, color=DRAFT_COLOR, width=1)
    _write(page, box.x0 + 6, box.y1 - 6.5, DRAFT_MARK, "notosbo", DRAFT_PT, DRAFT_COLOR)
