"""PDFs made for the tests: ordinary Vietnamese papers, and hostile files of every kind the sandbox must survive."""

from __future__ import annotations

import zlib
from pathlib import Path

import pymupdf

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "pdf-corpus"
ENCRYPTED = CORPUS / "005-libreoffice-writer-password" / "libreoffice-writer-password.pdf"
ZERO_PAGES = CORPUS / "017-unreadable-meta-data" / "unreadablemetadata.pdf"
FOUR_PAGES = CORPUS / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"
ATTACHMENT = CORPUS / "025-attachment" / "with-attachment.pdf"


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*/*.pdf"))


def paper(pages: int = 3, title: str = "Tờ trình về kế hoạch chuyển đổi số năm 2027") -> bytes:
    """An ordinary Vietnamese paper with text on every page."""
    doc = pymupdf.open()
    font = pymupdf.Font("notos")
    for number in range(1, pages + 1):
        page = doc.new_page(width=595, height=842)
        writer = pymupdf.TextWriter(page.rect)
        writer.append((72, 90), title, font=font, fontsize=14)
        writer.append((72, 130), f"Trang {number}: Ủy ban nhân dân thành phố Hà Nội đề nghị phê duyệt.", font=font)
        writer.write_text(page)
    return bytes(doc.tobytes())


def _assemble(objects: list[bytes], root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """A PDF from numbered objects (1..n) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        trailer_extra,
        xref,
    )
    return bytes(out)


def one_page(
    content: bytes, media_box: str = "0 0 595 842", catalog_extra: bytes = b"", page_extra: bytes = b""
) -> bytes:
    """A one-page PDF with the given (uncompressed) content stream."""
    return _assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox ["
            + media_box.encode()
            + b"] /Contents 4 0 R "
            + page_extra
            + b">>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        ]
    )


def huge_media_box(side: int = 1_000_000) -> bytes:
    """A page claiming to be `side` points square (a 14400 pt page once made MuPDF take 732 MB)."""
    return one_page(b"0 0 m 100 100 l S", media_box=f"0 0 {side} {side}")


def many_pages(count: int = 50_000) -> bytes:
    """A small file with `count` empty pages (pages load lazily, so opening it is instant)."""
    first_page = 3
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(count))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * count
    return _assemble(objects)


def flate_bomb(megabytes: int = 1024) -> bytes:
    """A page whose ~1 MB content stream inflates to `megabytes` MB."""
    block = b" " * (1024 * 1024)
    packer = zlib.compressobj(9)
    packed = b"".join(packer.compress(block) for _ in range(megabytes)) + packer.flush()
    return _assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
        ]
    )


def slow_page(operations: int = 6_000_000) -> bytes:
    """A page that takes many seconds to draw: millions of tiny filled rectangles."""
    packer = zlib.compressobj(9)
    op = b"1 1 1 1 re f\n"
    packed = packer.compress(op * operations) + packer.flush()
    return _assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
        ]
    )


def active(kind: str) -> bytes:
    """A one-page paper carrying active content: javascript, open_action, launch or embedded_files."""
    text = b"BT /F1 12 Tf 72 720 Td (Active content) Tj ET"
    font = b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
    if kind == "javascript":
        return one_page(
            text,
            page_extra=font,
            catalog_extra=b"/Names << /JavaScript << /Names [(x) << /S /JavaScript /JS (app.alert(1)) >>] >> >>",
        )
    if kind == "open_action":
        return one_page(text, page_extra=font, catalog_extra=b"/OpenAction << /S /JavaScript /JS (app.alert(2)) >>")
    if kind == "launch":
        annot = b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 200 200] /A << /S /Launch /F (calc.exe) >> >>]"
        return one_page(text, page_extra=font + b" " + annot)
    if kind == "embedded_files":
        doc = pymupdf.open(stream=one_page(text, page_extra=font), filetype="pdf")
        doc.embfile_add("payload.exe", b"MZ not really a program")
        return bytes(doc.tobytes())
    raise ValueError(kind)


def truncated() -> bytes:
    """A real paper cut off half-way through."""
    whole = paper(pages=6)
    return whole[: len(whole) // 2]
