"""An administrative document (biên bản, giấy mời) as data: what `official_pdf` lays out per Decree 30/2020.

Pure: the server builds an `OfficialDocument` from the meeting's record and sends `to_spec(doc)`, plain JSON,
to the PDF sandbox; the worker reads it back with `from_spec`, which trusts nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

KINDS = ("heading", "paragraph", "list", "table")
MAX_SIGNATURES = 2
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
