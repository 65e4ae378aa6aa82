"""Department submissions over HTTP: deadlines, the board's states, accept and return, who may do what."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from ecabinet.database import Database
from tests import pdf_samples
from tests.api.test_documents import finished
from tests.api.test_meetings import sample_id
from tests.conftest import LiveServer, error_of

FINANCE = "phogiamdoc1"  # Sở Tài chính's deputy director: submits the department's papers
FINANCE_DIRECTOR = "thanhvien5"  # a member of the committee who heads the same department
OTHER_DEPARTMENT = "thanhvien4"  # Sở Khoa học và Công nghệ


def finance_items(c: Any) -> list[dict[str, Any]]:
    """The rows of the items Sở Tài chính presents, as the department sees them."""
    rows = c.get("/api/submissions").json()
    assert rows and all(r["expected_unit_name"] == "Sở Tài chính" for r in rows), rows
    return list(rows)


def submit(c: Any, item_id: int, name: str = "Tờ trình.pdf", **fields: str) -> Any:
    data = pdf_samples.paper(pages=2)
    return c.post(f"/api/items/{item_id}/submissions", files=[("file", (name, data, "application/pdf"))], data=fields)


def set_due(secretary: Any, item_id: int, when: dt.datetime | None) -> None:
    body = {"submission_due_at": when.isoformat() if when else None}
    assert secretary.patch(f"/api/items/{item_id}", json=body).status_code == 200


def board_row(secretary: Any, item_id: int) -> dict[str, Any]:
    rows = secretary.get(f"/api/meetings/{sample_id(secretary)}/submissions").json()
    return next(r for r in rows if r["item"]["id"] == item_id)


def counts(db: Database) -> tuple[int, int]:
    with db.read() as session:
        submissions = session.execute(sa.text("SELECT count(*) FROM submission")).scalar_one()
        documents = session.execute(sa.text("SELECT count(*) FROM document")).scalar_one()
    return int(submissions), int(documents)


def test_the_board_shows_missing_late_and_submitted(client: Any) -> None:
    """Before the deadline an item is missing, after it late; a paper sent after the deadline is marked late."""
    secretary, finance = client("thuky"), client(FINANCE)
    first, second = (row["item"]["id"] for row in finance_items(finance)[:2])
    now = dt.datetime.now(dt.UTC)
    set_due(secretary, first, now + dt.timedelta(days=2))
    set_due(secretary, second, now - dt.timedelta(hours=1))
    assert board_row(secretary, first)["state"] == "missing"
    assert board_row(secretary, second)["state"] == "late"

    on_time = submit(finance, first, kind="proposal", title="Tờ trình dự toán ngân sách")
    assert on_time.status_code == 202, on_time.text
    (paper,) = on_time.json()
    assert paper["status"] == "submitted" and not paper["late"] and paper["unit_name"] == "Sở Tài chính"
    assert paper["title"] == "Tờ trình dự toán ngân sách" and paper["document"]["published"] is False
    late = submit(finance, second)
    assert late.status_code == 202 and late.json()[0]["late"] is True

    row = board_row(secretary, first)
    assert row["state"] == "submitted" and [s["id"] for s in row["submissions"]] == [paper["id"]]
    assert row["meeting_title"] and row["due_at"]
    assert board_row(secretary, second)["state"] == "late"
    # The department sees its own papers; members do not see unpublished papers in the meeting.
    mine = next(r for r in finance.get("/api/submissions").json() if r["item"]["id"] == first)
    assert [s["id"] for s in mine["submissions"]] == [paper["id"]]
    state = client("thanhvien1").get(f"/api/meetings/{sample_id(secretary)}/state").json()
    assert paper["document"]["id"] not in {d["id"] for d in state["documents"]}
    # An item no department presents expects nothing.
    rows = secretary.get(f"/api/meetings/{sample_id(secretary)}/submissions").json()
    assert {r["state"] for r in rows if r["expected_unit_id"] is None} <= {"not_expected"}


def test_accepting_publishes_the_paper_and_returning_needs_a_reason(client: Any) -> None:
    """An accepted paper joins the item's documents; a returned one carries the comment back to the department."""
    secretary, finance, member = client("thuky"), client(FINANCE), client("thanhvien1")
    first, second = (row["item"]["id"] for row in finance_items(finance)[:2])
    accepted_paper = submit(finance, first).json()[0]
    returned_paper = submit(finance, second).json()[0]
    finished(secretary, accepted_paper["document"]["id"], returned_paper["document"]["id"])

    decided = secretary.post(f"/api/submissions/{accepted_paper['id']}/decision", json={"status": "accepted"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "accepted" and decided.json()["document"]["published"] is True
    state = member.get(f"/api/meetings/{sample_id(member)}/state").json()
    assert accepted_paper["document"]["id"] in {d["id"] for d in state["documents"]}
    assert board_row(secretary, first)["state"] == "accepted"
    again = secretary.post(f"/api/submissions/{accepted_paper['id']}/decision", json={"status": "returned"})
    assert again.status_code == 409 and "already accepted" in error_of(again)["message"]

    silent = secretary.post(f"/api/submissions/{returned_paper['id']}/decision", json={"status": "returned"})
    assert silent.status_code == 422 and error_of(silent)["field"] == "comment"
    assert board_row(secretary, second)["state"] == "submitted"
    comment = "Thiếu phụ lục dự toán chi tiết."
    returned = secretary.post(
        f"/api/submissions/{returned_paper['id']}/decision", json={"status": "returned", "comment": comment}
    )
    assert returned.status_code == 200 and returned.json()["comment"] == comment
    assert board_row(secretary, second)["state"] == "returned"
    mine = next(r for r in finance.get("/api/submissions").json() if r["item"]["id"] == second)
    assert mine["state"] == "returned" and mine["submissions"][0]["comment"] == comment
    state = member.get(f"/api/meetings/{sample_id(member)}/state").json()
    assert returned_paper["document"]["id"] not in {d["id"] for d in state["documents"]}
    # The department puts it right and submits again.
    assert submit(finance, second).status_code == 202
    assert board_row(secretary, second)["state"] == "submitted"


def test_a_rejected_file_cannot_be_accepted(client: Any) -> None:
    """A paper whose file failed its checks can only be returned."""
    secretary, finance = client("thuky"), client(FINANCE)
    item = finance_items(finance)[0]["item"]["id"]
    broken = finance.post(
        f"/api/items/{item}/submissions",
        files=[("file", ("Báo cáo.pdf", pdf_samples.ENCRYPTED.read_bytes(), "application/pdf"))],
    )
    assert broken.status_code == 202, broken.text
    (paper,) = broken.json()
    assert finished(secretary, paper["document"]["id"])[0]["state"] == "rejected"
    refused = secretary.post(f"/api/submissions/{paper['id']}/decision", json={"status": "accepted"})
    assert refused.status_code == 409 and "return it instead" in error_of(refused)["message"]
    assert [s["status"] for s in board_row(secretary, item)["submissions"]] == ["submitted"]


def test_who_may_submit_and_decide(server: LiveServer, client: Any) -> None:
    """Another department does not find the item; members and departments cannot decide; refusals store nothing."""
    secretary, finance = client("thuky"), client(FINANCE)
    item = finance_items(finance)[0]["item"]["id"]
    paper = submit(finance, item).json()[0]
    before = counts(server.db)

    other = submit(client(OTHER_DEPARTMENT), item)
    assert other.status_code == 404 and error_of(other)["error"] == "not_found"
    theirs = client(OTHER_DEPARTMENT).get("/api/submissions").json()
    assert all(r["expected_unit_name"] != "Sở Tài chính" for r in theirs)
    site = submit(client("diemcau1"), item)
    assert site.status_code == 404
    for login in (FINANCE, FINANCE_DIRECTOR, "thanhvien1", "chutich"):
        decided = client(login).post(f"/api/submissions/{paper['id']}/decision", json={"status": "accepted"})
        assert decided.status_code in (403, 404), (login, decided.text)
    board = finance.get(f"/api/meetings/{sample_id(secretary)}/submissions")
    assert board.status_code in (403, 404)
    not_a_pdf = finance.post(f"/api/items/{item}/submissions", files=[("file", ("note.txt", b"hello", "text/plain"))])
    assert not_a_pdf.status_code == 415
    bad_kind = submit(finance, item, kind="memo")
    assert bad_kind.status_code == 422 and error_of(bad_kind)["field"] == "kind"
    assert counts(server.db) == before
    assert [s["status"] for s in board_row(secretary, item)["submissions"]] == ["submitted"]

    # The member who heads the department submits for it too; the secretariat may submit on its behalf.
    assert submit(client(FINANCE_DIRECTOR), item).status_code == 202
    assert submit(secretary, item).status_code == 202
    # A paper may still come while the meeting sits, but not once it is over.
    mid = sample_id(secretary)
    for status in ("live", "closed"):
        assert secretary.post(f"/api/meetings/{mid}/transition", json={"to": status}).status_code == 200
    closed = submit(finance, item)
    assert closed.status_code == 409 and "no longer be submitted" in error_of(closed)["message"]
