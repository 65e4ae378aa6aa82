"""Bulk import of units and users from CSV: every row is checked first, then all are written or none.

The kind of file is told by its header: `code,name,kind,parent,valid_from,valid_to` for units,
`login,name,title,unit,role,password` for users (docs/import.md). Importing a file twice changes
nothing the second time: units match by code, users by login, and a password is only set on creation.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from ecabinet import audit
from ecabinet.database import Database
from ecabinet.errors import Invalid
from ecabinet.models import GlobalRole, Unit, UnitKind, User
from ecabinet.passwords import MIN_PASSWORD_LENGTH, hash_password
from ecabinet.permissions import Actor
from ecabinet.schemas import ImportReport

UNIT_COLUMNS = ("code", "name", "kind", "parent", "valid_from", "valid_to")
USER_COLUMNS = ("login", "name", "title", "unit", "role", "password")
REQUIRED = {"units": ("code", "name", "kind"), "users": ("login", "name")}
MAX_ROWS = 50_000


@dataclass
class Rows:
    """A parsed file: its kind, rows by line number, and the problems found so far."""

    kind: str
    rows: list[tuple[int, dict[str, str]]]
    errors: list[dict[str, Any]] = field(default_factory=list)

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.append({"line": line, "field": column, "message": message})


def parse_csv(data: bytes) -> Rows:
    """Decode and split a CSV file, telling units from users by its header."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(
            "file: the file is not UTF-8 text; save it from the spreadsheet as 'CSV UTF-8'.", field="file"
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise Invalid("file: the file is empty.", field="file") from None
    if "login" in header:
        kind, known = "users", USER_COLUMNS
    elif "code" in header and "kind" in header:
        kind, known = "units", UNIT_COLUMNS
    else:
        raise Invalid(
            "file: the header must name the columns: "
            + ",".join(UNIT_COLUMNS)
            + " for units, or "
            + ",".join(USER_COLUMNS)
            + " for users.",
            field="file",
        )
    unknown = [h for h in header if h not in known]
    missing = [c for c in REQUIRED[kind] if c not in header]
    if unknown or missing or len(set(header)) != len(header):
        raise Invalid(
            f"file: the header of a {kind} file has unknown columns {unknown}, lacks {missing}, or repeats a column.",
            field="file",
        )
    rows = Rows(kind, [])
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(rows.rows) >= MAX_ROWS:
                raise Invalid(f"file: at most {MAX_ROWS} rows per file.", field="file")
            if len(values) != len(header):
                rows.error(number, "", f"has {len(values)} columns, the header has {len(header)}")
                continue
            rows.rows.append((number, {h: v.strip() for h, v in zip(header, values, strict=True)}))
    except csv.Error as exc:
        raise Invalid(f"file: not a readable CSV file ({exc}).", field="file") from None
    return rows


def _date(rows: Rows, line: int, column: str, value: str) -> dt.date | None:
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            pass
    rows.error(line, column, f"'{value}' is not a date (write 2025-07-01 or 01/07/2025)")
    return None


def _check_duplicates(rows: Rows, key: str) -> None:
    seen: dict[str, int] = {}
    for line, row in rows.rows:
        value = row.get(key, "").lower() if key == "login" else row.get(key, "")
        if value in seen:
            rows.error(line, key, f"'{value}' appears again (first on line {seen[value]})")
        seen.setdefault(value, line)


def _plan_units(session: Session, rows: Rows) -> list[tuple[dict[str, Any], str]]:
    _check_duplicates(rows, "code")
    codes_in_file = {row["code"] for _, row in rows.rows}
    existing = {u.code: u for u in session.exec(select(Unit)).all()}
    planned = []
    for line, row in rows.rows:
        for column in REQUIRED["units"]:
            if not row.get(column):
                rows.error(line, column, "is empty")
        if row.get("kind") and row["kind"] not in UnitKind.__members__:
            rows.error(line, "kind", f"'{row['kind']}' is not one of {', '.join(UnitKind.__members__)}")
        parent = row.get("parent", "")
        if parent and parent not in codes_in_file and parent not in existing:
            rows.error(line, "parent", f"no unit with code '{parent}' in the file or the database")
        if parent and parent == row.get("code"):
            rows.error(line, "parent", "a unit cannot be its own parent")
        valid_from = _date(rows, line, "valid_from", row.get("valid_from", ""))
        valid_to = _date(rows, line, "valid_to", row.get("valid_to", ""))
        if valid_from and valid_to and valid_to < valid_from:
            rows.error(line, "valid_to", "ends before valid_from")
        if len(row.get("code", "")) > 64 or len(row.get("name", "")) > 300:
            rows.error(line, "name", "code or name too long (64 and 300 characters at most)")
        values = {
            "code": row.get("code", ""),
            "name": row.get("name", ""),
            "kind": row.get("kind", ""),
            "parent": parent,
            "valid_from": valid_from,
            "valid_to": valid_to,
        }
        planned.append((values, parent))
    return planned


def _plan_users(session: Session, rows: Rows) -> list[dict[str, Any]]:
    _check_duplicates(rows, "login")
    units = {u.code: u for u in session.exec(select(Unit)).all()}
    planned = []
    for line, row in rows.rows:
        for column in REQUIRED["users"]:
            if not row.get(column):
                rows.error(line, column, "is empty")
        login = row.get("login", "").lower()
        if login and not (2 <= len(login) <= 64 and all(c.isascii() and (c.isalnum() or c in "._-") for c in login)):
            rows.error(line, "login", f"'{login}' may hold only letters a-z, digits and . _ - (2–64 characters)")
        role = row.get("role", "") or "staff"
        if role not in GlobalRole.__members__:
            rows.error(line, "role", f"'{role}' is not one of {', '.join(GlobalRole.__members__)}")
        unit_code = row.get("unit", "")
        if unit_code and unit_code not in units:
            rows.error(line, "unit", f"no unit with code '{unit_code}' (import the units first)")
        password = row.get("password", "")
        if password and len(password) < MIN_PASSWORD_LENGTH:
            rows.error(line, "password", f"shorter than {MIN_PASSWORD_LENGTH} characters")
        if len(row.get("name", "")) > 200 or len(row.get("title", "")) > 200:
            rows.error(line, "name", "name or title too long (200 characters at most)")
        planned.append(
            {
                "login": login,
                "name": row.get("name", ""),
                "title": row.get("title", ""),
                "unit_id": units[unit_code].id if unit_code in units else None,
                "role": role,
                "password": password,
            }
        )
    return planned


def import_csv(db: Database, actor: Actor | None, data: bytes, dry_run: bool = False) -> ImportReport:
    """Import a units or users CSV file whole, or refuse it whole with a report of every bad row.

    `actor` None is the operator at the server's command line.
    """
    if actor is not None:
        actor.require_secretariat()
    rows = parse_csv(data)
    report = ImportReport(ok=True, kind=rows.kind)
    with db.write() as session:
        if rows.kind == "units":
            unit_plan = _plan_units(session, rows)
            if not rows.errors:
                _apply_units(session, unit_plan, report)
        else:
            user_plan = _plan_users(session, rows)
            if not rows.errors:
                _apply_users(session, user_plan, report)
        if rows.errors:
            raise Invalid(
                f"file: {len(rows.errors)} problem(s) in the file; nothing was imported.",
                field="file",
                kind=rows.kind,
                errors=sorted(rows.errors, key=lambda e: e["line"]),
            )
        if dry_run:
            session.rollback()
            return report
        audit.append(
            session,
            actor_id=actor.id if actor else None,
            action="import.applied",
            object_type=rows.kind,
            data={"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
        )
    return report


def _apply_units(session: Session, plan: list[tuple[dict[str, Any], str]], report: ImportReport) -> None:
    by_code = {u.code: u for u in session.exec(select(Unit)).all()}
    outcome: dict[str, str] = {}
    for values, _ in plan:
        unit = by_code.get(values["code"])
        fields = {k: values[k] for k in ("name", "kind", "valid_from", "valid_to")}
        if unit is None:
            unit = Unit(code=values["code"], **fields)
            by_code[unit.code] = unit
            outcome[unit.code] = "created"
        else:
            outcome[unit.code] = "updated" if any(getattr(unit, k) != v for k, v in fields.items()) else "unchanged"
            for key, value in fields.items():
                setattr(unit, key, value)
        session.add(unit)
    session.flush()  # new units get ids before parents are linked
    for values, parent in plan:
        unit = by_code[values["code"]]
        parent_id = by_code[parent].id if parent else None
        if unit.parent_id != parent_id:
            unit.parent_id = parent_id
            session.add(unit)
            if outcome[unit.code] == "unchanged":
                outcome[unit.code] = "updated"
    _check_no_cycles(by_code)
    report.created = sum(o == "created" for o in outcome.values())
    report.updated = sum(o == "updated" for o in outcome.values())
    report.unchanged = sum(o == "unchanged" for o in outcome.values())


def _check_no_cycles(by_code: dict[str, Unit]) -> None:
    by_id = {u.id: u for u in by_code.values()}
    for unit in by_code.values():
        seen = set()
        current: Unit | None = unit
        while current is not None and current.parent_id is not None:
            if current.id in seen:
                raise Invalid(f"file: the parents of unit {unit.code} form a loop; nothing was imported.", field="file")
            seen.add(current.id)
            current = by_id.get(current.parent_id)


def _apply_users(session: Session, plan: list[dict[str, Any]], report: ImportReport) -> None:
    by_login = {u.login: u for u in session.exec(select(User)).all()}
    for values in plan:
        password = values.pop("password")
        user = by_login.get(values["login"])
        if user is None:
            session.add(User(**values, password_hash=hash_password(password) if password else None))
            report.created += 1
        elif any(getattr(user, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(user, key, value)
            session.add(user)
            report.updated += 1
        else:
            report.unchanged += 1
