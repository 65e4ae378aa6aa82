"""Annotations meeting the PDF, run by real sandbox workers: finding an annotation's words again in a new version,
and the annotated copy for download, on ordinary and rotated pages; hostile files fail the job, not the server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from ecabinet.annotated_pdf import Word, locate, page_words
from ecabinet.sandbox import PRIORITY_PROCESS, Sandbox, SandboxError
from tests import pdf_samples
from tests.test_sandbox import with_sandbox, write

LINES = [
    "Kế hoạch chuyển đổi số của thành phố năm 2027",
    "Tổng vốn đầu tư công là 89.000 tỷ đồng",
    "Xây dựng mới 25 trường học",
]


def paper(pages: list[list[str]], rotation: int = 0) -> bytes:
    doc = pymupdf.open()
    font = pymupdf.Font("notos")
    for lines in pages:
        page = doc.new_page(width=595, height=842)
        writer = pymupdf.TextWriter(page.rect)
        for n, line in enumerate(lines):
            writer.append((72, 100 + 24 * n), line, font=font, fontsize=12)
        writer.write_text(page)
        page.set_rotation(rotation)
    return bytes(doc.tobytes())


def box(path: str, page: int, phrase: str) -> list[float]:
    words = page_words(pymupdf.open(path)[page - 1])
    wanted = phrase.split()
    for i in range(len(words)):
        if [w.text for w in words[i : i + len(wanted)]] == wanted:
            run = words[i : i + len(wanted)]
            return [
                min(w.box[0] for w in run),
                min(w.box[1] for w in run),
                max(w.box[2] for w in run),
                max(w.box[3] for w in run),
            ]
    raise AssertionError(phrase)


def mark(uid: str, page: int, kind: str, geometry: dict[str, Any], quote: str = "", **fields: Any) -> dict[str, Any]:
    """An annotation as the server hands it to the sandbox (author and time for the export's summary)."""
    base = {"body": "", "color": "", "author": "Lê Văn Thành", "edited_at": "", "orphaned": False}
    return {"uuid": uid, "page": page, "kind": kind, "geometry": geometry, "anchor": {"quote": quote}} | base | fields


def run(job: str, **args: Any) -> dict[str, Any]:
    answers: list[dict[str, Any]] = []

    async def action(sandbox: Sandbox) -> None:
        answers.append(await sandbox.run(job, PRIORITY_PROCESS, **args))

    with_sandbox(action)
    return answers[0]


def near(a: list[float], b: list[float], tolerance: float = 1.0) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def test_a_quote_is_found_where_its_context_agrees() -> None:
    """The same words twice on a page: the one whose neighbours match the anchor's context is taken, then the
    nearest; a page without words gives nothing to attach to."""

    def words(text: str) -> list[Word]:
        return [Word((10.0 * i, 0.0, 10.0 * i + 8, 10.0), w, w.casefold(), (0, 0)) for i, w in enumerate(text.split())]

    page = words("vốn ngân sách năm nay và vốn ngân sách năm sau")
    anchor = locate(page, "highlight", {"rect": [60, 0, 90, 10]}, "vốn ngân sách")
    assert anchor is not None and anchor.box[0] == 60.0 and anchor.after[:2] == ["năm", "sau"]
    under = locate(page, "ink", {"points": [[0, 5], [25, 5]]}, "")
    assert under is not None and under.tokens == ["vốn", "ngân", "sách"]
    assert locate([], "note", {"rect": [0, 0, 10, 10]}, "x") is None


@pytest.mark.parametrize("rotation", [0, 90])
def test_reanchoring_in_the_sandbox_follows_text_to_another_page(tmp_path: Path, rotation: int) -> None:
    """Text moved from page 1 to page 2, on upright and rotated pages: a highlight takes the new words' boxes,
    a note moves with its words; a quote no longer there is orphaned; a scanned page keeps its place."""
    old = write(tmp_path, "old.pdf", paper([LINES, ["Phụ lục"]], rotation))
    new = write(tmp_path, "new.pdf", paper([["Phần mở đầu"], ["Căn cứ pháp lý", *LINES[1:], LINES[0]]], rotation))
    money = box(old, 1, "89.000 tỷ đồng")
    schools = box(old, 1, "25 trường học")
    annotations = [
        mark("h", 1, "highlight", {"rect": money}, quote="89.000 tỷ đồng"),
        mark("n", 1, "note", {"rect": [schools[2] + 5, schools[1], schools[2] + 29, schools[3]]}),
        mark("o", 2, "highlight", {"rect": box(old, 2, "Phụ lục")}, quote="Phụ lục"),
        mark("x", 9, "note", {"rect": [1, 1, 25, 25]}),
    ]
    answer = run("reanchor", old_path=old, new_path=new, annotations=annotations)
    placed = {p["uuid"]: p for p in answer["placed"]}
    assert sorted(answer["orphaned"]) == ["o", "x"] and set(placed) == {"h", "n"}
    assert placed["h"]["page"] == 2 and near(placed["h"]["geometry"]["rect"], box(new, 2, "89.000 tỷ đồng"))
    assert placed["h"]["anchor"]["quote"] == "89.000 tỷ đồng"
    moved = box(new, 2, "25 trường học")
    assert placed["n"]["page"] == 2
    assert near(placed["n"]["geometry"]["rect"][:2], [schools[2] + 5 + moved[0] - schools[0], moved[1]])

    scan_old = write(tmp_path, "scan-old.pdf", paper([[]], rotation))
    scan_new = write(tmp_path, "scan-new.pdf", paper([[]], rotation))
    kept = run(
        "reanchor", old_path=scan_old, new_path=scan_new, annotations=[mark("s", 1, "note", {"rect": [5, 5, 29, 29]})]
    )
    assert kept["placed"] == [{"uuid": "s", "page": 1, "geometry": {"rect": [5, 5, 29, 29]}, "anchor": {}}]


@pytest.mark.parametrize("rotation", [0, 90])
def test_the_annotated_copy_puts_each_annotation_where_it_is_shown(tmp_path: Path, rotation: int) -> None:
    """Ink, highlight and note land where the reader drew them, on a rotated page too; the copy is stamped,
    carries no script, and ends with a summary naming the notes and the orphaned one."""
    path = write(tmp_path, "paper.pdf", paper([LINES], rotation))
    money = box(path, 1, "89.000 tỷ đồng")
    when = "2026-12-03T08:00:00+00:00"
    annotations = [
        mark("h", 1, "highlight", {"rect": money, "rects": [money]}, quote="89.000 tỷ đồng", color="#ffd000"),
        mark("n", 1, "note", {"rect": [300, 300, 324, 324]}, body="Đề nghị làm rõ nguồn vốn", edited_at=when),
        mark("i", 1, "ink", {"points": [[100, 400], [200, 420, 0.8], [300, 400, 0.4]]}, color="#c00000"),
        mark("o", 4, "note", {"rect": [1, 1, 25, 25]}, quote="đã bỏ", body="Không còn chỗ", orphaned=True),
    ]
    out = str(tmp_path / "out" / "copy.pdf")
    answer = run(
        "export_annotated", path=path, out=out, line="Bản của Lê Văn Thành", title="Tờ trình", annotations=annotations
    )
    assert answer["pages"] == 1 and answer["annotations"] == 3 and answer["summary_pages"] == 1
    copy = pymupdf.open(out)
    page = copy[0]
    shown = {a.type[1]: a.rect * page.rotation_matrix for a in page.annots()}
    assert set(shown) == {"Highlight", "Text", "Ink"}
    # A highlight's appearance reaches a little past its words (its quad's height either side, at most).
    covered = shown["Highlight"]
    assert covered.contains(pymupdf.Rect(money[0] + 1, money[1] + 1, money[2] - 1, money[3] - 1))
    assert all(abs(a - b) < 25 for a, b in zip(covered, money, strict=True))
    assert near([shown["Text"].x0, shown["Text"].y0], [300, 300], 2)
    assert abs(shown["Ink"].x0 - 100) < 8 and abs(shown["Ink"].y1 - 420) < 8
    assert "Bản của Lê Văn Thành" in page.get_text()
    summary = copy[1].get_text()
    assert "Đề nghị làm rõ nguồn vốn" in summary and "Không còn chỗ" in summary and "89.000 tỷ đồng" in summary
    assert "Không đặt lại được" in summary


def test_hostile_files_fail_the_job_and_the_worker_goes_on(tmp_path: Path) -> None:
    """A damaged or encrypted file in either job is a clean rejection; the next job on the same pool succeeds."""
    good = write(tmp_path, "good.pdf", paper([LINES]))
    bad = write(tmp_path, "bad.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40)
    failures: list[str] = []
    answers: list[dict[str, Any]] = []

    async def action(sandbox: Sandbox) -> None:
        note = mark("n", 1, "note", {"rect": [1, 1, 25, 25]})
        copy = {"line": "", "title": "", "annotations": []}
        for job, args in [
            ("reanchor", {"old_path": good, "new_path": bad, "annotations": [note]}),
            ("export_annotated", {"path": bad, "out": str(tmp_path / "x.pdf"), **copy}),
            ("export_annotated", {"path": str(pdf_samples.ENCRYPTED), "out": str(tmp_path / "y.pdf"), **copy}),
        ]:
            try:
                await sandbox.run(job, PRIORITY_PROCESS, **args)
            except SandboxError as exc:
                failures.append(exc.reason)
        answers.append(
            await sandbox.run("reanchor", PRIORITY_PROCESS, old_path=good, new_path=good, annotations=[note])
        )

    with_sandbox(action)
    assert failures == ["damaged", "damaged", "encrypted"]
    assert [p["uuid"] for p in answers[0]["placed"]] == ["n"]
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "y.pdf").exists()


def test_the_server_does_not_load_mupdf() -> None:
    """Exporting and carrying annotations over are sandbox jobs: the server's modules never load MuPDF."""
    code = "import sys, ecabinet.app, ecabinet.reanchoring, ecabinet.api.annotations; print('pymupdf' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "False"
