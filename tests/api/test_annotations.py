"""Annotations over HTTP: saved by the tablet's uuid, each edit once; private ones are their author's alone; two
devices' edits meet by the later one winning, the other kept; bad input stores nothing."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import random
import uuid
from typing import Any

import httpx
import sqlalchemy as sa

from tests import pdf_samples
from tests.api.test_documents import uploaded
from tests.api.test_meetings import sample_id
from tests.api.test_votes import add_voters
from tests.conftest import LiveServer, error_of, snapshot

BASE = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)


def paper(secretary: Any) -> dict[str, Any]:
    mid = sample_id(secretary)
    item = secretary.get(f"/api/meetings/{mid}/items").json()[0]["id"]
    return uploaded(secretary, item, "To-trinh.pdf", pdf_samples.paper(pages=3))


def note(doc: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"document_id": doc["id"], "page": 1, "kind": "note", "geometry": {"rect": [72, 72, 200, 120]}, **fields}


def put(c: Any, uid: str, body: dict[str, Any], key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return c.put(f"/api/annotations/{uid}", json=body, headers=headers)


def rows(server: LiveServer, sql: str) -> list[Any]:
    with server.db.read() as session:
        return list(session.execute(sa.text(sql)).all())


def test_an_annotation_is_saved_once_by_its_uuid_and_key(server: LiveServer, client: Any) -> None:
    """A new note answers 201; the same key again answers the same (200) without a second version; an edit raises
    the version; a deletion leaves a tombstone that the author's other device sees with `since`."""
    member = client("thanhvien1")
    doc = paper(client("thuky"))
    uid = str(uuid.uuid4())
    made = put(member, uid, note(doc, body="Đề nghị làm rõ nguồn vốn"), key="k-" + uid)
    assert made.status_code == 201 and made.json()["version"] == 1 and made.json()["uuid"] == uid
    again = put(member, uid, note(doc, body="Đề nghị làm rõ nguồn vốn"), key="k-" + uid)
    assert again.status_code == 201 and again.json() == made.json()
    edited = put(member, uid, note(doc, body="Đề nghị làm rõ nguồn vốn ngân sách", base_version=1), key="k2-" + uid)
    assert edited.status_code == 200 and edited.json()["version"] == 2 and edited.json()["conflict"] is None
    listed = member.get(f"/api/documents/{doc['id']}/annotations").json()
    assert [(a["uuid"], a["body"]) for a in listed] == [(uid, "Đề nghị làm rõ nguồn vốn ngân sách")]
    gone = member.request("DELETE", f"/api/annotations/{uid}", json={"base_version": 2})
    assert gone.status_code == 200 and gone.json()["deleted"] and gone.json()["version"] == 3
    assert member.get(f"/api/documents/{doc['id']}/annotations").json() == []
    since = member.get(f"/api/documents/{doc['id']}/annotations", params={"since": BASE.replace(year=2000).isoformat()})
    assert [a["deleted"] for a in since.json()] == [True]
    assert len(rows(server, "SELECT * FROM annotation_op")) == 2


def test_a_private_annotation_is_its_authors_alone_on_every_route(server: LiveServer, client: Any) -> None:
    """Another member does not list it, cannot overwrite or delete it (404, nothing changes), and no event of it
    reaches the meeting's channel; shared, everyone lists it with its author, and made private it leaves them."""
    author, other = client("thanhvien1"), client("thanhvien2")
    doc = paper(client("thuky"))
    uid = str(uuid.uuid4())
    assert put(author, uid, note(doc, body="Ghi chú riêng")).status_code == 201
    assert other.get(f"/api/documents/{doc['id']}/annotations").json() == []
    before = rows(server, "SELECT uuid, version, body FROM annotation")
    assert error_of(put(other, uid, note(doc, body="Ghi đè")))["status"] == 404
    assert error_of(other.request("DELETE", f"/api/annotations/{uid}", json={}))["status"] == 404
    assert rows(server, "SELECT uuid, version, body FROM annotation") == before
    channels = {r[0] for r in rows(server, "SELECT channel FROM event_log WHERE type LIKE 'annotation.%'")}
    me = author.get("/api/me").json()["user"]["id"]
    assert channels == {f"user:{me}"}

    shared = put(author, uid, note(doc, body="Ý kiến chung", visibility="shared", base_version=1)).json()
    seen = other.get(f"/api/documents/{doc['id']}/annotations").json()
    assert [(a["uuid"], a["author_name"], a["body"]) for a in seen] == [(uid, shared["author_name"], "Ý kiến chung")]
    put(author, uid, note(doc, body="Ý kiến chung", visibility="private", base_version=2))
    assert other.get(f"/api/documents/{doc['id']}/annotations").json() == []
    meeting_events = rows(
        server, f"SELECT type, data FROM event_log WHERE channel = 'meeting:{doc['meeting_id']}' AND type LIKE 'annot%'"
    )
    assert [r[0] for r in meeting_events] == ["annotation.updated", "annotation.deleted"]
    assert "Ý kiến chung" not in meeting_events[1][1]


def test_two_devices_edits_meet_the_later_wins_and_the_other_is_kept(server: LiveServer, client: Any) -> None:
    """Both devices edit version 1: the laptop's later edit wins over the tablet's earlier one whichever arrives
    first, and the losing edit is kept as a conflict for the member."""
    tablet, laptop = client("thanhvien3"), client("thanhvien3")
    doc = paper(client("thuky"))
    uid = str(uuid.uuid4())
    put(tablet, uid, note(doc, body="Bản đầu", edited_at=BASE.isoformat()))
    later = put(
        laptop, uid, note(doc, body="Từ máy tính", base_version=1, edited_at=(BASE.replace(hour=10)).isoformat())
    )
    assert later.json()["version"] == 2 and later.json()["conflict"] is None
    earlier = put(
        tablet, uid, note(doc, body="Từ máy tính bảng", base_version=1, edited_at=BASE.replace(hour=9).isoformat())
    )
    assert earlier.status_code == 200 and earlier.json()["conflict"] == "kept_theirs"
    assert earlier.json()["body"] == "Từ máy tính" and earlier.json()["version"] == 2
    (kept,) = tablet.get("/api/annotations/conflicts").json()
    assert kept["uuid"] == uid and kept["lost"]["body"] == "Từ máy tính bảng" and kept["kept_version"] == 2
    newest = put(
        tablet, uid, note(doc, body="Sửa lần cuối", base_version=1, edited_at=BASE.replace(hour=11).isoformat())
    )
    assert newest.json()["conflict"] == "kept_yours" and newest.json()["body"] == "Sửa lần cuối"
    assert [c["lost"]["body"] for c in laptop.get("/api/annotations/conflicts").json()] == [
        "Từ máy tính bảng",
        "Từ máy tính",
    ]
    assert laptop.delete(f"/api/annotations/conflicts/{kept['id']}").status_code == 204
    assert len(laptop.get("/api/annotations/conflicts").json()) == 1


def test_bad_annotations_answer_4xx_and_store_nothing(server: LiveServer, client: Any) -> None:
    """Bad geometry, a page the paper lacks, an oversized body, an unknown document or uuid, a kind unknown."""
    member = client("thanhvien1")
    doc = paper(client("thuky"))
    uid = str(uuid.uuid4())
    before = snapshot(server.db)
    cases = [
        note(doc, geometry={"rect": [10, 10, 5, 5]}),
        note(doc, geometry={"rect": [0, 0, 99999, 10]}),
        note(doc, geometry={"points": [[1, 1], [2, 2]]}),
        {**note(doc), "kind": "ink", "geometry": {"points": [[1, 1]]}},
        {**note(doc), "kind": "ink", "geometry": {"points": [[1, 1, 2.5], [2, 2, 0.5]]}},
        {**note(doc), "kind": "ink", "geometry": {"points": [[1, "x"], [2, 2]]}},
        note(doc, page=4),
        note(doc, body="x" * 10_001),
        {**note(doc), "kind": "stamp"},
        note(doc, document_id=999_999),
    ]
    for body in cases:
        assert 400 <= error_of(put(member, uid, body))["status"] < 500, body
    assert error_of(put(member, "not-a-uuid", note(doc)))["status"] == 422
    nan = member.put(
        f"/api/annotations/{uid}",
        content=json.dumps(note(doc, geometry={"rect": [float("nan"), 0, 10, 10]})),
        headers={"Content-Type": "application/json"},
    )
    assert 400 <= error_of(nan)["status"] < 500
    assert error_of(member.request("DELETE", f"/api/annotations/{uid}", json={}))["status"] == 404
    assert snapshot(server.db) == before and rows(server, "SELECT * FROM annotation") == []


def test_a_hundred_devices_twenty_edits_each_with_repeats_and_shuffling_end_as_intended(
    server: LiveServer, client: Any
) -> None:
    """100 devices (50 members, two each) send 20 edits each on their member's 5 annotations, a third of them
    twice, all shuffled and at once: each annotation ends as its latest edit says, and each edit is applied once."""
    secretary = client("thuky")
    doc = paper(secretary)
    logins = add_voters(server.db, doc["meeting_id"], 50)
    people = {login: client(login) for login in logins}
    rng = random.Random(7)
    ops: list[tuple[str, str, str, dict[str, Any] | None]] = []  # (login, uuid, key, body or None to delete)
    final: dict[str, tuple[dt.datetime, dict[str, Any] | None]] = {}
    tick = 0
    for login in logins:
        uids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(5)]
        for _device in range(2):
            for _ in range(20):
                tick += 1
                at = BASE + dt.timedelta(seconds=tick)
                uid = rng.choice(uids)
                body = None if rng.random() < 0.15 else note(doc, body=f"{login} {tick}", page=rng.randint(1, 3))
                if body is not None:
                    body |= {"edited_at": at.isoformat(), "base_version": rng.randint(0, 3)}
                ops.append((login, uid, str(uuid.uuid4()), body))
                if uid not in final or at > final[uid][0]:
                    final[uid] = (at, body)
    # A deletion carries its document and time, so that one arriving before the edits it follows still counts.
    times = {key: BASE + dt.timedelta(seconds=i + 1) for i, (_l, _u, key, _b) in enumerate(ops)}
    sends = ops + rng.sample(ops, len(ops) // 3)
    rng.shuffle(sends)

    def send(op: tuple[str, str, str, dict[str, Any] | None]) -> int:
        login, uid, key, body = op
        c, headers = people[login], {"Idempotency-Key": key}
        for attempt in range(3):  # as a tablet does: a connection lost on the way is retried with the same key
            try:
                if body is None:
                    payload = {"document_id": doc["id"], "edited_at": times[key].isoformat()}
                    return int(
                        c.request("DELETE", f"/api/annotations/{uid}", json=payload, headers=headers).status_code
                    )
                return int(c.put(f"/api/annotations/{uid}", json=body, headers=headers).status_code)
            except httpx.TransportError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(send, sends))
    assert set(statuses) <= {200, 201}, sorted(set(statuses))
    assert len(rows(server, "SELECT * FROM annotation_op")) == len(ops)
    stored = {r[0]: r for r in rows(server, "SELECT uuid, deleted, body, page FROM annotation")}
    assert set(stored) == set(final)
    for uid, (_at, body) in final.items():
        if body is None:
            assert stored[uid][1], uid
        else:
            assert (stored[uid][1], stored[uid][2], stored[uid][3]) == (False, body["body"], body["page"]), uid
