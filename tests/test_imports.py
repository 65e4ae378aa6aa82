"""CSV import of units and users: whole or nothing, exactly once."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from ecabinet import imports
from ecabinet.database import Database
from ecabinet.errors import Invalid
from tests.conftest import LiveServer, error_of, snapshot

UNITS = (
    "code,name,kind,parent,valid_from,valid_to\n"
    "Q-DONGDA,Quận Đống Đa,district,HN,,30/06/2025\n"
    "P-KIMLIEN,Phường Kim Liên,ward,HN,2025-07-01,\n"
    "P-VANMIEU,Phường Văn Miếu - Quốc Tử Giám,ward,HN,2025-07-01,\n"
).encode()
USERS = (
    "login;name;title;unit;role;password\n"
    "canbo.kimlien;Trần Văn Minh;Cán bộ Văn phòng;P-KIMLIEN;staff;matkhau1\n"
    "CANBO.VANMIEU;Lê Thị Hoa;Cán bộ Văn phòng;P-VANMIEU;;\n"
).encode("utf-8-sig")


def _count(db: Database, table: str) -> int:
    with db.read() as session:
        return int(session.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar_one())


def test_a_good_file_imports_exactly_once(db: Database) -> None:
    """Importing the same units and users twice creates them once; the second run changes nothing."""
    first = imports.import_csv(db, None, UNITS)
    assert (first.kind, first.created, first.updated) == ("units", 3, 0)
    users = imports.import_csv(db, None, USERS)
    assert (users.kind, users.created) == ("users", 2)
    before = snapshot(db)
    again = [imports.import_csv(db, None, UNITS), imports.import_csv(db, None, USERS)]
    assert [(r.created, r.updated, r.unchanged) for r in again] == [(0, 0, 3), (0, 0, 2)]
    without_audit = {k: v for k, v in snapshot(db).items() if not k.startswith("audit")}
    assert without_audit == {k: v for k, v in before.items() if not k.startswith("audit")}


def test_a_changed_row_is_an_update(db: Database) -> None:
    """A unit whose name changed is updated in place, keeping its id."""
    imports.import_csv(db, None, UNITS)
    report = imports.import_csv(db, None, UNITS.replace("Phường Kim Liên".encode(), "Phường Kim Liên mới".encode()))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)


def test_a_file_with_bad_rows_is_refused_whole_with_a_report(db: Database) -> None:
    """Every bad row is reported by line and column, and no row of the file is written."""
    bad = (
        "code,name,kind,parent,valid_from,valid_to\n"
        "P-OK,Phường Ổn,ward,HN,2025-07-01,\n"
        "P-BAD,,village,NOWHERE,2025-13-01,\n"
        "P-OK,Trùng mã,ward,HN,,\n"
        "P-END,Kết thúc sớm,ward,HN,2025-07-01,2025-01-01\n"
        "only,two\n"
    ).encode()
    before = snapshot(db)
    with pytest.raises(Invalid) as refused:
        imports.import_csv(db, None, bad)
    problems = {(e["line"], e["field"]) for e in refused.value.details["errors"]}
    assert {
        (3, "name"),
        (3, "kind"),
        (3, "parent"),
        (3, "valid_from"),
        (4, "code"),
        (5, "valid_to"),
        (6, ""),
    } <= problems
    assert (2, "code") not in problems
    assert snapshot(db) == before


def test_users_must_name_known_units_and_roles(db: Database) -> None:
    """A user row with an unknown unit or role refuses the file."""
    bad = "login,name,unit,role\nx.y,Người Lạ,KHONG-CO,boss\n".encode()
    users_before = _count(db, "user")
    with pytest.raises(Invalid) as refused:
        imports.import_csv(db, None, bad)
    assert {e["field"] for e in refused.value.details["errors"]} == {"unit", "role"}
    assert _count(db, "user") == users_before


@pytest.mark.parametrize("data", [b"", b"\xff\xfe\x00bad", b"name,colour\nx,y\n"])
def test_unreadable_files_are_refused(sqlite_db: Database, data: bytes) -> None:
    """An empty file, a non-UTF-8 file and an unknown header each get a clear message."""
    with pytest.raises(Invalid, match="file:"):
        imports.import_csv(sqlite_db, None, data)


def test_import_over_http_for_the_secretariat_only(server: LiveServer, client: Any) -> None:
    """POST /api/imports takes a CSV upload from the secretariat and refuses members."""
    files = {"file": ("units.csv", UNITS, "text/csv")}
    assert error_of(client("thanhvien1").post("/api/imports", files=files))["status"] == 403
    c = client("thuky")
    units_before = _count(server.db, "unit")
    assert c.post("/api/imports", files=files, params={"dry_run": "true"}).json()["created"] == 3
    assert _count(server.db, "unit") == units_before
    report = c.post("/api/imports", files=files).json()
    assert report == {"ok": True, "kind": "units", "created": 3, "updated": 0, "unchanged": 0, "errors": []}
    bad = {"file": ("units.csv", b"code,name,kind\nX,,city\n", "text/csv")}
    refused = error_of(c.post("/api/imports", files=bad))
    assert refused["status"] == 422 and refused["errors"] == [{"line": 2, "field": "name", "message": "is empty"}]
