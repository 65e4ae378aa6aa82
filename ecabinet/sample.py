"""The sample meetings in agendas/: loaded by `ecabinet demo`, idempotently.

Units match by code, users by login, meetings by their `key`: loading twice creates everything once,
and a meeting already loaded is left as its users have since edited it.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from ecabinet import audit
from ecabinet.database import Database
from ecabinet.models import AgendaItem, Meeting, Participant, ParticipantRole, Unit, User
from ecabinet.participants import VOTING_BY_DEFAULT
from ecabinet.passwords import check_password, hash_password

AGENDAS_DIR = Path(__file__).resolve().parent.parent / "agendas"


@dataclass
class Loaded:
    """What a load created, and the logins it knows of (for printing)."""

    meetings_created: int = 0
    users_created: int = 0
    units_created: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def load_sample(db: Database, password: str, directory: Path = AGENDAS_DIR) -> Loaded:
    """Load every agendas/*.toml file; demo accounts get `password`."""
    loaded = Loaded()
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        with db.write() as session:
            _load(session, data, password, loaded, path.name)
    return loaded


def _load(session: Session, data: dict[str, Any], password: str, loaded: Loaded, source: str) -> None:
    units = {u.code: u for u in session.exec(select(Unit)).all()}
    for spec in data.get("units", []):
        if spec["code"] not in units:
            unit = Unit(
                code=spec["code"],
                name=spec["name"],
                kind=spec["kind"],
                valid_from=spec.get("valid_from"),
                valid_to=spec.get("valid_to"),
                parent_id=units[spec["parent"]].id if spec.get("parent") else None,
            )
            session.add(unit)
            session.flush()
            units[unit.code] = unit
            loaded.units_created += 1
    users = {u.login: u for u in session.exec(select(User)).all()}
    for spec in data.get("users", []):
        user = users.get(spec["login"])
        if user is None:
            user = User(
                login=spec["login"],
                name=spec["name"],
                title=spec.get("title", ""),
                unit_id=units[spec["unit"]].id if spec.get("unit") else None,
                role=spec.get("role", "staff"),
                password_hash=hash_password(password),
            )
            session.add(user)
            session.flush()
            users[user.login] = user
            loaded.users_created += 1
        elif not check_password(user.password_hash, password):
            # Demo accounts follow ECABINET_DEMO_PASSWORD when it changes between runs.
            user.password_hash = hash_password(password)
            session.add(user)
        loaded.logins.append((user.login, user.name, user.title))
    spec = data.get("meeting")
    if spec and session.exec(select(Meeting).where(Meeting.source_key == spec["key"])).first() is None:
        _load_meeting(session, spec, units, users, source)
        loaded.meetings_created += 1


def _load_meeting(
    session: Session, spec: dict[str, Any], units: dict[str, Unit], users: dict[str, User], source: str
) -> None:
    starts_at = spec.get("starts_at")
    if isinstance(starts_at, dt.datetime) and starts_at.tzinfo is None:
        raise ValueError(f"{source}: meeting.starts_at needs a time zone offset")
    meeting = Meeting(
        source_key=spec["key"],
        kind=spec["kind"],
        title=spec["title"],
        starts_at=starts_at,
        place=spec.get("place", ""),
        status=spec.get("status", "draft"),
    )
    session.add(meeting)
    session.flush()
    assert meeting.id is not None
    meeting_id = meeting.id
    for p in spec.get("participants", []):
        role = ParticipantRole(p["role"])
        session.add(
            Participant(
                meeting_id=meeting.id,
                user_id=users[p["user"]].id if p.get("user") else None,
                unit_id=units[p["unit"]].id if p.get("unit") else None,
                role=role,
                can_vote=p.get("can_vote", role in VOTING_BY_DEFAULT),
            )
        )

    def add_items(items: list[dict[str, Any]], parent_id: int | None) -> None:
        for weight, item_spec in enumerate(items):
            item = AgendaItem(
                meeting_id=meeting_id,
                parent_id=parent_id,
                weight=weight,
                title=item_spec["title"],
                presenter_id=users[item_spec["presenter"]].id if item_spec.get("presenter") else None,
                presenter_unit_id=units[item_spec["presenter_unit"]].id if item_spec.get("presenter_unit") else None,
                duration_minutes=item_spec.get("minutes"),
                submission_due_at=item_spec.get("submission_due"),
            )
            session.add(item)
            session.flush()
            add_items(item_spec.get("children", []), item.id)

    add_items(spec.get("items", []), None)
    audit.append(
        session,
        actor_id=None,
        action="meeting.loaded",
        object_type="meeting",
        object_id=meeting.id,
        meeting_id=meeting.id,
        data={"source": source, "key": spec["key"]},
    )
