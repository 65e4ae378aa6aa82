"""Annotations beyond the tablet: carried over to a paper's new version by their words, exported on a copy of the
paper, found by search; another member's private ones on none of these routes."""

from __future__ import annotations

import base64
import json
import struct
import time
import uuid
from typing import Any

import pymupdf
import pytest

from tests.api.test_annotations import note, put, rows
from tests.api.test_documents import uploaded
from tests.api.test_meetings import sample_id
from tests.conftest import LiveServer, error_of

CARRY_TIMEOUT_SECS = 60
BUDGET = "Tổng vốn đầu tư công của thành phố năm 2027 là 89.000 tỷ đồng"
SCHOOLS = "Xây dựng mới 25 trường học tại các xã ngoại thành"
DROPPED = "Nội dung này được lược bỏ trong bản sửa"
CLOSING = "Ủy ban nhân dân thành phố đề nghị Hội đồng nhân dân xem xét"


def text_pdf(pages: list[list[str]]) -> bytes:
    """A paper whose pages hold these lines, one under another."""
    doc = pymupdf.open()
    font = pymupdf.Font("notos")
    for lines in pages:
        page = doc.new_page(width=595, height=842)
        writer = pymupdf.TextWriter(page.rect)
        for n, line in enumerate(lines):
            writer.append((72, 100 + 24 * n), line, font=font, fontsize=12)
        writer.write_text(page)
    return bytes(doc.tobytes())


def words_of(c: Any, document_id: int, page: int) -> list[tuple[str, list[float]]]:
    """The page's words with their boxes, as the reader has them."""
    text = c.get(f"/api/documents/{document_id}/pages/{page}/text").json()
    raw = base64.b64decode(text["boxes"])
    boxes = [list(struct.unpack_from("<4f", raw, i * 16)) for i in range(len(raw) // 16)]
    return list(zip(text["text"].split(), boxes, strict=True))


def box_of(words: list[tuple[str, list[float]]], phrase: str) -> list[float]:
    """The box around a run of words on a page."""
    wanted = phrase.split()
    for i in range(len(words)):
        if [w for w, _ in words[i : i + len(wanted)]] == wanted:
            found = [b for _, b in words[i : i + len(wanted)]]
            return [
                min(b[0] for b in found),
                min(b[1] for b in found),
                max(b[2] for b in found),
                max(b[3] for b in found),
            ]
    raise AssertionError(f"{phrase!r} is not on the page")


def carried(c: Any, document_id: int, count: int) -> list[dict[str, Any]]:
    """The member's annotations on a version once `count` of them are there."""
    deadline = time.monotonic() + CARRY_TIMEOUT_SECS
    while True:
        listed = c.get(f"/api/documents/{document_id}/annotations").json()
        if len(listed) >= count:
            return listed
        assert time.monotonic() < deadline, listed
        time.sleep(0.1)


def near(a: list[float], b: list[float], tolerance: float = 1.0) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def test_annotations_follow_their_words_to_a_new_version_and_the_lost_are_listed(
    server: LiveServer, client: Any
) -> None:
    """The revised paper moves the budget sentence to page 2 and drops one sentence: the highlight lands on the
    moved words, the note and the ink move with the words under them, the one on dropped text is orphaned and
    still listed; an edit from a tablet still on the old version changes its text but not its place."""
    secretary, member, other = client("thuky"), client("thanhvien1"), client("thanhvien2")
    item = secretary.get(f"/api/meetings/{sample_id(secretary)}/items").json()[0]["id"]
    old = uploaded(secretary, item, "v1.pdf", text_pdf([[BUDGET, SCHOOLS, DROPPED, CLOSING], ["Phụ lục"]]))
    words = words_of(member, old["id"], 1)
    budget, dropped, schools = box_of(words, "89.000 tỷ đồng"), box_of(words, DROPPED), box_of(words, SCHOOLS)
    ids = {name: str(uuid.uuid4()) for name in ("highlight", "note", "ink", "dropped", "theirs")}
    made = [
        (
            member,
            ids["highlight"],
            note(
                old,
                kind="highlight",
                geometry={"rect": budget, "rects": [budget]},
                anchor={"quote": "89.000 tỷ đồng", "prefix": "năm 2027 là", "suffix": ""},
                body="Nguồn vốn?",
            ),
        ),
        (member, ids["note"], note(old, geometry={"rect": [schools[2] + 10, schools[1], schools[2] + 34, schools[3]]})),
        (
            member,
            ids["ink"],
            note(
                old, kind="ink", geometry={"points": [[schools[0], schools[3] + 2], [schools[2], schools[3] + 2, 0.6]]}
            ),
        ),
        (member, ids["dropped"], note(old, kind="highlight", geometry={"rect": dropped}, anchor={"quote": DROPPED})),
        (other, ids["theirs"], note(old, geometry={"rect": [72, 300, 96, 324]}, body="Của người khác")),
    ]
    for who, uid, body in made:
        assert put(who, uid, body).status_code == 201

    revised = [["Phần mở đầu được thêm vào bản sửa", "Căn cứ Luật Đầu tư công"], [CLOSING, BUDGET, SCHOOLS]]
    new = uploaded(secretary, item, "v2.pdf", text_pdf(revised), replaces=old["id"])
    assert new["state"] == "ready" and new["current"]
    listed = {a["uuid"]: a for a in carried(member, new["id"], 4)}
    assert set(listed) == {ids["highlight"], ids["note"], ids["ink"], ids["dropped"]}
    assert all(a["document_id"] == new["id"] and a["version"] == 1 for a in listed.values())

    moved = words_of(member, new["id"], 2)
    highlight = listed[ids["highlight"]]
    assert (highlight["page"], highlight["orphaned"], highlight["body"]) == (2, False, "Nguồn vốn?")
    assert near(highlight["geometry"]["rect"], box_of(moved, "89.000 tỷ đồng"))
    assert highlight["anchor"]["quote"] == "89.000 tỷ đồng" and highlight["anchor"]["prefix"].endswith("năm 2027 là")
    schools_now = box_of(moved, SCHOOLS)
    shift = [schools_now[0] - schools[0], schools_now[1] - schools[1]]
    placed_note = listed[ids["note"]]
    assert placed_note["page"] == 2 and not placed_note["orphaned"]
    assert near(placed_note["geometry"]["rect"][:2], [schools[2] + 10 + shift[0], schools[1] + shift[1]])
    ink = listed[ids["ink"]]
    assert ink["page"] == 2 and near(
        ink["geometry"]["points"][1], [schools[2] + shift[0], schools[3] + 2 + shift[1], 0.6]
    )
    lost = listed[ids["dropped"]]
    assert lost["orphaned"] and lost["page"] == 1 and lost["anchor"]["quote"] == DROPPED

    # Another member's private note moved too, and is still theirs alone.
    assert [a["uuid"] for a in carried(other, new["id"], 1)] == [ids["theirs"]]
    assert ids["theirs"] not in listed
    me = member.get("/api/me").json()["user"]["id"]
    moves = rows(server, "SELECT channel, data FROM event_log WHERE type = 'annotations.moved' ORDER BY seq")
    assert {r[0] for r in moves} == {f"user:{me}", f"user:{other.get('/api/me').json()['user']['id']}"}
    (mine,) = [json.loads(r[1]) if isinstance(r[1], str) else r[1] for r in moves if r[0] == f"user:{me}"]
    assert mine == {"document_id": new["id"], "from_document_ids": [old["id"]], "placed": 3, "orphaned": 1}

    # A tablet that had not heard of the new version edits the note's text on the old one: the text changes,
    # the place stays where it was carried.
    stale = put(member, ids["note"], note(old, body="Sửa trên bản cũ", base_version=1))
    assert stale.status_code == 200, stale.text
    assert (stale.json()["document_id"], stale.json()["page"], stale.json()["body"]) == (
        new["id"],
        2,
        "Sửa trên bản cũ",
    )
    assert stale.json()["geometry"] == placed_note["geometry"]
    # The orphaned one is placed again by its author on the new version: no longer orphaned.
    again = put(
        member, ids["dropped"], note(new, kind="highlight", page=2, geometry={"rect": schools_now}, base_version=1)
    )
    assert again.status_code == 200 and not again.json()["orphaned"] and again.json()["page"] == 2


def test_an_annotated_copy_carries_the_annotations_and_a_summary_within_the_rules(
    server: LiveServer, client: Any
) -> None:
    """`mine` holds the member's own annotations, private ones included, as PDF annotations on their pages and a
    summary page of the notes; `shared` holds everyone's shared ones and no private one; a restricted paper is
    not exported (403) and nothing is written; another member's private note is in no export of theirs."""
    secretary, member, other = client("thuky"), client("thanhvien1"), client("thanhvien2")
    item = secretary.get(f"/api/meetings/{sample_id(secretary)}/items").json()[0]["id"]
    doc = uploaded(secretary, item, "báo cáo.pdf", text_pdf([[BUDGET, SCHOOLS], [CLOSING]]))
    budget = box_of(words_of(member, doc["id"], 1), "89.000 tỷ đồng")
    mine = [
        note(doc, body="Ghi chú riêng về vốn"),
        note(doc, kind="highlight", geometry={"rect": budget, "rects": [budget]}, anchor={"quote": "89.000 tỷ đồng"}),
        note(
            doc, kind="ink", page=2, geometry={"points": [[80, 100], [200, 110, 0.5], [300, 105]]}, visibility="shared"
        ),
    ]
    for body in mine:
        assert put(member, str(uuid.uuid4()), body).status_code == 201
    assert put(other, str(uuid.uuid4()), note(doc, body="Bí mật của người khác")).status_code == 201
    assert put(other, str(uuid.uuid4()), note(doc, page=2, body="Ý kiến chung", visibility="shared")).status_code == 201

    response = member.get(f"/api/documents/{doc['id']}/annotated.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    pdf = pymupdf.open("pdf", response.content)
    assert pdf.page_count == 3  # the paper's two pages and the summary
    kinds = [[a.type[1] for a in pdf[n].annots()] for n in range(2)]
    assert sorted(kinds[0]) == ["Highlight", "Text"] and kinds[1] == ["Ink"]
    (text_note,) = [a for a in pdf[0].annots() if a.type[1] == "Text"]
    assert text_note.info["content"] == "Ghi chú riêng về vốn" and text_note.info["title"] == "Lê Văn Thành"
    summary = pdf[2].get_text()
    assert "Ghi chú riêng về vốn" in summary and "89.000 tỷ đồng" in summary
    everything = "".join(page.get_text() for page in pdf) + "".join(str(a.info) for page in pdf for a in page.annots())
    assert "Bí mật" not in everything and "Ý kiến chung" not in everything
    assert "Bản của Lê Văn Thành" in pdf[0].get_text()

    shared = pymupdf.open("pdf", member.get(f"/api/documents/{doc['id']}/annotated.pdf?scope=shared").content)
    contents = sorted(str(a.info["content"]) for page in shared for a in page.annots())
    assert contents == ["", "Ý kiến chung"]  # the member's shared ink and the other's shared note
    assert "Bí mật" not in "".join(page.get_text() for page in shared)
    for_other = pymupdf.open("pdf", other.get(f"/api/documents/{doc['id']}/annotated.pdf").content)
    assert "Ghi chú riêng về vốn" not in "".join(page.get_text() for page in for_other)
    assert [a.info["content"] for page in for_other for a in page.annots() if a.type[1] == "Text"] == [
        "Bí mật của người khác",
        "Ý kiến chung",
    ]

    restricted = uploaded(secretary, item, "mật.pdf", text_pdf([[BUDGET]]), classification="restricted")
    assert put(member, str(uuid.uuid4()), note(restricted, body="x")).status_code == 201
    audited = rows(server, "SELECT count(*) FROM audit_event WHERE action = 'document.annotated_downloaded'")[0][0]
    refused = member.get(f"/api/documents/{restricted['id']}/annotated.pdf")
    assert error_of(refused)["status"] == 403
    assert rows(server, "SELECT count(*) FROM audit_event WHERE action = 'document.annotated_downloaded'")[0][0] == (
        audited
    )
    assert error_of(member.get(f"/api/documents/{doc['id']}/annotated.pdf?scope=everyone"))["status"] == 422


@pytest.mark.parametrize("query", ["nguon von ngan sach", "Nguồn vốn ngân"])
def test_search_finds_the_members_own_notes_and_no_one_elses(server: LiveServer, client: Any, query: str) -> None:
    """With or without diacritics, a member's own note and highlight are found; another member's private note
    with the same words is not, and neither is another's shared one (search finds one's own notes)."""
    secretary, member, other = client("thuky"), client("thanhvien1"), client("thanhvien2")
    mid = sample_id(secretary)
    item = secretary.get(f"/api/meetings/{mid}/items").json()[0]["id"]
    doc = uploaded(secretary, item, "tờ trình.pdf", text_pdf([[BUDGET], [SCHOOLS]]))
    own = str(uuid.uuid4())
    assert put(member, own, note(doc, page=2, body="Làm rõ nguồn vốn ngân sách cho trường học")).status_code == 201
    for visibility in ("private", "shared"):
        body = note(doc, body=f"Nguồn vốn ngân sách ({visibility})", visibility=visibility)
        assert put(other, str(uuid.uuid4()), body).status_code == 201

    found = member.get("/api/search", params={"q": query, "meeting_id": mid}).json()
    assert [(n["uuid"], n["page"], n["kind"], n["document_id"]) for n in found["notes"]] == [
        (own, 2, "note", doc["id"])
    ]
    (hit,) = found["notes"]
    assert hit["document_title"] == doc["title"] and "nguồn vốn" in hit["snippet"].lower()
    theirs = other.get("/api/search", params={"q": query, "meeting_id": mid}).json()["notes"]
    assert own not in {n["uuid"] for n in theirs} and len(theirs) == 2
