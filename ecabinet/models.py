"""The database tables (DESIGN §3). Rules live in the services, not here."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone of its own)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _when(nullable: bool = False, **kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, nullable=nullable, **kwargs)


class UnitKind(StrEnum):
    city = "city"
    department = "department"
    district = "district"
    ward = "ward"
    commune = "commune"


class GlobalRole(StrEnum):
    admin = "admin"
    secretariat = "secretariat"
    staff = "staff"


class MeetingKind(StrEnum):
    cabinet_session = "cabinet_session"
    online_briefing = "online_briefing"
    thematic = "thematic"


class MeetingStatus(StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    live = "live"
    closed = "closed"
    archived = "archived"


class ParticipantRole(StrEnum):
    chair = "chair"
    secretary = "secretary"
    member = "member"
    invitee = "invitee"
    site = "site"
    observer = "observer"


class Attendance(StrEnum):
    expected = "expected"
    present = "present"
    absent = "absent"


class ItemStatus(StrEnum):
    pending = "pending"
    current = "current"
    done = "done"


class Unit(SQLModel, table=True):
    """An organisational unit: the city, a department (Sở), a district, a ward or commune."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=300)
    kind: UnitKind = Field(sa_type=sa.String(16))
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    # Validity keeps history: the 2025 reform ended districts and wards without deleting them, so a
    # past meeting still names the unit it had.
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class User(SQLModel, table=True):
    """A person who signs in."""

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    title: str = Field(default="", max_length=200)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    role: GlobalRole = Field(default=GlobalRole.staff, sa_type=sa.String(16))
    password_hash: str | None = Field(default=None, max_length=200)
    active: bool = True
    language: str | None = Field(default=None, max_length=8)
    created_at: dt.datetime = _when(default_factory=utcnow)


class UserSession(SQLModel, table=True):
    """A server-side sign-in; the cookie carries a signed random token whose hash is the id."""

    __tablename__ = "user_session"
    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: dt.datetime = _when(default_factory=utcnow)
    expires_at: dt.datetime = _when()
    last_seen_at: dt.datetime = _when(default_factory=utcnow)
    address: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)


class LoginFailure(SQLModel, table=True):
    """One failed sign-in, kept for the rate limit's window."""

    __tablename__ = "login_failure"
    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, index=True)
    address: str = Field(max_length=64, index=True)
    at: dt.datetime = _when(default_factory=utcnow, index=True)


class Meeting(SQLModel, table=True):
    """A cabinet session, online briefing or thematic meeting."""

    id: int | None = Field(default=None, primary_key=True)
    kind: MeetingKind = Field(sa_type=sa.String(24))
    title: str = Field(max_length=500)
    starts_at: dt.datetime | None = _when(nullable=True, default=None)
    place: str = Field(default="", max_length=300)
    status: MeetingStatus = Field(default=MeetingStatus.draft, sa_type=sa.String(16), index=True)
    # Set when a meeting came from agendas/ so that `ecabinet demo` loads it once.
    source_key: str | None = Field(default=None, max_length=100, unique=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = _when(default_factory=utcnow)
    updated_at: dt.datetime = _when(default_factory=utcnow)


class Participant(SQLModel, table=True):
    """Someone (a user, or a remote site's unit through its account) taking part in a meeting."""

    __table_args__ = (sa.UniqueConstraint("meeting_id", "user_id", name="uq_participant_meeting_user"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    role: ParticipantRole = Field(sa_type=sa.String(16))
    can_vote: bool = False
    substitute_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    attendance: Attendance = Field(default=Attendance.expected, sa_type=sa.String(16))
    absence_reason: str = Field(default="", max_length=500)
    checked_in_at: dt.datetime | None = _when(nullable=True, default=None)
    checked_in_by_id: int | None = Field(default=None, foreign_key="user.id")
    # True when the named substitute, not the participant, is the one who checked in.
    by_substitute: bool = False


class AgendaItem(SQLModel, table=True):
    """An item on a meeting's agenda; items nest under a parent and sort by weight among siblings."""

    __tablename__ = "agenda_item"
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="agenda_item.id", index=True)
    weight: int = 0
    title: str = Field(max_length=500)
    presenter_id: int | None = Field(default=None, foreign_key="user.id")
    presenter_unit_id: int | None = Field(default=None, foreign_key="unit.id")
    duration_minutes: int | None = None
    status: ItemStatus = Field(default=ItemStatus.pending, sa_type=sa.String(16))


class AuditEvent(SQLModel, table=True):
    """One state change, chained to the previous row by its hash so that tampering shows."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True, index=True)
    at: dt.datetime = _when(default_factory=utcnow)
    actor_id: int | None = None
    action: str = Field(max_length=64)
    object_type: str = Field(max_length=32)
    object_id: str = Field(default="", max_length=64)
    meeting_id: int | None = Field(default=None, index=True)
    data: str = Field(default="{}", sa_type=sa.Text)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The chain's last seq and hash: its row lock orders appends, and it reveals a deleted tail."""

    __tablename__ = "audit_head"
    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(default="0" * 64, max_length=64)
