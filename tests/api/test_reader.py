"""The reader's server side over HTTP: the pack, page text, tablets' offline copies, Vietnamese search."""

from __future__ import annotations

import base64
import re
import struct
from typing import Any

import pymupdf
import pytest

from tests import pdf_samples
from tests.api.test_documents import finished, first_item, upload, uploaded
from tests.api.test_meetings import sample_id
from tests.conftest import error_of


def items_of(c: Any) -> list[dict[str, Any]]:
    return list(c.get(f"/api/meetings/{sample_id(c)}/items").json())


def legacy_paper() -> bytes:
    """A page whose text came out of an old TCVN3 font: Latin-1 letters where Vietnamese ones belong."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    text = "UBND thµnh phè Hµ Néi quyÕt ®Þnh vÒ viÖc ban hµnh kÕ ho¹ch chuyÓn ®æi sè n¨m 2027"
    page.insert_text((72, 90), text, fontname="helv", fontsize=11)
    page.insert_text((72, 120), text, fontname="helv", fontsize=11)
    return bytes(doc.tobytes())


def test_the_pack_lists_readable_documents_in_agenda_order(client: Any) -> None:
    """Items in reading order with their ready papers; restricted pages are not for offline; versions hidden."""
    secretary, member = client("thuky"), client("thanhvien1")
    items = items_of(secretary)
    first, second = items[0]["id"], items[1]["id"]
    shared = uploaded(secretary, first, "Tờ trình.pdf", pdf_samples.paper(pages=3))
    restricted = uploaded(secretary, second, "Báo cáo mật.pdf", pdf_samples.paper(pages=2), classification="restricted")
    revised = uploaded(secretary, first, "Tờ trình (sửa).pdf", pdf_samples.paper(pages=4), replaces=shared["id"])
    scanned = uploaded(secretary, second, "Bản scan.pdf", pdf_samples.one_page(b"0 0 1 rg 72 72 200 200 re f"))

    pack = member.get(f"/api/meetings/{sample_id(member)}/pack").json()
    assert [i["id"] for i in pack["items"]] == [i["id"] for i in items]
    by_item = {i["id"]: i["documents"] for i in pack["items"]}
    assert by_item[first] == [revised["id"]] and by_item[second] == [restricted["id"], scanned["id"]]
    docs = {d["id"]: d for d in pack["documents"]}
    assert list(docs) == [revised["id"], restricted["id"], scanned["id"]]
    assert docs[revised["id"]]["offline"] and not docs[restricted["id"]]["offline"]
    assert docs[restricted["id"]]["watermarked"] and not docs[restricted["id"]]["may_download"]
    assert docs[revised["id"]]["pages"] == 4 and len(docs[revised["id"]]["page_sizes"]) == 4
    assert (docs[scanned["id"]]["searchable"], docs[scanned["id"]]["text_encoding"]) == (False, "none")
    assert pack["pages_total"] == 4 + 2 + 1 and pack["offline_pages"] == 4 + 1
    assert pack["items"][0]["level"] == 1 and pack["widths"][0] == 200

    # Any change to the pack changes its version; a reload without changes does not.
    again = member.get(f"/api/meetings/{sample_id(member)}/pack").json()
    assert again["version"] == pack["version"]
    secretary.patch(f"/api/documents/{revised['id']}", json={"title": "Tờ trình số 12"})
    assert member.get(f"/api/meetings/{sample_id(member)}/pack").json()["version"] != pack["version"]
    assert error_of(client("phogiamdoc1").get(f"/api/meetings/{sample_id(member)}/pack"))["status"] == 404


def test_a_pages_text_comes_with_its_word_boxes(client: Any) -> None:
    """The text of a page and one box per word; cached like the page image, or never for restricted pages."""
    secretary, member = client("thuky"), client("thanhvien1")
    doc = uploaded(secretary, first_item(secretary), "Tờ trình.pdf", pdf_samples.paper(pages=2))
    answer = member.get(f"/api/documents/{doc['id']}/pages/2/text")
    assert answer.status_code == 200 and "immutable" in answer.headers["cache-control"]
    page = answer.json()
    assert "Trang 2: Ủy ban nhân dân thành phố Hà Nội" in page["text"]
    words = [w for w in re.split(r"[ \n]", page["text"]) if w]
    boxes = list(struct.iter_unpack("<4f", base64.b64decode(page["boxes"])))
    assert len(boxes) == len(words) and (page["width"], page["height"]) == (595, 842)
    assert all(0 <= x0 < x1 <= 595 and 0 <= y0 < y1 <= 842 for x0, y0, x1, y1 in boxes)
    assert error_of(member.get(f"/api/documents/{doc['id']}/pages/3/text"))["status"] == 404

    secret = uploaded(secretary, first_item(secretary), "Mật.pdf", pdf_samples.paper(pages=1), classification="secret")
    refused = member.get(f"/api/documents/{secret['id']}/pages/1/text")
    assert refused.status_code == 403  # the meeting is not in session
    restricted = uploaded(
        secretary, first_item(secretary), "Hạn chế.pdf", pdf_samples.paper(1), classification="restricted"
    )
    seen = member.get(f"/api/documents/{restricted['id']}/pages/1/text")
    assert seen.status_code == 200 and seen.headers["cache-control"] == "no-store"


def test_tablets_report_their_offline_copy_to_the_managers(client: Any) -> None:
    """A member's tablet reports what it holds; the secretary sees every tablet, members see nothing."""
    secretary, member = client("thuky"), client("thanhvien1")
    uploaded(secretary, first_item(secretary), "Tờ trình.pdf", pdf_samples.paper(pages=2))
    mid = sample_id(member)
    version = member.get(f"/api/meetings/{mid}/pack").json()["version"]
    body = {"device_id": "tablet-7", "device_label": "iPad phòng họp", "version": version, "pages_cached": 2,
            "pages_total": 2, "complete": True}  # fmt: skip
    first = member.post(f"/api/meetings/{mid}/pack/status", json=body)
    assert first.status_code == 200 and first.json()["complete"] is True
    again = member.post(f"/api/meetings/{mid}/pack/status", json={**body, "pages_cached": 1, "complete": True})
    assert again.json()["complete"] is False  # not complete with a page missing
    rows = secretary.get(f"/api/meetings/{mid}/pack/status").json()
    assert [(r["name"], r["device_id"], r["pages_cached"], r["current"]) for r in rows] == [
        ("Lê Văn Thành", "tablet-7", 1, True)
    ]
    assert error_of(member.get(f"/api/meetings/{mid}/pack/status"))["status"] == 403
    bad = member.post(f"/api/meetings/{mid}/pack/status", json={**body, "pages_cached": -1})
    assert error_of(bad)["status"] == 422
    assert error_of(client("phogiamdoc1").post(f"/api/meetings/{mid}/pack/status", json=body))["status"] == 404
    assert len(secretary.get(f"/api/meetings/{mid}/pack/status").json()) == 1


@pytest.mark.parametrize(
    "query",
    ["ke hoach chuyen doi so", "Kế hoạch chuyển đổi số", "KE HOACH CHUYEN DOI SO", "chuyen doi s", "de nghi phe duyet"],
)
def test_search_finds_vietnamese_with_or_without_diacritics(client: Any, query: str) -> None:
    """Folded on both sides: no diacritics, capitals, đ typed as d, and the last word as a prefix all match."""
    secretary = client("thuky")
    doc = uploaded(secretary, first_item(secretary), "Tờ trình.pdf", pdf_samples.paper(pages=3))
    answer = client("thanhvien1").get("/api/search", params={"q": query, "meeting_id": sample_id(secretary)})
    assert answer.status_code == 200, answer.text
    hits = answer.json()["results"]
    assert sorted(h["page"] for h in hits) == [1, 2, 3] and {h["document_id"] for h in hits} == {doc["id"]}
    hit = hits[0]
    marked = [hit["snippet"][start:end] for start, end in hit["highlights"]]
    wanted = re.findall(r"\w+", query.lower())
    assert len(marked) >= len(wanted) and len(hit["boxes"]) == len(marked)
    if "ke" in query.lower():
        assert marked[:4] == ["kế", "hoạch", "chuyển", "đổi"]


def test_search_highlights_the_right_words_and_boxes(client: Any) -> None:
    """The snippet marks exactly the matching words, and their boxes are those words' boxes on the page."""
    secretary = client("thuky")
    doc = uploaded(secretary, first_item(secretary), "Tờ trình.pdf", pdf_samples.paper(pages=1))
    hit = client("thanhvien1").get("/api/search", params={"q": "ha noi"}).json()["results"][0]
    assert hit["document_id"] == doc["id"] and hit["page"] == 1 and hit["item_number"] == "1"
    assert [hit["snippet"][s:e] for s, e in hit["highlights"]] == ["Hà", "Nội"]
    with pymupdf.open(stream=pdf_samples.paper(pages=1)) as pdf:
        expected = [w[:4] for w in pdf[0].get_text("words") if w[4] in ("Hà", "Nội")]
    assert len(hit["boxes"]) == 2
    for got, want in zip(hit["boxes"], expected, strict=True):
        assert got == pytest.approx(list(want), abs=0.2)


def test_search_never_shows_what_the_user_may_not_read(client: Any) -> None:
    """Unpublished, replaced, secret (outside the session) and other meetings' text is never found."""
    secretary, member = client("thuky"), client("thanhvien1")
    item = first_item(secretary)
    uploaded(secretary, item, "Mật.pdf", pdf_samples.paper(1, "Phương án di dời trụ sở"), classification="secret")
    old = uploaded(secretary, item, "Cũ.pdf", pdf_samples.paper(1, "Dự thảo lần một về cầu Tứ Liên"))
    uploaded(secretary, item, "Mới.pdf", pdf_samples.paper(1, "Dự thảo lần hai"), replaces=old["id"])
    finance_item = client("phogiamdoc1").get("/api/submissions").json()[0]["item"]["id"]
    submitted = client("phogiamdoc1").post(
        f"/api/items/{finance_item}/submissions",
        files=[("file", ("Báo cáo.pdf", pdf_samples.paper(1, "Quyết toán vốn đầu tư công"), "application/pdf"))],
    )
    finished(secretary, submitted.json()[0]["document"]["id"])
    for query in ("di doi tru so", "cau tu lien", "quyet toan von"):
        assert member.get("/api/search", params={"q": query}).json()["results"] == [], query
        assert client("phogiamdoc1").get("/api/search", params={"q": query}).json()["results"] == []
    # The secretariat finds the secret paper; the member finds the current version.
    assert secretary.get("/api/search", params={"q": "di doi tru so"}).json()["results"]
    assert member.get("/api/search", params={"q": "lan hai"}).json()["results"]
    assert error_of(member.get("/api/search", params={"q": "a"}))["status"] == 422
    assert error_of(member.get("/api/search", params={"q": "x", "meeting_id": 999}))["status"] == 422


def test_unsearchable_documents_are_flagged(client: Any) -> None:
    """A scan and a paper in an old TCVN3 font are listed as not searchable, with the reason."""
    secretary = client("thuky")
    item = first_item(secretary)
    scan = upload(secretary, item, ("Bản scan.pdf", pdf_samples.one_page(b"0 0 1 rg 72 72 200 200 re f")))
    old = upload(secretary, item, ("Công văn cũ.pdf", legacy_paper()))
    finished(secretary, scan.json()[0]["id"], old.json()[0]["id"])
    answer = client("thanhvien1").get("/api/search", params={"q": "ke hoach", "meeting_id": sample_id(secretary)})
    flagged = {f["title"]: f["reason"] for f in answer.json()["not_searchable"]}
    assert flagged == {"Bản scan": "no_text", "Công văn cũ": "legacy_encoding"}
