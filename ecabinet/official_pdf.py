"""Vietnamese administrative documents (biên bản, giấy mời) as PDF, laid out as Decree 30/2020/NĐ-CP prescribes.

The dataclasses and their JSON spec are pure: the server builds an `OfficialDocument` from its records and
hands `to_spec(doc)` to the PDF sandbox, whose worker runs `compose`. Only the drawing imports PyMuPDF, inside
the functions that draw, so that importing this module never loads MuPDF into the server process.

Decree 30 prescribes Times New Roman; no Times clone with every Vietnamese italic is available here, so the
Noto Sans family from pymupdf-fonts is used (it covers every Vietnamese letter in all four styles).
"""

# mypy: disallow-untyped-calls=False, warn-return-any=False
# (PyMuPDF's bindings are only partly annotated; pyproject.toml relaxes the same two checks for pdf_work.)

from __future__ import annotations

import dataclasses
import datetime as dt
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

if TYPE_CHECKING:
    import pymupdf

KINDS = ("heading", "paragraph", "list", "table")
MAX_SIGNATURES = 2

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


@dataclass(frozen=True)
class Block:
    """One piece of the body: a heading, a paragraph, a list of items, or a table whose first row is its header."""

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    widths: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"a block's kind is one of {', '.join(KINDS)}, not {self.kind!r}")
        if self.kind != "list" and self.items:
            raise ValueError(f"a {self.kind} block has no items")
        if self.kind in ("list", "table") and self.text:
            raise ValueError(f"a {self.kind} block has no text")
        if self.kind != "table" and (self.rows or self.widths):
            raise ValueError(f"a {self.kind} block has no rows or widths")
        if self.kind == "table":
            if not self.rows or not self.rows[0]:
                raise ValueError("a table has at least a header row with one cell")
            columns = len(self.rows[0])
            if any(len(row) != columns for row in self.rows):
                raise ValueError(f"every row of a table has {columns} cells, as its header row does")
            if self.widths and len(self.widths) != columns:
                raise ValueError(f"a table with {columns} columns has {columns} widths, not {len(self.widths)}")
            if any(not (math.isfinite(width) and width > 0) for width in self.widths):
                raise ValueError("a table's column widths are positive numbers")


@dataclass(frozen=True)
class SignatureBlock:
    """Who signs: the role in capitals, room for the signature, then the full name."""

    role: str
    name: str
    note: str = ""


@dataclass(frozen=True)
class OfficialDocument:
    """A minutes or an invitation: the Decree 30 header, title, body, signatures and recipients."""

    issuer_parent: str
    issuer: str
    number: str
    place: str
    date: dt.date
    title: str
    subtitle: str
    blocks: tuple[Block, ...]
    signatures: tuple[SignatureBlock, ...]
    recipients: tuple[str, ...] = ()
    draft: bool = False

    def __post_init__(self) -> None:
        # A datetime is a date too, but its isoformat() would not read back as one.
        if type(self.date) is not dt.date:
            raise ValueError("a document's date is a date (without a time)")
        if not self.title.strip():
            raise ValueError("a document has a title")
        if len(self.signatures) > MAX_SIGNATURES:
            raise ValueError(f"a document has at most {MAX_SIGNATURES} signature blocks")


def date_line(place: str, date: dt.date) -> str:
    """The place and date line, "Hà Nội, ngày 05 tháng 01 năm 2027": days below 10 and months 1 and 2 with a 0."""
    day = f"{date.day:02d}"
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)
    return f"{place}, ngày {day} tháng {month} năm {date.year}"


# The spec: the document as JSON, which is how it reaches the sandbox's worker.


def to_spec(doc: OfficialDocument) -> dict[str, Any]:
    """The document as JSON-able data; `from_spec` reads it back."""
    return {
        "issuer_parent": doc.issuer_parent,
        "issuer": doc.issuer,
        "number": doc.number,
        "place": doc.place,
        "date": doc.date.isoformat(),
        "title": doc.title,
        "subtitle": doc.subtitle,
        "blocks": [
            {
                "kind": block.kind,
                "text": block.text,
                "items": list(block.items),
                "rows": [list(row) for row in block.rows],
                "widths": list(block.widths),
            }
            for block in doc.blocks
        ],
        "signatures": [{"role": s.role, "name": s.name, "note": s.note} for s in doc.signatures],
        "recipients": list(doc.recipients),
        "draft": doc.draft,
    }


def from_spec(spec: dict[str, Any]) -> OfficialDocument:
    """The document a spec describes; raises ValueError, saying what is wrong, on a malformed spec."""
    fields = dataclasses.fields(OfficialDocument)
    _keys(
        spec,
        "the spec",
        required=[f.name for f in fields if f.default is dataclasses.MISSING],
        allowed=[f.name for f in fields if f.default is not dataclasses.MISSING],
    )
    raw_date = _string(spec["date"], "date")
    try:
        date = dt.date.fromisoformat(raw_date)
    except ValueError:
        raise ValueError(f"date must be a date as YYYY-MM-DD, not {raw_date!r}") from None
    draft = spec.get("draft", False)
    if not isinstance(draft, bool):
        raise ValueError("draft must be true or false")
    return OfficialDocument(
        issuer_parent=_string(spec["issuer_parent"], "issuer_parent"),
        issuer=_string(spec["issuer"], "issuer"),
        number=_string(spec["number"], "number"),
        place=_string(spec["place"], "place"),
        date=date,
        title=_string(spec["title"], "title"),
        subtitle=_string(spec["subtitle"], "subtitle"),
        blocks=tuple(_block(value, f"blocks[{i}]") for i, value in enumerate(_list(spec["blocks"], "blocks"))),
        signatures=tuple(
            _signature(value, f"signatures[{i}]") for i, value in enumerate(_list(spec["signatures"], "signatures"))
        ),
        recipients=_strings(spec.get("recipients", []), "recipients"),
        draft=draft,
    )


def _keys(value: Any, where: str, required: Sequence[str], allowed: Sequence[str]) -> None:
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be an object")
    known = {*required, *allowed}
    unknown = sorted(str(key) for key in value if key not in known)
    if unknown:
        raise ValueError(f"{where} has unknown keys: {', '.join(unknown)}")
    missing = [key for key in required if key not in value]
    if missing:
        raise ValueError(f"{where} lacks {', '.join(missing)}")


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where} must be a string")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"{where} must be a list")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    return tuple(_string(item, f"{where}[{i}]") for i, item in enumerate(_list(value, where)))


def _block(value: Any, where: str) -> Block:
    _keys(value, where, required=["kind"], allowed=["text", "items", "rows", "widths"])
    widths = []
    for i, width in enumerate(_list(value.get("widths", []), f"{where}.widths")):
        # bool is an int to Python, but never a width.
        if isinstance(width, bool) or not isinstance(width, int | float):
            raise ValueError(f"{where}.widths[{i}] must be a number")
        widths.append(float(width))
    try:
        return Block(
            kind=_string(value["kind"], f"{where}.kind"),
            text=_string(value.get("text", ""), f"{where}.text"),
            items=_strings(value.get("items", []), f"{where}.items"),
            rows=tuple(
                _strings(row, f"{where}.rows[{i}]")
                for i, row in enumerate(_list(value.get("rows", []), f"{where}.rows"))
            ),
            widths=tuple(widths),
        )
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def _signature(value: Any, where: str) -> SignatureBlock:
    _keys(value, where, required=["role", "name"], allowed=["note"])
    return SignatureBlock(
        role=_string(value["role"], f"{where}.role"),
        name=_string(value["name"], f"{where}.name"),
        note=_string(value.get("note", ""), f"{where}.note"),
    )


# The sandbox job.


def compose(spec: dict[str, Any], out: str) -> dict[str, Any]:
    """The sandbox job: write the document a spec describes as a PDF to `out` (atomically); pages and bytes."""
    # pdf_work imports this module for its JOBS table, so it is imported here, when a worker runs the job.
    from ecabinet import pdf_work

    try:
        document = from_spec(spec)
    except ValueError as exc:
        raise pdf_work.Rejection("bad_spec", f"The document cannot be composed: {exc}.") from exc
    data, pages = _draw(document)
    pdf_work._write_atomically(out, data)
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
.recipient {{font-size: 11pt;}}
.page-break {{page-break-before: always;}}
"""


@dataclass(frozen=True)
class _Plan:
    """Where the layout must start a new page: before some blocks, inside tables (repeating the header)."""

    breaks: frozenset[int] = frozenset()
    # A table's block number → the data rows (from 1) that begin a page, each under a repeated header row.
    splits: tuple[tuple[int, tuple[int, ...]], ...] = ()
    signatures_break: bool = False

    def table_splits(self, number: int) -> tuple[int, ...]:
        return dict(self.splits).get(number, ())

    def split(self, number: int, starts: tuple[int, ...]) -> _Plan:
        splits = dict(self.splits)
        splits[number] = starts
        return dataclasses.replace(self, splits=tuple(sorted(splits.items())))


_Positions = dict[str, tuple[int, tuple[float, float, float, float]]]


def _draw(document: OfficialDocument) -> tuple[bytes, int]:
    import pymupdf

    plan = _Plan()
    # Each pass lays the document out; a pass that asks for no new page break is the result.
    for _ in range(MAX_LAYOUT_PASSES):
        data, positions = _lay_out(_html(document, plan))
        better = _replan(document, plan, positions)
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
    return doc.tobytes(garbage=4, deflate=True, no_new_id=True), doc.page_count


def _lay_out(markup: str) -> tuple[bytes, _Positions]:
    import pymupdf

    story = pymupdf.Story(markup, user_css=_font_css() + CSS, archive=_font_archive())
    buffer = io.BytesIO()
    writer = pymupdf.DocumentWriter(buffer)
    page = pymupdf.Rect(0, 0, PAGE_WIDTH_PT, PAGE_HEIGHT_PT)
    area = pymupdf.Rect(
        _MARGIN_LEFT_PT, _MARGIN_TOP_PT, PAGE_WIDTH_PT - _MARGIN_RIGHT_PT, PAGE_HEIGHT_PT - _MARGIN_BOTTOM_PT
    )
    positions: _Positions = {}

    def record(position: Any) -> None:
        # An element split over two pages is reported on each; its first page is where it begins.
        if position.id and position.open_close & 1 and position.id not in positions:
            positions[position.id] = (position.page_num, tuple(position.rect))

    story.write(writer, lambda _number, _filled: (page, area, None), positionfn=record)
    writer.close()
    return buffer.getvalue(), positions


@functools.cache
def _font_archive() -> pymupdf.Archive:
    import pymupdf

    archive = pymupdf.Archive()
    for name, _, _ in FONTS:
        archive.add(_font(name).buffer, f"{name}.ttf")
    return archive


@functools.cache
def _font(name: str) -> pymupdf.Font:
    import pymupdf

    return pymupdf.Font(name)


def _font_css() -> str:
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


def _html(document: OfficialDocument, plan: _Plan) -> str:
    parts = [_masthead(document)]
    parts.append(f'<p class="title" id="title">{_text(document.title.upper())}</p>')
    if document.subtitle.strip():
        parts.append(f'<p class="subtitle" id="subtitle">{_text(document.subtitle)}</p>')
    parts.append('<div class="body">')
    for number, block in enumerate(document.blocks):
        parts.append(_block_html(number, block, plan))
    # An empty element where the body ends tells on which page it ends (a split element only reports its start).
    parts.append('</div><div id="body-end"></div>')
    parts.append(_closing(document, plan.signatures_break))
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


def _block_html(number: int, block: Block, plan: _Plan) -> str:
    """A block's HTML; its first element has the id `b{number}`, a table's data rows `b{number}-{row}`."""
    brk = " page-break" if number in plan.breaks else ""
    if block.kind == "heading":
        return f'<p class="heading{brk}" id="b{number}">{_text(block.text)}</p>'
    if block.kind == "paragraph":
        return f'<p class="paragraph{brk}" id="b{number}">{_text(block.text)}</p>'
    if block.kind == "list":
        tags = [f'<p class="item{brk}" id="b{number}">'] + ['<p class="item">'] * (len(block.items) - 1)
        return "".join(f"{tag}- {_text(item)}</p>" for tag, item in zip(tags, block.items, strict=False))
    return _table_html(number, block, plan.table_splits(number))


def _table_html(number: int, block: Block, splits: tuple[int, ...]) -> str:
    # MuPDF reads a cell's width in points (not percent), without its padding and border.
    extra = 2 * GRID_PADDING_PT + GRID_LINE_PT
    header = "".join(
        f'<th style="width: {max(1.0, width - extra):.1f}pt">{_text(cell)}</th>'
        for cell, width in zip(block.rows[0], _column_widths(block), strict=True)
    )
    # MuPDF does not repeat a header row on the next page, so a table that spans pages is written as one
    # table per page, each under a copy of the header row; `splits` says where the pages begin.
    starts = sorted({1, *splits}) if len(block.rows) > 1 else [1]
    parts = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(block.rows)
        # MuPDF breaks the page before a block, not before a table: the table goes into one.
        div = '<div class="page-break">' if start in splits else "<div>"
        header_id = f"b{number}" if index == 0 else f"b{number}-h{start}"
        parts.append(f'{div}<table class="grid"><tr id="{header_id}">{header}</tr>')
        parts.extend(
            f'<tr id="b{number}-{row}">{"".join(f"<td>{_text(cell)}</td>" for cell in block.rows[row])}</tr>'
            for row in range(start, end)
        )
        parts.append("</table></div>")
    return "".join(parts)


def _column_widths(block: Block) -> list[float]:
    """Each column's width in points: as the block's widths (or its text) weigh it, never below its longest word.

    Fixed widths also keep every page of a split table in the same columns.
    """
    sample = block.rows[:MEASURED_ROWS]
    columns = range(len(block.rows[0]))
    # Without widths, a column weighs as its longest text (capped: a long text wraps rather than squeezes).
    weights = block.widths or tuple(min(40, max(len(row[c]) for row in sample)) + 3.0 for c in columns)
    extra = 2 * GRID_PADDING_PT + GRID_LINE_PT
    least = [
        extra + max(_longest_word(row[c], "notosbo" if number == 0 else "notos") for number, row in enumerate(sample))
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
    return max((_font(font).text_length(word, BODY_PT) for word in _clean(text).split()), default=0.0)


def _closing(document: OfficialDocument, page_break: bool) -> str:
    """The signature blocks, and the recipients at the bottom left (beside a single signature)."""
    signatures = [_signature_html(index, signature) for index, signature in enumerate(document.signatures)]
    recipients = _recipients_html(document.recipients)
    below = ""
    if len(signatures) == 2:
        cells = f"<td>{signatures[0]}</td><td>{signatures[1]}</td>"
        below = f'<div class="recipients-below">{recipients}</div>' if recipients else ""
    elif signatures or recipients:
        cells = f'<td class="recipients">{recipients}</td><td>{"".join(signatures)}</td>'
    else:
        return ""
    div = '<div class="page-break">' if page_break else "<div>"
    return f'{div}<table class="signatures"><tr>{cells}</tr></table>{below}</div>'


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


def _replan(document: OfficialDocument, plan: _Plan, positions: _Positions) -> _Plan | None:
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
            better = _replan_table(number, block, plan.table_splits(number), positions)
            if better is not None:
                return plan.split(number, better)
    elements = [f"sig{i}-{part}" for i in range(len(document.signatures)) for part in ("role", "name")]
    if len(document.signatures) < 2 and document.recipients:
        elements.append("recipients")
    if not plan.signatures_break and len({page(element) for element in elements}) > 1:
        # A signature block is never split from its name, nor from the recipients beside it.
        return dataclasses.replace(plan, signatures_break=True)
    last = len(document.blocks) - 1
    end = page("body-end")
    alone = bool(elements) and end is not None and page(elements[0]) != end
    # Signatures alone on a page: the last block (when it fits on one page) goes over with them.
    if alone and last >= 0 and last not in plan.breaks and page(f"b{last}") == end:
        return dataclasses.replace(plan, breaks=plan.breaks | {last})
    return None


def _replan_table(number: int, block: Block, splits: tuple[int, ...], positions: _Positions) -> tuple[int, ...] | None:
    """New page starts for a table that MuPDF broke across pages where no header row was repeated."""
    rows = len(block.rows)
    if rows < 2 or f"b{number}" not in positions:
        return None

    previous = f"b{number}"
    for row in range(1, rows):
        current = f"b{number}-{row}"
        if current not in positions:
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
    room = PAGE_HEIGHT_PT - _MARGIN_TOP_PT - _MARGIN_BOTTOM_PT
    starts = []
    used = header
    for offset, height in enumerate(heights):
        if offset and used + height > room:
            starts.append(offset)
            used = header
        used += height
    return starts


def _draw_header_lines(page: pymupdf.Page, document: OfficialDocument, positions: _Positions) -> None:
    """The rule under the issuer (1/3 to 1/2 of its line) and under the motto (as long as its line)."""
    bold = _font("notosbo")
    if "issuer" in positions:
        rect = positions["issuer"][1]
        longest = max(bold.text_length(line, ISSUER_PT) for line in _clean(document.issuer.upper()).split("\n"))
        _centred_line(page, (rect[0] + rect[2]) / 2, rect[3] + HEADER_LINE_GAP_PT, 0.4 * longest)
    if "motto" in positions:
        rect = positions["motto"][1]
        _centred_line(page, (rect[0] + rect[2]) / 2, rect[3] + HEADER_LINE_GAP_PT, bold.text_length(MOTTO, MOTTO_PT))


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
    width = _font("notos").text_length(text, PAGE_NUMBER_PT)
    centre = (_MARGIN_LEFT_PT + PAGE_WIDTH_PT - _MARGIN_RIGHT_PT) / 2
    _write(page, centre - width / 2, PAGE_NUMBER_BASELINE_MM * PT_PER_MM, text, "notos", PAGE_NUMBER_PT, (0, 0, 0))


def _draw_draft_mark(page: pymupdf.Page) -> None:
    """A boxed "DỰ THẢO" in the top margin, on the right, as drafts are marked."""
    import pymupdf

    width = _font("notosbo").text_length(DRAFT_MARK, DRAFT_PT)
    right = PAGE_WIDTH_PT - _MARGIN_RIGHT_PT
    box = pymupdf.Rect(right - width - 12, 6 * PT_PER_MM, right, 6 * PT_PER_MM + DRAFT_PT + 9)
    page.draw_rect(box, color=DRAFT_COLOR, width=1)
    _write(page, box.x0 + 6, box.y1 - 6.5, DRAFT_MARK, "notosbo", DRAFT_PT, DRAFT_COLOR)
