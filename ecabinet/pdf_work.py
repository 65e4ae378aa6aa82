"""What the PDF sandbox's worker processes do with an uploaded file: inspect, extract, render, stamp.

Only `ecabinet/sandbox.py`'s workers import this module (MuPDF is C and the files are hostile, so
it never runs in the server process). Every function bounds what it does: page count, page size,
and the pixmap's longest side; memory and time are bounded by the worker's limits.
"""

from __future__ import annotations

import base64
import functools
import io
import os
import re
import sys
import tempfile
from array import array
from dataclasses import dataclass
from itertools import chain, groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

import pymupdf
from PIL import Image

from ecabinet import annotated_pdf, official_pdf, signature_check

JPEG_QUALITY = 75
THUMBNAIL_QUALITY = 70
# Catalog keys that make a viewer act on its own: scripts on open, page actions, embedded files.
ACTIVE_CATALOG_KEYS = ("OpenAction", "AA")
ACTIVE_ACTIONS = ("/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE", "/Rendition", "/URI")
MAX_SCANNED_OBJECTS = 500_000
MAX_SCANNED_FIELDS = 10_000
# Annotations that only show something (notes, highlights, shapes); every other kind can act.
MARKUP_ANNOTS = frozenset(
    {
        "/Text", "/Highlight", "/Underline", "/StrikeOut", "/Squiggly", "/Square", "/Circle", "/Line",
        "/Polygon", "/PolyLine", "/Ink", "/FreeText", "/Stamp", "/Caret", "/Popup",
    }
)  # fmt: skip
_BOX_OF = itemgetter(0, 1, 2, 3)
_WORD_OF = itemgetter(4)
_LINE_OF = itemgetter(5, 6)
_WORD_BREAK = re.compile(r"[ \n]")
WATERMARK_OPACITY = 0.16
WATERMARK_COLOR = (0.55, 0.05, 0.05)

pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)


class Rejection(Exception):
    """The file cannot be used; `reason` is a stable code, the message is for people."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Limits:
    """What a file may ask of a worker."""

    max_pages: int
    max_page_points: int

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Limits:
        return cls(int(data["max_pages"]), int(data["max_page_points"]))


def open_pdf(path: str) -> pymupdf.Document:
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:
        if "encrypted" in str(exc).lower() or "password" in str(exc).lower():
            raise Rejection("encrypted", "The PDF is protected by a password; upload an unprotected copy.") from exc
        raise Rejection("damaged", "The file is damaged and cannot be read as a PDF.") from exc
    if doc.needs_pass or doc.is_encrypted:
        raise Rejection("encrypted", "The PDF is protected by a password; upload an unprotected copy.")
    return doc


def inspect(path: str, limits: dict[str, Any]) -> dict[str, Any]:
    """Check a file against the limits and describe it: page sizes, outline, active content found."""
    bounds = Limits.from_dict(limits)
    doc = open_pdf(path)
    count = doc.page_count
    if count == 0:
        raise Rejection("no_pages", "The PDF has no readable pages.")
    if count > bounds.max_pages:
        raise Rejection("too_many_pages", f"The PDF has {count} pages; at most {bounds.max_pages} are accepted.")
    sizes: list[list[float]] = []
    for number in range(count):
        try:
            rect = doc[number].rect
        except Exception as exc:
            raise Rejection("damaged", f"Page {number + 1} is damaged and cannot be read.") from exc
        if rect.width <= 0 or rect.height <= 0:
            raise Rejection("damaged", f"Page {number + 1} has no area.")
        if max(rect.width, rect.height) > bounds.max_page_points:
            raise Rejection(
                "page_too_large",
                f"Page {number + 1} is {rect.width:.0f}×{rect.height:.0f} pt; "
                f"at most {bounds.max_page_points} pt on a side are accepted.",
            )
        sizes.append([round(rect.width, 2), round(rect.height, 2)])
    outline = [
        {"level": level, "title": str(title)[:300], "page": page}
        for level, title, page, *_ in doc.get_toc(simple=True)[:2000]
        if isinstance(page, int) and 1 <= page <= count
    ]
    return {
        "pages": count,
        "sizes": sizes,
        "outline": outline,
        "active_content": active_content(doc),
        "signed": has_signature(doc),
    }


def has_signature(doc: pymupdf.Document) -> bool:
    """Whether a form field holds a signature (a /V with a /ByteRange); reads the form's fields, not the pages."""
    waiting = _field_refs(doc, doc.pdf_catalog(), "AcroForm/Fields")
    seen: set[int] = set()
    # A hostile form can be deep, wide or cyclic: each field is read once, and only so many are read.
    while waiting and len(seen) < MAX_SCANNED_FIELDS:
        xref = waiting.pop()
        if xref in seen or not 0 < xref < doc.xref_length():
            continue
        seen.add(xref)
        try:
            if doc.xref_get_key(xref, "V/ByteRange")[0] in ("array", "xref"):
                return True
        except Exception:
            continue
        waiting.extend(_field_refs(doc, xref, "Kids"))
    return False


def _field_refs(doc: pymupdf.Document, xref: int, key: str) -> list[int]:
    """The fields an array of fields refers to; none when it cannot be read (as `active_content` skips objects)."""
    try:
        kind, value = doc.xref_get_key(xref, key)
        if kind == "xref":
            kind, value = "array", doc.xref_object(int(value.split()[0]), compressed=True)
    except Exception:
        return []
    return _outer_refs(value) if kind == "array" else []


def active_content(doc: pymupdf.Document) -> list[str]:
    """The kinds of active content a file carries (none of it is ever served)."""
    found: set[str] = set()
    catalog = doc.pdf_catalog()
    if doc.xref_get_key(catalog, "AA")[0] != "null":
        found.add("open_action")
    kind, value = doc.xref_get_key(catalog, "OpenAction")
    if kind == "xref":
        value = doc.xref_object(int(value.split()[0]), compressed=True)
    # Opening at a page ("/GoTo", or a bare destination) is harmless; running or fetching something is not.
    if any(action in value for action in ACTIVE_ACTIONS):
        found.add("open_action")
    names = doc.xref_get_key(catalog, "Names")[1]
    if "/JavaScript" in names:
        found.add("javascript")
    if doc.embfile_count() > 0:
        found.add("embedded_files")
    # Actions hide in annotations, form fields and name trees, often inline: look at every object's source.
    for xref in range(1, min(doc.xref_length(), MAX_SCANNED_OBJECTS)):
        try:
            source = doc.xref_object(xref, compressed=True)
        except Exception:
            continue
        if "/JavaScript" in source:
            found.add("javascript")
        if "/Launch" in source:
            found.add("launch")
        if "/EmbeddedFile" in source:
            found.add("embedded_files")
    return sorted(found)


def extract(path: str, first: int, last: int, thumb_width: int, thumb_dir: str) -> dict[str, Any]:
    """Text with word boxes for pages first..last (from 1), and a thumbnail of each into thumb_dir (unless 0 wide).

    A page's `text` is its words joined by spaces, one line per text line, so the n-th word of the text
    (split at spaces and line breaks) is the n-th box of `boxes`: see `page_text`.
    """
    doc = open_pdf(path)
    pages = []
    for number in range(first, last + 1):
        # One pass over the page's content serves both the text and the thumbnail.
        shown = doc[number - 1].get_displaylist()
        text, boxes = page_text(shown)
        if thumb_width:
            render_to(
                shown, thumb_width, "jpg", str(Path(thumb_dir) / f"{number}-w{thumb_width}.jpg"), THUMBNAIL_QUALITY
            )
        pages.append({"number": number, "text": text, "boxes": boxes})
    return {"pages": pages}


def page_text(shown: pymupdf.DisplayList) -> tuple[str, str]:
    """A page's text and its words' boxes, as the page is shown (rotation applied, origin top left).

    The boxes are packed: base64 of little-endian float32 quadruples (x0, y0, x1, y1) in points, one per
    word in the order of the text's words. Packing keeps the per-word work in C: formatting four
    numbers per word in Python would halve the pages per second.
    """
    words = pymupdf.TextPage(shown.get_textpage(flags=pymupdf.TEXTFLAGS_WORDS)).extractWORDS()
    text = "\n".join(" ".join(map(_WORD_OF, line)) for _, line in groupby(words, _LINE_OF))
    if words and text.count(" ") + text.count("\n") + 1 != len(words):
        # A word that holds a space or a line break of its own would shift every later box.
        text = "\n".join(
            " ".join(_WORD_BREAK.sub("\u00a0", word[4]) for word in line) for _, line in groupby(words, _LINE_OF)
        )
    packed = array("f", chain.from_iterable(map(_BOX_OF, words)))
    if sys.byteorder == "big":
        packed.byteswap()
    return text, base64.b64encode(packed.tobytes()).decode("ascii")


def _scale(page: pymupdf.Page | pymupdf.DisplayList, width: int, max_px: int) -> float:
    rect = page.rect
    scale = width / rect.width
    longest = max(rect.width, rect.height) * scale
    return scale if longest <= max_px else max_px / max(rect.width, rect.height)


@functools.cache
def _watermark_font() -> pymupdf.Font:
    """Noto Sans, which has every Vietnamese letter (loaded once per worker)."""
    return pymupdf.Font("notos")


def watermark_page(page: pymupdf.Page, text: str) -> None:
    """Write the viewer's name and the time across the page, diagonally and along the foot."""
    font = _watermark_font()
    rect = page.rect
    size = max(8.0, min(rect.width, rect.height) / 28)
    writer = pymupdf.TextWriter(rect, opacity=WATERMARK_OPACITY, color=WATERMARK_COLOR)
    step = size * 7
    y = step / 2
    while y < rect.height + rect.width:
        writer.append(pymupdf.Point(-rect.width / 2, y), (text + "    ") * 4, font=font, fontsize=size)
        y += step
    angle = pymupdf.Matrix(-30)
    writer.write_text(page, morph=(rect.tl, angle))
    footer = pymupdf.TextWriter(rect, color=WATERMARK_COLOR)
    footer.append(pymupdf.Point(12, rect.height - 8), text, font=font, fontsize=max(6.0, size / 2.5))
    footer.write_text(page)


def render_to(
    page: pymupdf.Page | pymupdf.DisplayList,
    width: int,
    fmt: str,
    out: str,
    quality: int = JPEG_QUALITY,
    max_px: int = 2400,
) -> int:
    """Render a page (or its display list) at about `width` pixels, the longest side capped, into `out`."""
    scale = _scale(page, width, max_px)
    pix = page.get_pixmap(matrix=pymupdf.Matrix(scale, scale), alpha=False, colorspace=pymupdf.csRGB)
    image = Image.frombuffer("RGB", (pix.width, pix.height), pix.samples_mv, "raw", "RGB", 0, 1)
    buffer = io.BytesIO()
    if fmt == "jpg":
        image.save(buffer, "JPEG", quality=quality)
    elif fmt == "webp":
        image.save(buffer, "WEBP", quality=quality, method=4)
    else:
        image.save(buffer, "PNG", compress_level=1)
    write_atomically(out, buffer.getvalue())
    return pix.width


def render(path: str, number: int, width: int, fmt: str, out: str, max_px: int, watermark: str = "") -> dict[str, Any]:
    """Render page `number` (from 1) as an image file; with a watermark when one is given."""
    doc = open_pdf(path)
    if not 1 <= number <= doc.page_count:
        raise Rejection("no_such_page", f"The document has no page {number}.")
    page = doc[number - 1]
    if watermark:
        watermark_page(page, watermark)
    return {"width": render_to(page, width, fmt, out, max_px=max_px)}


def stamp(path: str, out: str, line: str) -> dict[str, Any]:
    """A clean copy for download: no scripts, actions, links or attachments, each page stamped with `line`."""
    doc = open_pdf(path)
    clean(doc)
    for page in doc.pages():
        watermark_page(page, line)
    buffer = io.BytesIO()
    doc.save(buffer, garbage=3, deflate=True)
    write_atomically(out, buffer.getvalue())
    return {"bytes": buffer.tell()}


def clean(doc: pymupdf.Document) -> None:
    """Take out what a copy for download must not carry: scripts, actions, links, attachments, form actions."""
    doc.scrub(
        metadata=False,
        xml_metadata=False,
        clean_pages=False,
        hidden_text=False,
        redactions=False,
        reset_fields=False,
        reset_responses=False,
        thumbnails=False,
    )
    catalog = doc.pdf_catalog()
    for key in ACTIVE_CATALOG_KEYS:
        doc.xref_set_key(catalog, key, "null")
    # Document-level scripts and attachments live in the name tree, which scrub() leaves in place.
    if doc.xref_get_key(catalog, "Names")[0] != "null":
        for tree in ("JavaScript", "EmbeddedFiles"):
            doc.xref_set_key(catalog, f"Names/{tree}", "null")
    for page in doc.pages():
        _keep_markup_only(doc, page.xref)


def _outer_refs(array: str) -> list[int]:
    """The indirect references at the top level of a PDF array's source (inline dictionaries skipped)."""
    depth = 0
    top = []
    i = 0
    while i < len(array):
        if array.startswith("<<", i):
            depth += 1
            i += 2
        elif array.startswith(">>", i):
            depth -= 1
            i += 2
        else:
            if depth == 0:
                top.append(array[i])
            i += 1
    return [int(number) for number in re.findall(r"(\d+)\s+\d+\s+R", "".join(top))]


def _keep_markup_only(doc: pymupdf.Document, page_xref: int) -> None:
    """Keep a page's notes and markup; drop links, form fields, media, attachments and every action."""
    doc.xref_set_key(page_xref, "AA", "null")
    kind, value = doc.xref_get_key(page_xref, "Annots")
    if kind == "null":
        return
    if kind == "xref":
        value = doc.xref_object(int(value.split()[0]), compressed=True)
    kept = []
    for xref in _outer_refs(value):
        if doc.xref_get_key(xref, "Subtype")[1] in MARKUP_ANNOTS:
            doc.xref_set_key(xref, "A", "null")
            doc.xref_set_key(xref, "AA", "null")
            kept.append(f"{xref} 0 R")
    doc.xref_set_key(page_xref, "Annots", f"[{' '.join(kept)}]" if kept else "null")


def write_atomically(out: str, data: bytes) -> None:
    directory = os.path.dirname(out)
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".part")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, out)


JOBS = {
    "inspect": inspect,
    "extract": extract,
    "render": render,
    "stamp": stamp,
    "signatures": signature_check.check,
    "compose": official_pdf.compose,
    "reanchor": annotated_pdf.reanchor,
    "export_annotated": annotated_pdf.export,
}
