"""Minutes and invitations as PDF (Decree 30/2020 layout), drawn by real PyMuPDF and read back from the file."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from ecabinet.official_document import Block, OfficialDocument, SignatureBlock, date_line, from_spec, to_spec
from ecabinet.official_pdf import render
from ecabinet.sandbox import PRIORITY_PROCESS, Sandbox, SandboxError, SandboxLimits

MEMBERS = (
    ("Nguyễn Thị Thủy", "Phó Chủ tịch UBND Thành phố", "Chủ tọa"),
    ("Trần Đức Hưởng", "Giám đốc Sở Tài chính", "Thành viên"),
    ("Phạm Quốc Việt", "Chánh Văn phòng UBND Thành phố", "Thư ký"),
    ("Lê Thị Ngọc Ánh", "Giám đốc Sở Kế hoạch và Đầu tư", "Thành viên"),
    ("Đỗ Mạnh Cường", "Giám đốc Sở Xây dựng", "Vắng (có lý do)"),
)
CONCLUSION = (
    "Giao Sở Tài chính chủ trì, phối hợp với Sở Kế hoạch và Đầu tư, Văn phòng UBND Thành phố và các đơn vị "
    "liên quan hoàn thiện dự thảo Nghị quyết về phân bổ dự toán ngân sách năm 2027, trình Hội đồng nhân dân "
    "Thành phố; hoàn thành trước ngày 15/12/2026."
)
TOP_MARGIN = pymupdf.Rect(0, 0, 595, 16 * 72 / 25.4)
AGENDA = (
    "Báo cáo tình hình kinh tế - xã hội tháng 11 và nhiệm vụ trọng tâm tháng 12 năm 2026;",
    "Tờ trình về phân bổ dự toán ngân sách năm 2027 của Thành phố;",
    "Đề án xây dựng chính quyền số Thành phố Hà Nội giai đoạn 2026-2030.",
)


def minutes(attendance_rows: int = 0, draft: bool = False, paragraphs: int = 0) -> OfficialDocument:
    attendance = [("STT", "Họ và tên", "Chức vụ", "Tham dự")]
    attendance += [(str(n), name, office, role) for n, (name, office, role) in enumerate(MEMBERS, 1)]
    attendance += [
        (str(len(MEMBERS) + n), f"Đại biểu thứ {n} Nguyễn Văn Ước", "Chuyên viên Văn phòng UBND Thành phố", "Có mặt")
        for n in range(1, attendance_rows + 1)
    ]
    extra = tuple(
        Block("paragraph", f"Đoạn ý kiến thứ {n}: " + "các đại biểu thảo luận, góp ý về dự thảo. " * 6)
        for n in range(1, paragraphs + 1)
    )
    return OfficialDocument(
        issuer_parent="",
        issuer="Ủy ban nhân dân\nThành phố Hà Nội",
        number="15/BB-UBND",
        place="Hà Nội",
        date=dt.date(2026, 11, 29),
        title="Biên bản",
        subtitle="Phiên họp thường kỳ tháng 11 năm 2026 của UBND Thành phố",
        blocks=(
            Block("heading", "I. THỜI GIAN, ĐỊA ĐIỂM"),
            Block("paragraph", "Thời gian: bắt đầu lúc 08 giờ 00, thứ Bảy, ngày 29/11/2026."),
            Block("paragraph", "Địa điểm: Phòng họp số 1, trụ sở UBND Thành phố, số 12 Lê Lai, Hà Nội."),
            Block("heading", "II. THÀNH PHẦN THAM DỰ"),
            Block("table", rows=tuple(attendance), widths=(0.6, 2.6, 3.2, 1.6)),
            Block("heading", "III. NỘI DUNG"),
            Block("list", items=AGENDA),
            *extra,
            Block("paragraph", "Biểu quyết (công khai):"),
            Block(
                "table",
                rows=(
                    ("Nội dung", "Tán thành", "Không tán thành", "Không biểu quyết", "Kết quả"),
                    ("Tờ trình phân bổ dự toán ngân sách năm 2027", "25/27", "1/27", "1/27", "Thông qua"),
                ),
            ),
            Block("paragraph", f"Kết luận: {CONCLUSION}"),
        ),
        signatures=(
            SignatureBlock("Thư ký", "Phạm Quốc Việt"),
            SignatureBlock("Chủ tọa", "Nguyễn Thị Thủy", "(Đã ký)"),
        ),
        draft=draft,
    )


def invitation() -> OfficialDocument:
    return OfficialDocument(
        issuer_parent="UBND Thành phố Hà Nội",
        issuer="Văn phòng",
        number="102/GM-VP",
        place="Hà Nội",
        date=dt.date(2027, 1, 5),
        title="Giấy mời",
        subtitle="Dự phiên họp thường kỳ tháng 01 năm 2027 của UBND Thành phố",
        blocks=(
            Block("paragraph", "Văn phòng UBND Thành phố trân trọng kính mời:"),
            Block("list", items=("Đồng chí Trần Đức Hưởng, Giám đốc Sở Tài chính;",)),
            Block("paragraph", "Thời gian: 08 giờ 00, thứ Năm, ngày 07/01/2027."),
            Block("paragraph", "Địa điểm: Phòng họp số 1, trụ sở UBND Thành phố, số 12 Lê Lai, Hà Nội."),
        ),
        signatures=(SignatureBlock("TL. Chủ tịch\nChánh Văn phòng", "Phạm Quốc Việt"),),
        recipients=("Như trên;", "Chủ tịch UBND Thành phố (để báo cáo);", "Lưu: VT, TH."),
    )


def opened(document: OfficialDocument) -> pymupdf.Document:
    return pymupdf.open("pdf", render(document))


def flat(text: str) -> str:
    """Text as compared: composed Unicode, every run of white space (line breaks included) as one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def page_texts(doc: pymupdf.Document) -> list[str]:
    return [doc[number].get_text() for number in range(doc.page_count)]


def top_margin_words(page: pymupdf.Page) -> list[str]:
    # Above the first line's accents, which reach into the 20 mm margin.
    return [word[4] for word in page.get_text("words", clip=TOP_MARGIN)]


def test_minutes_text_reads_back_exactly_with_every_glyph_and_font_embedded() -> None:
    """Every name, the title, the agenda and the conclusion come back letter for letter, from embedded Noto fonts."""
    document = minutes()
    doc = opened(document)
    text = flat("\n".join(page_texts(doc)))
    expected = [
        "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 15/BB-UBND",
        "Hà Nội, ngày 29 tháng 11 năm 2026",
        "BIÊN BẢN",
        document.subtitle,
        *(name for name, _, _ in MEMBERS),
        *(office for _, office, _ in MEMBERS),
        *AGENDA,
        "Thông qua",
        CONCLUSION,
        "THƯ KÝ",
        "CHỦ TỌA",
        "(Đã ký)",
    ]
    assert [phrase for phrase in expected if flat(phrase) not in text] == []
    assert "\ufffd" not in text
    for number in range(doc.page_count):
        for span in doc[number].get_texttrace():
            # Glyph 0 is .notdef: a letter the font could not draw.
            assert all(glyph != 0 and char != 0xFFFD for char, glyph, *_ in span["chars"])
        fonts = doc.get_page_fonts(number)
        assert fonts and all(ext != "n/a" for _, ext, *_ in fonts), fonts
        assert all("Noto Sans" in basefont for _, _, _, basefont, *_ in fonts), fonts
    assert doc.metadata is not None
    assert doc.metadata["title"] == f"Biên bản {document.subtitle}"
    assert doc.metadata["author"] == "Ủy ban nhân dân Thành phố Hà Nội"
    assert doc.metadata["creator"] == "eCabinet"
    assert doc.language == "vi"


def test_two_signatures_stand_left_and_right_with_room_to_sign() -> None:
    """The secretary signs on the left, the chair on the right, each name about 25 mm under the role."""
    doc = opened(minutes())
    page = doc[doc.page_count - 1]
    middle = page.rect.width / 2
    (secretary,) = page.search_for("THƯ KÝ")
    (chair,) = page.search_for("CHỦ TỌA")
    secretary_name = page.search_for("Phạm Quốc Việt")[-1]
    chair_name = page.search_for("Nguyễn Thị Thủy")[-1]
    assert secretary.x1 < middle < chair.x0
    assert secretary_name.x1 < middle < chair_name.x0
    for role, name in ((secretary, secretary_name), (chair, chair_name)):
        assert name.y0 - role.y1 >= 24 * 72 / 25.4
    assert abs(secretary_name.y0 - chair_name.y0) < 1


def test_invitation_has_the_decree_header_and_recipients_at_the_bottom_left() -> None:
    """An invitation: issuer, national motto, number, date line with leading zeros; "Nơi nhận" left of the signature."""
    doc = opened(invitation())
    assert doc.page_count == 1
    page = doc[0]
    text = flat(page.get_text())
    for phrase in (
        "UBND THÀNH PHỐ HÀ NỘI",
        "VĂN PHÒNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 102/GM-VP",
        "Hà Nội, ngày 05 tháng 01 năm 2027",
        "GIẤY MỜI",
        "Nơi nhận:",
        "- Như trên;",
        "- Chủ tịch UBND Thành phố (để báo cáo);",
        "- Lưu: VT, TH.",
        "TL. CHỦ TỊCH CHÁNH VĂN PHÒNG",
        "Phạm Quốc Việt",
    ):
        assert flat(phrase) in text, phrase
    (title,) = page.search_for("GIẤY MỜI")
    (recipients,) = page.search_for("Nơi nhận")
    (signer,) = page.search_for("TL. CHỦ TỊCH")
    assert recipients.x0 < page.rect.width / 2 < signer.x0
    assert recipients.y0 > title.y1
    assert abs(recipients.y0 - signer.y0) < 3
    # The national name and motto sit in the right column, the issuer in the left.
    (nation,) = page.search_for("CỘNG HÒA XÃ HỘI")
    issuer = min(page.search_for("VĂN PHÒNG"), key=lambda rect: rect.y0)
    assert issuer.x1 < nation.x0 and abs(issuer.y0 - nation.y0) < 20
    assert top_margin_words(page) == []


@pytest.mark.parametrize(
    ("date", "line"),
    [
        (dt.date(2027, 1, 5), "Hà Nội, ngày 05 tháng 01 năm 2027"),
        (dt.date(2026, 2, 10), "Hà Nội, ngày 10 tháng 02 năm 2026"),
        (dt.date(2026, 3, 9), "Hà Nội, ngày 09 tháng 3 năm 2026"),
        (dt.date(2026, 11, 29), "Hà Nội, ngày 29 tháng 11 năm 2026"),
    ],
)
def test_the_date_line_writes_a_zero_before_days_below_10_and_months_1_and_2(date: dt.date, line: str) -> None:
    """Decree 30: "ngày 05 tháng 01", but "tháng 3" and "tháng 11"."""
    assert date_line("Hà Nội", date) == line


def test_a_long_draft_is_marked_on_every_page_numbered_from_page_2_and_repeats_table_headers() -> None:
    """300 attendance rows: every page says DỰ THẢO, pages 2.. carry their number at the top, each under a header."""
    document = minutes(attendance_rows=300, draft=True)
    doc = opened(document)
    assert doc.page_count >= 5
    texts = page_texts(doc)
    assert all("DỰ THẢO" in text for text in texts)
    assert "DỰ" in top_margin_words(doc[0]) and "1" not in top_margin_words(doc[0])
    for number in range(1, doc.page_count):
        page = doc[number]
        words = top_margin_words(page)
        assert str(number + 1) in words, (number, words)
        (mark,) = page.search_for(str(number + 1), clip=TOP_MARGIN)
        centre = (30 + (210 - 15)) / 2 * 72 / 25.4
        assert abs((mark.x0 + mark.x1) / 2 - centre) < 2
    rows_on = [flat(text).count(" Nguyễn Văn Ước ") for text in texts]
    assert sum(rows_on) == 300
    for text, rows in zip(texts, rows_on, strict=True):
        if rows:
            assert "Họ và tên" in text
    every = flat("\n".join(texts))
    assert all(f"Đại biểu thứ {n} Nguyễn Văn Ước" in every for n in range(1, 301))
    assert flat(CONCLUSION) in every


@pytest.mark.parametrize("paragraphs", range(0, 9))
def test_signatures_are_never_split_nor_alone_on_a_page(paragraphs: int) -> None:
    """However the body ends, each role, its name and some of the body share the last page."""
    doc = opened(minutes(paragraphs=paragraphs))
    last = doc[doc.page_count - 1].get_text()
    body, _, closing = last.partition("THƯ KÝ")
    assert flat(closing).startswith("Phạm Quốc Việt CHỦ TỌA (Đã ký) Nguyễn Thị Thủy")
    assert flat(CONCLUSION)[-30:] in flat(body)


def test_a_table_cell_longer_than_a_page_is_cut_over_pages_without_losing_a_word() -> None:
    """MuPDF cannot break a table row: a 6000-word opinion is cut into rows, each page under the header row."""
    speech = " ".join(f"ý{n}" for n in range(6000))
    table = Block("table", rows=(("STT", "Ý kiến đại biểu"), ("1", "Ngắn."), ("2", speech), ("3", "Cuối.")))
    doc = opened(dataclasses.replace(minutes(), blocks=(table, Block("paragraph", CONCLUSION))))
    texts = page_texts(doc)
    words = flat(" ".join(texts)).split()
    assert [word for word in words if word.startswith("ý")] == speech.split()
    assert all("Ý kiến đại biểu" in text for text in texts if "ý" in text)
    assert flat(CONCLUSION) in flat(" ".join(texts))


def test_a_long_list_of_recipients_runs_on_below_the_signature() -> None:
    """Sixty recipients do not fit beside the signature; they follow it, and every one is printed."""
    recipients = tuple(f"Ủy ban nhân dân phường số {n};" for n in range(1, 61))
    doc = opened(dataclasses.replace(invitation(), recipients=recipients))
    text = flat(" ".join(page_texts(doc)))
    assert all(f"- {recipient}" in text for recipient in recipients)
    assert text.index("Phạm Quốc Việt") < text.index("Nơi nhận:")


def test_markup_in_the_data_is_printed_literally() -> None:
    """Angle brackets and entities in a title, a paragraph or a cell come out as typed, never as markup."""
    tricky = "Về việc <b>khẩn</b> &amp; <script>x</script> A&B"
    document = dataclasses.replace(
        minutes(),
        title="Biên bản <b>họp</b> &amp;",
        subtitle=tricky,
        blocks=(Block("paragraph", tricky), Block("table", rows=(("Nội dung", "Ghi chú"), (tricky, "</td></tr>")))),
    )
    doc = opened(document)
    text = flat("\n".join(page_texts(doc)))
    assert "BIÊN BẢN <B>HỌP</B> &AMP;" in text
    assert text.count(tricky) == 3
    assert "</td></tr>" in text
    assert doc.metadata is not None and doc.metadata["title"] == f"Biên bản <b>họp</b> &amp; {tricky}"


def test_unfilled_number_keeps_its_blank_and_decomposed_text_is_composed() -> None:
    """ "Số:      /BB-UBND" keeps room for the number; text typed in decomposed Unicode is printed composed."""
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Thủy")
    document = dataclasses.replace(minutes(), number="      /BB-UBND", blocks=(Block("paragraph", decomposed),))
    text = opened(document)[0].get_text()
    assert "Số:       /BB-UBND" in text
    assert "Nguyễn Thị Thủy" in text


def test_the_spec_reads_back_as_the_same_document() -> None:
    """from_spec(to_spec(doc)) == doc, also through JSON, for minutes, invitations and drafts."""
    for document in (minutes(), invitation(), minutes(draft=True, attendance_rows=3)):
        spec = to_spec(document)
        assert from_spec(spec) == document
        assert from_spec(json.loads(json.dumps(spec))) == document


def _spec_with(change: Any) -> dict[str, Any]:
    spec = to_spec(minutes())
    change(spec)
    return spec


@pytest.mark.parametrize(
    "change",
    [
        lambda spec: spec.pop("issuer"),
        lambda spec: spec.update(colour="red"),
        lambda spec: spec.update(date="29/11/2026"),
        lambda spec: spec.update(date=20261129),
        lambda spec: spec.update(title="  "),
        lambda spec: spec.update(draft="yes"),
        lambda spec: spec.update(recipients="Như trên"),
        lambda spec: spec.update(blocks={}),
        lambda spec: spec["blocks"].append({"kind": "image", "text": "x"}),
        lambda spec: spec["blocks"].append({"text": "x"}),
        lambda spec: spec["blocks"].append({"kind": "heading", "text": 3}),
        lambda spec: spec["blocks"].append({"kind": "heading", "text": "x", "items": ["y"]}),
        lambda spec: spec["blocks"].append({"kind": "table", "rows": []}),
        lambda spec: spec["blocks"].append({"kind": "table", "rows": [["a", "b"], ["c"]]}),
        lambda spec: spec["blocks"].append({"kind": "table", "rows": [["a", "b"]], "widths": [1]}),
        lambda spec: spec["blocks"].append({"kind": "table", "rows": [["a", "b"]], "widths": [1, -1]}),
        lambda spec: spec["blocks"].append({"kind": "table", "rows": [["a", "b"]], "widths": [1, True]}),
        lambda spec: spec["signatures"].append({"role": "X", "name": "Y"}),
        lambda spec: spec["signatures"].append({"role": "X"}),
        lambda spec: spec["signatures"][0].update(name=None),
    ],
)
def test_from_spec_rejects_a_bad_spec(change: Any) -> None:
    """A missing, unknown or mistyped field, a ragged table or a third signature is a ValueError."""
    with pytest.raises(ValueError):
        from_spec(_spec_with(change))


def test_importing_the_module_does_not_load_mupdf() -> None:
    """The server builds specs with this module; MuPDF is only loaded by the sandbox's workers that draw."""
    code = "import sys, ecabinet.official_pdf; print('pymupdf' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "False"


def test_compose_in_the_sandbox_writes_the_same_pdf(tmp_path: Path) -> None:
    """The `compose` job, run by a real worker process, writes the very bytes `render` makes, atomically."""
    documents = {"minutes": minutes(), "long": minutes(attendance_rows=300, draft=True), "invitation": invitation()}
    answers: dict[str, dict[str, Any]] = {}
    failure: list[SandboxError] = []

    async def main() -> None:
        sandbox = Sandbox(SandboxLimits(workers=1, memory_bytes=512 * 1024 * 1024, job_timeout_secs=60.0))
        await sandbox.start()
        try:
            for name, document in documents.items():
                out = str(tmp_path / "out" / f"{name}.pdf")
                answers[name] = await sandbox.run("compose", PRIORITY_PROCESS, spec=to_spec(document), out=out)
            bad = to_spec(minutes())
            bad["blocks"].append({"kind": "image"})
            try:
                await sandbox.run("compose", PRIORITY_PROCESS, spec=bad, out=str(tmp_path / "bad.pdf"))
            except SandboxError as exc:
                failure.append(exc)
        finally:
            await sandbox.stop()

    asyncio.run(main())
    for name, document in documents.items():
        data = (tmp_path / "out" / f"{name}.pdf").read_bytes()
        assert data == render(document)
        assert answers[name] == {"pages": pymupdf.open("pdf", data).page_count, "bytes": len(data)}
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["invitation.pdf", "long.pdf", "minutes.pdf"]
    assert [exc.reason for exc in failure] == ["bad_spec"]
    assert "blocks[" in failure[0].message
    assert not (tmp_path / "bad.pdf").exists()
